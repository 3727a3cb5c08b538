// xhcid end to end: pcid spawns it, it brings the xHCI model up, enumerates
// USB 2 and USB 3 mass-storage devices, and stays interrupt driven.
#include "usb_machine.hpp"

#include "drivers/hal/cqe_status.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/xhcid/client.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"

using namespace usbtest;

namespace {

/// A foreground program that keeps the run alive for 300 ms of simulated time.
hal::Task<int> wait_300ms(hal::Sys& sys) {
  co_await sys.sleep_ns(300'000'000);
  co_return 0;
}

/// A process xhcid did not spawn tries to drive port 5: refused.
int g_intruder = -1;
hal::Task<int> intruder(hal::Sys& sys) {
  co_await sys.sleep_ns(100'000'000);  // xhcid is up and the device configured
  hal::Result<xhcid::XhciClient> usb = xhcid::XhciClient::attach(sys, "usb", 8192);
  if (!usb) co_return 1;
  const hal::Result<xhcid::Descriptors> early = co_await usb->get_descriptors();  // before Attach
  const hal::Result<xhcid::PortInfo> a = co_await usb->attach_port(5, 0);
  const hal::Result<xhcid::PortInfo> none = co_await usb->attach_port(77, 0);
  const hal::CqEntry64 bogus = co_await usb->channel().ring->call(hal::SqEntry64{200, 0, 0, 0, 0, 0, 0, 0, 0, {0, 0}});
  g_intruder = (!early && early.error().is(hal::errc::perm)) && (!a && a.error().is(hal::errc::perm)) &&
                       (!none && none.error().is(hal::errc::noent)) &&
                       hal::status_signed(bogus.status) == -hal::errc::nosys
                   ? 0
                   : 2;
  co_return 0;
}

kernel::Kernel::Programs programs() {
  return {{"pcid", &pcid_main}, {"xhcid", &xhcid_main}, {"wait", &wait_300ms}, {"intruder", &intruder}};
}

const std::vector<std::string> kNoClassDrivers = {"class=0c subclass=03 prog_if=30 -> xhcid --no-class-drivers"};

}  // namespace

TEST(XhcidEndToEnd, EnumeratesUsb2AndUsb3DevicesOverInterrupts) {
  UsbMachine m(programs());
  m.plug(usb::Speed::high);
  m.plug(usb::Speed::super);
  m.run(kNoClassDrivers, {{"wait", {}}}, sim::sec(1));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front();
  const std::string hs = "xhcid: port " + std::to_string(m.port_of(usb::Speed::high)) + ": USB 2.1";
  const std::string ss = "xhcid: port " + std::to_string(m.port_of(usb::Speed::super)) + ": USB 3.2";
  EXPECT_TRUE(m.printed_contains(hs)) << m.dump_printed();
  EXPECT_TRUE(m.printed_contains(ss)) << m.dump_printed();
  EXPECT_GT(m.hc->interrupter(0).interrupts(), 0u);
}

TEST(XhcidEndToEnd, OnlyTheSpawnedClassDriverMayAttach) {
  kernel::Kernel::Programs progs = programs();
  progs["usbscsid"] = &usbscsid_main;  // the rightful driver of port 5
  UsbMachine m(progs);
  m.plug(usb::Speed::super);
  g_intruder = -1;
  m.run({}, {{"intruder", {}}}, sim::sec(1));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front();
  EXPECT_EQ(g_intruder, 0);
  EXPECT_EQ(m.count_events("xhcid.attach_denied"), 1u);
  EXPECT_TRUE(m.printed_contains("usbscsid: port 5 LUN 0")) << m.dump_printed();
}
