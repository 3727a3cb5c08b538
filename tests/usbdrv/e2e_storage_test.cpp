// The whole USB storage stack end to end on the kernel model: pcid spawns
// xhcid, xhcid enumerates the mass-storage model and spawns usbscsid, which
// serves disk.usbN; diskcheck writes, reads back and verifies through it.
#include <cstdio>

#include "disk_app.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"
#include "usb_machine.hpp"

using namespace usbtest;

namespace {

kernel::Kernel::Programs programs() {
  return {{"pcid", &pcid_main},
          {"xhcid", &xhcid_main},
          {"usbscsid", &usbscsid_main},
          {"diskcheck", &diskcheck_main}};
}

std::vector<std::uint8_t> store_bytes(usb::UsbMassStorage& d, std::uint64_t off, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  EXPECT_TRUE(d.store().read(off, v));
  return v;
}

void expect_pattern_in_store(usb::UsbMassStorage& d, std::uint64_t off, std::size_t n, std::uint64_t seed) {
  const auto v = store_bytes(d, off, n);
  for (std::size_t i = 0; i < n; ++i)
    if (v[i] != pattern(off + i, seed)) {
      ADD_FAILURE() << "the device's medium differs at byte " << off + i;
      return;
    }
}

}  // namespace

TEST(UsbStorageEndToEnd, SuperSpeedWriteThenReadBackVerified) {
  UsbMachine m(programs());
  usb::UsbMassStorage& disk = m.plug(usb::Speed::super);
  g_diskcheck = {};
  m.run({}, {{"diskcheck", {"--bytes", "4194304"}}}, sim::sec(5));
  EXPECT_TRUE(m.stopped);
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("diskcheck: disk.usb0:0: 64 MiB, block 512")) << m.dump_printed();
  EXPECT_TRUE(m.printed_contains("usbscsid: port 5 LUN 0: DRVSIM USB DISK 1.00, 131072 blocks of 512 bytes"))
      << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran);
  std::printf("[ throughput ] SuperSpeed through xhcid+usbscsid, 1 MiB requests: write %.1f MB/s, read %.1f MB/s\n",
              g_diskcheck.write_mbps, g_diskcheck.read_mbps);
  expect_pattern_in_store(disk, 0, 4 << 20, 1);
  EXPECT_GT(m.hc->interrupter(0).interrupts(), 0u);
}

TEST(UsbStorageEndToEnd, HighSpeedWriteThenReadBackVerified) {
  UsbMachine m(programs());
  usb::UsbMassStorage& disk = m.plug(usb::Speed::high);
  g_diskcheck = {};
  m.run({}, {{"diskcheck", {"--bytes", "1048576", "--chunk", "262144", "--offset", "1048576", "--seed", "9"}}},
        sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  std::printf("[ throughput ] high speed through xhcid+usbscsid, 256 KiB requests: write %.1f MB/s, read %.1f MB/s\n",
              g_diskcheck.write_mbps, g_diskcheck.read_mbps);
  expect_pattern_in_store(disk, 1 << 20, 1 << 20, 9);
}

TEST(UsbStorageEndToEnd, InvalidCbwStallIsRecoveredByResetRecoveryAndRetried) {
  // The 6th SCSI command (the second WRITE of diskcheck) goes out with a
  // broken CBW signature: the device STALLs both bulk pipes (BOT §6.6.1).
  // usbscsid clears the data-stage halt, the CSW STALLs twice, Reset
  // Recovery follows, the command is retried and the data still verifies.
  UsbMachine m(programs());
  usb::UsbMassStorage& disk = m.plug(usb::Speed::super);
  g_diskcheck = {};
  m.run({"class=0c subclass=03 prog_if=30 -> xhcid --storage-arg --inject-invalid-cbw --storage-arg 6"},
        {{"diskcheck", {"--bytes", "2097152", "--chunk", "524288"}}}, sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_EQ(m.count_events("usbscsid.inject"), 1u);
  EXPECT_EQ(m.count_events("usbscsid.reset_recovery"), 1u);
  EXPECT_GE(m.count_events("endpoint.halted"), 2u);  // the controller halted bulk OUT (data) and bulk IN (CSW)
  EXPECT_EQ(disk.bot().phase(), usb::BulkOnlyTransport::Phase::command);
  expect_pattern_in_store(disk, 0, 2 << 20, 1);
}

TEST(UsbStorageEndToEnd, InvalidCbwBeforeAReadIsRecoveredToo) {
  // Command 13 is the first READ after 8 WRITEs and a SYNCHRONIZE CACHE.
  UsbMachine m(programs());
  m.plug(usb::Speed::high);
  g_diskcheck = {};
  m.run({"class=0c subclass=03 prog_if=30 -> xhcid --storage-arg --inject-invalid-cbw --storage-arg 13"},
        {{"diskcheck", {"--bytes", "524288", "--chunk", "65536", "--no-edges"}}}, sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_EQ(m.count_events("usbscsid.reset_recovery"), 1u);
}

TEST(UsbStorageEndToEnd, ReadCapacity16AndRead16BeyondTwoTebibytes) {
  // 3 TiB of 512-byte blocks: READ CAPACITY(10) answers FFFFFFFFh, so
  // usbscsid asks READ CAPACITY(16); I/O past 2 TiB needs READ/WRITE(16).
  UsbMachine m(programs());
  usb::UsbStorageParams p;
  p.capacity = 3ULL << 40;
  usb::UsbMassStorage& disk = m.plug(usb::Speed::super, 0, p);
  g_diskcheck = {};
  const std::uint64_t at = (5ULL << 39) + 4096;  // 2.5 TiB
  m.run({}, {{"diskcheck", {"--bytes", "1048576", "--chunk", "262144", "--offset", std::to_string(at)}}},
        sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_EQ(g_diskcheck.size, 3ULL << 40);
  EXPECT_TRUE(m.printed_contains("6442450944 blocks of 512 bytes")) << m.dump_printed();
  expect_pattern_in_store(disk, at, 1 << 20, 1);
}

TEST(UsbStorageEndToEnd, FourKibibyteBlocksWithUnalignedRequests) {
  UsbMachine m(programs());
  usb::UsbStorageParams p;
  p.block_size = 4096;
  usb::UsbMassStorage& disk = m.plug(usb::Speed::super, 0, p);
  g_diskcheck = {};
  m.run({}, {{"diskcheck", {"--bytes", "300000", "--chunk", "70001", "--offset", "12345", "--seed", "3"}}},
        sim::sec(5));
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures().front() << "\n" << m.dump_printed();
  ASSERT_TRUE(g_diskcheck.ran) << m.dump_printed();
  EXPECT_EQ(g_diskcheck.block_size, 4096u);
  expect_pattern_in_store(disk, 12345, 300000, 3);
}
