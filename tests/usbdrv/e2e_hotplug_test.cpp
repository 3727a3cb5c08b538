// Hotplug and interrupts end to end: devices that arrive after xhcid is
// running, leave (with and without I/O in flight) and come back; and a
// driver stack that is idle when nothing happens.
#include "disk_app.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"
#include "usb_machine.hpp"

using namespace usbtest;

namespace {

hal::Task<int> wait_1s(hal::Sys& sys) {
  co_await sys.sleep_ns(1'000'000'000);
  co_return 0;
}

kernel::Kernel::Programs programs() {
  return {{"pcid", &pcid_main},
          {"xhcid", &xhcid_main},
          {"usbscsid", &usbscsid_main},
          {"diskcheck", &diskcheck_main},
          {"wait", &wait_1s}};
}

}  // namespace

TEST(UsbHotplug, DeviceAttachedAfterStartIsEnumeratedAndServed) {
  UsbMachine m(programs());
  usb::UsbMassStorage& disk = m.plug(usb::Speed::super, sim::ms(150));
  g_diskcheck = {};
  m.run({}, {{"diskcheck", {"--bytes", "1048576"}}}, sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("xhcid: port 5: USB 3.2")) << m.dump_printed();
  std::vector<std::uint8_t> b(4096);
  ASSERT_TRUE(disk.store().read(8192, b));
  EXPECT_EQ(b[5], pattern(8192 + 5, 1));
}

TEST(UsbHotplug, DetachEndsTheClassDriverAndAReattachEnumeratesAgain) {
  UsbMachine m(programs());
  usb::UsbStorageParams p;
  p.speed = usb::Speed::super;
  usb::UsbMassStorage a("a", p), b("b", p);
  const unsigned port = m.port_of(usb::Speed::super);
  m.hc->attach(port, a, 0);
  m.hc->detach(port, sim::ms(100));
  m.hc->attach(port, b, sim::ms(150));
  g_diskcheck = {};
  m.run({},
        {{"diskcheck", {"--bytes", "1048576", "--seed", "1"}},
         {"diskcheck", {"--bytes", "1048576", "--seed", "2", "--start-ms", "200", "--no-edges"}}},
        sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  EXPECT_EQ(m.count_printed("diskcheck: disk.usb0:0:"), 2u) << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("xhcid: port 5: device detached")) << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("usbscsid: disk.usb0: device gone")) << m.dump_printed();
  EXPECT_EQ(m.count_printed("-> usbscsid --port 5 --disk 0"), 2u) << m.dump_printed();
  // Each device holds what was written while it was there.
  std::vector<std::uint8_t> va(512), vb(512);
  ASSERT_TRUE(a.store().read(1 << 19, va));
  ASSERT_TRUE(b.store().read(1 << 19, vb));
  EXPECT_EQ(va[7], pattern((1 << 19) + 7, 1));
  EXPECT_EQ(vb[7], pattern((1 << 19) + 7, 2));
  // The first usbscsid exited (0) when its device left.
  kernel::Process* first = m.k->process(m.pid_of("usbscsid", 0));
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(first->alive());
  EXPECT_EQ(first->exit_code(), 0);
}

TEST(UsbHotplug, DetachDuringIoFailsTheRequestsAndTheStackCarriesOn) {
  UsbMachine m(programs());
  usb::UsbStorageParams p;
  p.speed = usb::Speed::high;
  usb::UsbMassStorage a("a", p), b("b", p);
  const unsigned port = m.port_of(usb::Speed::high);
  m.hc->attach(port, a, 0);
  m.hc->detach(port, sim::ms(120));  // enumeration ends near 62 ms; the I/O runs ~100 ms
  m.hc->attach(port, b, sim::ms(200));
  g_diskcheck = {};
  m.run({},
        {{"diskcheck", {"--bytes", "8388608", "--expect-gone", "--no-edges"}},
         {"diskcheck", {"--bytes", "262144", "--seed", "5", "--start-ms", "300", "--no-edges"}}},
        sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  EXPECT_EQ(m.count_printed("diskcheck: disk.usb0:0:"), 1u) << m.dump_printed();  // only the second completes
  EXPECT_TRUE(m.printed_contains("device detached")) << m.dump_printed();
  EXPECT_GT(m.count_events("usbscsid.io_error"), 0u);
  std::vector<std::uint8_t> vb(512);
  ASSERT_TRUE(b.store().read(4096, vb));
  EXPECT_EQ(vb[1], pattern(4096 + 1, 5));
}

TEST(UsbInterrupts, DriversRunOnMsixAndAreIdleWhenNothingHappens) {
  UsbMachine m(programs());
  m.stop_when_idle = false;
  m.plug(usb::Speed::super);
  m.plug(usb::Speed::high);
  g_diskcheck = {};
  m.run({}, {{"diskcheck", {"--bytes", "1048576", "--path", "disk.usb1:0"}}, {"wait", {}}}, sim::ms(400));
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front();
  const hal::Pid xhcid = m.pid_of("xhcid"), scsi0 = m.pid_of("usbscsid", 0), scsi1 = m.pid_of("usbscsid", 1);
  ASSERT_NE(xhcid, 0u);
  ASSERT_NE(scsi1, 0u);
  const std::uint64_t irqs = m.hc->interrupter(0).interrupts();
  const std::uint64_t x0 = m.resumptions(xhcid), s0 = m.resumptions(scsi0), s1 = m.resumptions(scsi1);
  EXPECT_GT(irqs, 20u);  // every command and transfer completion came by MSI-X
  EXPECT_EQ(m.count_events("irq.spurious"), 0u);
  // 600 ms with no I/O: no interrupt, and no task of xhcid or usbscsid runs —
  // nobody polls, nobody sleeps in a loop.
  sc_core::sc_start(sim::to_sc(sim::ms(600)));
  EXPECT_EQ(m.hc->interrupter(0).interrupts(), irqs);
  EXPECT_EQ(m.resumptions(xhcid), x0);
  EXPECT_EQ(m.resumptions(scsi0), s0);
  EXPECT_EQ(m.resumptions(scsi1), s1);
}
