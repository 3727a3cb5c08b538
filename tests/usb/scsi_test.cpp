#include <gtest/gtest.h>

#include "devices/usb/scsi.hpp"

using namespace usb;
using namespace usb::scsi;

namespace {
// Most tests look at one command's behaviour: a disk without the power-on
// unit attention (PowerOnUnitAttention below covers it).
DiskIdentity quiet() {
  DiskIdentity i;
  i.power_on_unit_attention = false;
  return i;
}
struct Disk {
  MemoryStore store{1 << 20};
  ScsiDisk disk{store, 512, quiet(), DiskTiming{}};
  Result run(std::vector<std::uint8_t> cdb, std::vector<std::uint8_t> out = {}) { return disk.execute(cdb, out); }
};
std::vector<std::uint8_t> rw16(std::uint8_t op, std::uint64_t lba, std::uint32_t n) {
  std::vector<std::uint8_t> c(16, 0);
  c[0] = op;
  for (int i = 0; i < 8; ++i) c[2 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(lba >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) c[10 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  return c;
}
}  // namespace

TEST(Scsi, InquiryStandardDataAndVpd) {
  Disk d;
  auto r = d.run({kInquiry, 0, 0, 0, 36, 0});
  ASSERT_EQ(r.status, kStatusGood);
  ASSERT_EQ(r.data.size(), 36u);
  EXPECT_EQ(r.data[0], 0x00);  // direct access block device
  EXPECT_EQ(r.data[2], 0x06);  // SPC-4
  EXPECT_EQ(std::string(r.data.begin() + 8, r.data.begin() + 14), "DRVSIM");
  EXPECT_EQ(d.run({kInquiry, 0, 0, 0, 5, 0}).data.size(), 5u);  // allocation length cuts
  auto vpd = d.run({kInquiry, 1, 0x80, 0, 64, 0});
  EXPECT_EQ(vpd.data[1], 0x80);
  EXPECT_EQ(d.run({kInquiry, 0, 0x80, 0, 64, 0}).status, kStatusCheckCondition);  // page without EVPD
  EXPECT_EQ(d.disk.sense(), kInvalidFieldInCdb);
}

TEST(Scsi, InvalidOpcodeGivesCheckConditionAndFixedFormatSense) {
  Disk d;
  EXPECT_EQ(d.run({0xC7, 0, 0, 0, 0, 0}).status, kStatusCheckCondition);
  auto s = d.run({kRequestSense, 0, 0, 0, 18, 0});
  ASSERT_EQ(s.status, kStatusGood);
  ASSERT_EQ(s.data.size(), 18u);
  EXPECT_EQ(s.data[0], 0x70);
  EXPECT_EQ(s.data[2], kSenseIllegalRequest);
  EXPECT_EQ(s.data[12], 0x20);  // INVALID COMMAND OPERATION CODE
  auto again = d.run({kRequestSense, 0, 0, 0, 18, 0});
  EXPECT_EQ(again.data[2], kSenseNoSense);  // reported once
  EXPECT_EQ(d.run({kRequestSense, 1, 0, 0, 18, 0}).status, kStatusCheckCondition);  // DESC=1 unsupported
}

TEST(Scsi, TestUnitReadyAndSynchronizeCache) {
  Disk d;
  EXPECT_EQ(d.run({kTestUnitReady, 0, 0, 0, 0, 0}).status, kStatusGood);
  EXPECT_EQ(d.run({kSynchronizeCache10, 0, 0, 0, 0, 0, 0, 0, 0, 0}).status, kStatusGood);
  EXPECT_EQ(d.run({kSynchronizeCache10, 0, 0, 0x10, 0, 0, 0, 0, 1, 0}).status, kStatusCheckCondition);
  EXPECT_EQ(d.disk.sense(), kLbaOutOfRange);
}

TEST(Scsi, ReadCapacity10And16) {
  Disk d;
  auto r = d.run({kReadCapacity10, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  ASSERT_EQ(r.data.size(), 8u);
  EXPECT_EQ(r.data[2], 0x07);  // last LBA 2047
  EXPECT_EQ(r.data[3], 0xFF);
  EXPECT_EQ(r.data[6], 0x02);  // 512
  std::vector<std::uint8_t> c(16, 0);
  c[0] = kServiceActionIn16;
  c[1] = kSaReadCapacity16;
  c[13] = 32;
  auto r16 = d.run(c);
  ASSERT_EQ(r16.data.size(), 32u);
  EXPECT_EQ(r16.data[6], 0x07);
  EXPECT_EQ(r16.data[7], 0xFF);
  c[1] = 0x11;
  EXPECT_EQ(d.run(c).status, kStatusCheckCondition);
}

TEST(Scsi, WriteThenReadBack10And16) {
  Disk d;
  std::vector<std::uint8_t> data(1024);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 13);
  EXPECT_EQ(d.run({kWrite10, 0, 0, 0, 0, 7, 0, 0, 2, 0}, data).status, kStatusGood);
  EXPECT_EQ(d.run({kRead10, 0, 0, 0, 0, 7, 0, 0, 2, 0}).data, data);
  EXPECT_EQ(d.run(rw16(kWrite16, 100, 2), data).status, kStatusGood);
  EXPECT_EQ(d.run(rw16(kRead16, 100, 2)).data, data);
  EXPECT_EQ(d.run(rw16(kRead16, 0, 1)).data, std::vector<std::uint8_t>(512, 0));  // sparse zeros
}

TEST(Scsi, LbaOutOfRangePlansNoData) {
  Disk d;
  const std::vector<std::uint8_t> c{kRead10, 0, 0, 0, 0x07, 0xFF, 0, 0, 2, 0};
  EXPECT_EQ(d.disk.plan(c).dir, Direction::none);
  EXPECT_EQ(d.run(c).status, kStatusCheckCondition);
  EXPECT_EQ(d.disk.sense(), kLbaOutOfRange);
  EXPECT_EQ(d.disk.plan(rw16(kWrite16, 1ULL << 40, 1)).dir, Direction::none);
}

TEST(Scsi, ModeSense6And10) {
  Disk d;
  auto m6 = d.run({kModeSense6, 0, 0x3F, 0, 255, 0});
  ASSERT_EQ(m6.status, kStatusGood);
  EXPECT_EQ(m6.data[0], m6.data.size() - 1);
  EXPECT_EQ(m6.data[3], 8);   // block descriptor
  EXPECT_EQ(m6.data[12], 0x08);  // caching page
  auto m10 = d.run({kModeSense10, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0});
  ASSERT_EQ(m10.status, kStatusGood);
  EXPECT_EQ(m10.data[7], 0);  // DBD
  EXPECT_EQ(m10.data[8], 0x08);
  EXPECT_EQ(d.run({kModeSense6, 0, 0x1C, 0, 255, 0}).status, kStatusCheckCondition);
  EXPECT_EQ(d.run({kModeSense6, 0, 0xC8, 0, 255, 0}).status, kStatusCheckCondition);  // saved values
}

TEST(Scsi, WriteProtectedDiskRefusesWrites) {
  MemoryStore store(1 << 20);
  DiskIdentity id = quiet();
  id.write_protected = true;
  ScsiDisk disk(store, 512, id, DiskTiming{});
  std::vector<std::uint8_t> data(512);
  const std::vector<std::uint8_t> c{kWrite10, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  EXPECT_EQ(disk.execute(c, data).status, kStatusCheckCondition);
  EXPECT_EQ(disk.sense(), kWriteProtected);
}

TEST(Scsi, PowerOnUnitAttentionIsReportedOnceByTheFirstCommand) {
  MemoryStore store{1 << 20};
  ScsiDisk disk{store, 512, DiskIdentity{}, DiskTiming{}};
  EXPECT_TRUE(disk.unit_attention());
  // INQUIRY is answered and leaves the condition pending (SAM-5 §5.14).
  std::vector<std::uint8_t> inquiry{kInquiry, 0, 0, 0, 36, 0};
  EXPECT_EQ(disk.execute(inquiry, {}).status, kStatusGood);
  EXPECT_TRUE(disk.unit_attention());
  // Any other command: CHECK CONDITION, no data planned, 29h/00h.
  const std::vector<std::uint8_t> read10{kRead10, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  EXPECT_EQ(disk.plan(read10).length, 0u);
  EXPECT_EQ(disk.execute(read10, {}).status, kStatusCheckCondition);
  EXPECT_EQ(disk.sense(), kPowerOnReset);
  EXPECT_FALSE(disk.unit_attention());
  // Reported once: the same READ now works.
  EXPECT_EQ(disk.plan(read10).length, 512u);
  EXPECT_EQ(disk.execute(read10, {}).status, kStatusGood);
}

TEST(Scsi, RequestSenseReportsAndClearsThePowerOnUnitAttention) {
  MemoryStore store{1 << 20};
  ScsiDisk disk{store, 512, DiskIdentity{}, DiskTiming{}};
  const auto r = disk.execute(std::vector<std::uint8_t>{kRequestSense, 0, 0, 0, 18, 0}, {});
  ASSERT_EQ(r.status, kStatusGood);
  ASSERT_GE(r.data.size(), 14u);
  EXPECT_EQ(r.data[2] & 0x0F, kSenseUnitAttention);
  EXPECT_EQ(r.data[12], 0x29);
  EXPECT_EQ(r.data[13], 0x00);
  EXPECT_FALSE(disk.unit_attention());
  EXPECT_EQ(disk.execute(std::vector<std::uint8_t>{kTestUnitReady, 0, 0, 0, 0, 0}, {}).status, kStatusGood);
}
