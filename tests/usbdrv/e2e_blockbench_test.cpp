// blockbench (drivers/apps, written for nvmed's disk scheme) runs unchanged
// on usbscsid's disk.usb0: sequential and random, reads and writes, queue
// depth above 1 (usbscsid serialises: BOT runs one command at a time), with
// verification. And the scheme root lists the logical units.
#include <cstring>

#include "drivers/apps/blockbench.hpp"
#include "drivers/hal/file.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"
#include "usb_machine.hpp"

using namespace usbtest;

namespace {

std::string g_root_listing;
hal::Stat g_root_stat;

hal::Task<int> list_root(hal::Sys& sys) {
  hal::Result<hal::Fd> fd = hal::Error(hal::errc::noent, "");
  for (int i = 0; i < 500 && !(fd = co_await hal::open(sys, "disk.usb0:")); ++i) co_await sys.sleep_ns(2'000'000);
  if (!fd) co_return 1;
  const hal::Result<hal::Stat> st = co_await hal::fstat(sys, *fd);
  if (!st) co_return 2;
  g_root_stat = *st;
  const std::uint64_t off = sys.kernel_pool().alloc(64).value();
  const hal::Result<std::uint64_t> n = co_await hal::pread(sys, *fd, off, 64, 0);
  if (!n) co_return 3;
  g_root_listing.assign(reinterpret_cast<const char*>(sys.kernel_ring().pool().data + off), *n);
  const hal::Result<std::uint64_t> w = co_await hal::pwrite(sys, *fd, off, 8, 0);
  co_return w || !w.error().is(hal::errc::inval) ? 4 : 0;
}

kernel::Kernel::Programs programs() {
  return {{"pcid", &pcid_main},
          {"xhcid", &xhcid_main},
          {"usbscsid", &usbscsid_main},
          {"blockbench", &apps::blockbench_main},
          {"lsroot", &list_root}};
}

}  // namespace

TEST(UsbBlockbench, RunsUnchangedOnTheUsbDiskScheme) {
  UsbMachine m(programs());
  m.plug(usb::Speed::super);
  m.run({},
        {{"blockbench", {"--path", "disk.usb0:0", "--pattern", "rand", "--rw", "mix", "--bs", "4096", "--qd", "4",
                         "--count", "200", "--size", "8MiB", "--verify", "--fsync"}},
         {"lsroot", {}}},
        sim::sec(10));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("blockbench disk.usb0:0: randrw bs=4096 qd=4")) << m.dump_printed();
  EXPECT_EQ(g_root_listing, "0\n");
  EXPECT_EQ(g_root_stat.mode, 2u);
  for (const auto& l : m.printed)
    if (l.rfind("blockbench", 0) == 0) std::printf("[ blockbench ] %s\n", l.c_str());
}

TEST(UsbBlockbench, SequentialReadThroughputAtHighAndSuperSpeed) {
  for (usb::Speed speed : {usb::Speed::high, usb::Speed::super}) {
    UsbMachine m(programs());
    m.plug(speed);
    m.run({},
          {{"blockbench", {"--path", "disk.usb0:0", "--pattern", "seq", "--rw", "read", "--bs", "1MiB", "--qd", "1",
                           "--count", "16"}}},
          sim::sec(10));
    EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
    for (const auto& l : m.printed)
      if (l.rfind("blockbench", 0) == 0) std::printf("[ blockbench ] %s: %s\n", usb::to_string(speed), l.c_str());
  }
}
