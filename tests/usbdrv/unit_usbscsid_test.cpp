// Unit tests of usbscsid's pure parts: CBW/CSW encoding and checks, SCSI
// CDBs, INQUIRY / capacity / sense parsing, paths and options.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/usbscsid/bot.hpp"
#include "drivers/usbscsid/disk_scheme.hpp"
#include "drivers/usbscsid/options.hpp"
#include "drivers/usbscsid/scsi.hpp"

using namespace usbscsid;

TEST(UsbscsidBot, CbwLayout) {
  bot::Cbw c;
  c.tag = 0x11223344;
  c.data_transfer_length = 0x200;
  c.direction = bot::Direction::in;
  c.lun = 1;
  c.cb_length = 10;
  c.cb[0] = 0x28;
  c.cb[9] = 0x77;
  const auto b = bot::encode(c);
  const std::vector<std::uint8_t> head(b.begin(), b.begin() + 15);
  EXPECT_EQ(head, (std::vector<std::uint8_t>{0x55, 0x53, 0x42, 0x43, 0x44, 0x33, 0x22, 0x11, 0x00, 0x02, 0, 0, 0x80,
                                              1, 10}));
  EXPECT_EQ(b[15], 0x28);
  EXPECT_EQ(b[24], 0x77);
  c.direction = bot::Direction::out;
  EXPECT_EQ(bot::encode(c)[12], 0);
}

TEST(UsbscsidBot, CswValidAndMeaningful) {
  bot::Cbw cbw;
  cbw.tag = 7;
  cbw.data_transfer_length = 512;
  std::vector<std::uint8_t> b = {0x55, 0x53, 0x42, 0x53, 7, 0, 0, 0, 0x10, 0, 0, 0, 1};
  bot::Csw csw = bot::decode_csw(b);
  EXPECT_EQ(csw.signature, bot::kCswSignature);
  EXPECT_EQ(csw.tag, 7u);
  EXPECT_EQ(csw.data_residue, 16u);
  EXPECT_EQ(csw.status, bot::kCswCommandFailed);
  EXPECT_EQ(bot::check_csw(csw, 13, cbw), bot::CswCheck::ok);
  EXPECT_EQ(bot::check_csw(csw, 12, cbw), bot::CswCheck::wrong_size);
  EXPECT_EQ(bot::check_csw(csw, 31, cbw), bot::CswCheck::wrong_size);
  bot::Csw bad = csw;
  bad.signature = 0x43425355;
  EXPECT_EQ(bot::check_csw(bad, 13, cbw), bot::CswCheck::bad_signature);
  bad = csw;
  bad.tag = 8;
  EXPECT_EQ(bot::check_csw(bad, 13, cbw), bot::CswCheck::tag_mismatch);
  bad = csw;
  bad.status = 3;
  EXPECT_EQ(bot::check_csw(bad, 13, cbw), bot::CswCheck::bad_status);
  bad = csw;
  bad.data_residue = 513;
  EXPECT_EQ(bot::check_csw(bad, 13, cbw), bot::CswCheck::residue_too_big);
  bad.status = bot::kCswPhaseError;  // a phase error's residue means nothing
  EXPECT_EQ(bot::check_csw(bad, 13, cbw), bot::CswCheck::ok);
}

TEST(UsbscsidScsi, CdbBuilders) {
  const scsi::Cdb r10 = scsi::read10(0x01020304, 0x0506);
  EXPECT_EQ(r10.length, 10);
  EXPECT_EQ(std::vector<std::uint8_t>(r10.bytes.begin(), r10.bytes.begin() + 10),
            (std::vector<std::uint8_t>{0x28, 0, 1, 2, 3, 4, 0, 5, 6, 0}));
  const scsi::Cdb w16 = scsi::write16(0x0102030405060708ULL, 0x0A0B0C0D);
  EXPECT_EQ(w16.length, 16);
  EXPECT_EQ(std::vector<std::uint8_t>(w16.bytes.begin(), w16.bytes.end()),
            (std::vector<std::uint8_t>{0x8A, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xA, 0xB, 0xC, 0xD, 0, 0}));
  const scsi::Cdb rc16 = scsi::read_capacity16(32);
  EXPECT_EQ(rc16.bytes[0], 0x9E);
  EXPECT_EQ(rc16.bytes[1], 0x10);
  EXPECT_EQ(rc16.bytes[13], 32);
  EXPECT_EQ(scsi::inquiry(36).bytes[4], 36);
  EXPECT_EQ(scsi::inquiry(36).length, 6);
  EXPECT_EQ(scsi::request_sense(18).bytes[4], 18);
  EXPECT_EQ(scsi::test_unit_ready().length, 6);
  EXPECT_EQ(scsi::synchronize_cache10().bytes[0], 0x35);
  // (10) while the LBA and count fit, (16) beyond.
  EXPECT_EQ(scsi::read(100, 8).opcode(), scsi::kRead10);
  EXPECT_EQ(scsi::read(0xFFFF'FFFFULL, 1).opcode(), scsi::kRead16);
  EXPECT_EQ(scsi::write(0, 0x10000).opcode(), scsi::kWrite16);
  EXPECT_EQ(scsi::write(1ULL << 33, 1).opcode(), scsi::kWrite16);
  EXPECT_EQ(scsi::write(5, 1).opcode(), scsi::kWrite10);
}

TEST(UsbscsidScsi, InquiryAndCapacityParsing) {
  std::vector<std::uint8_t> q(36, ' ');
  q[0] = 0x00;
  q[1] = 0x80;
  q[2] = 0x06;
  const char* v = "DRVSIM  USB DISK        1.00";
  for (int i = 0; i < 28; ++i) q[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v[i]);
  const auto iq = scsi::parse_inquiry(q);
  ASSERT_TRUE(iq);
  EXPECT_EQ(iq->vendor, "DRVSIM");
  EXPECT_EQ(iq->product, "USB DISK");
  EXPECT_EQ(iq->revision, "1.00");
  EXPECT_TRUE(iq->removable);
  EXPECT_EQ(iq->peripheral_device_type, 0);
  EXPECT_FALSE(scsi::parse_inquiry(std::span(q).first(35)));

  const std::vector<std::uint8_t> c10 = {0, 0x01, 0xFF, 0xFF, 0, 0, 2, 0};
  EXPECT_EQ(scsi::parse_read_capacity10(c10)->blocks(), 0x20000u);
  EXPECT_EQ(scsi::parse_read_capacity10(c10)->block_length, 512u);
  const std::vector<std::uint8_t> big = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0};
  EXPECT_EQ(scsi::parse_read_capacity10(big)->last_lba, 0xFFFF'FFFFu);  // -> READ CAPACITY(16)
  std::vector<std::uint8_t> c16(32, 0);
  c16[3] = 1;     // last LBA 0x1_7FFF_FFFF
  c16[4] = 0x7F;
  c16[5] = c16[6] = c16[7] = 0xFF;
  c16[10] = 0x10;  // 4096
  const auto cap = scsi::parse_read_capacity16(c16);
  ASSERT_TRUE(cap);
  EXPECT_EQ(cap->last_lba, 0x1'7FFF'FFFFULL);
  EXPECT_EQ(cap->block_length, 4096u);
  const std::vector<std::uint8_t> zero_block = {0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_FALSE(scsi::parse_read_capacity10(zero_block));
}

TEST(UsbscsidScsi, SenseFixedAndDescriptorFormats) {
  std::vector<std::uint8_t> fixed(18, 0);
  fixed[0] = 0xF0;  // VALID + 70h
  fixed[2] = 0x05;
  fixed[7] = 10;
  fixed[12] = 0x21;
  const scsi::Sense s = scsi::parse_sense(fixed);
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.key, scsi::kIllegalRequest);
  EXPECT_EQ(s.asc, scsi::kAscLbaOutOfRange);
  EXPECT_EQ(scsi::errno_of(s), hal::errc::inval);
  const std::vector<std::uint8_t> desc = {0x72, 0x07, 0x27, 0x00, 0, 0, 0, 0};
  const scsi::Sense d = scsi::parse_sense(desc);
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.key, scsi::kDataProtect);
  EXPECT_EQ(scsi::errno_of(d), scsi::kErofs);
  EXPECT_FALSE(scsi::parse_sense(std::vector<std::uint8_t>{0x70, 0, 3}).valid);  // too short
  EXPECT_FALSE(scsi::parse_sense(std::vector<std::uint8_t>(18, 0)).valid);        // unknown response code
  scsi::Sense medium;
  medium.key = scsi::kMediumError;
  EXPECT_EQ(scsi::errno_of(medium), hal::errc::io);
  EXPECT_EQ(scsi::to_string(s), "sense key 5 ASC 21 ASCQ 00");
}

TEST(UsbscsidScheme, LunPaths) {
  EXPECT_EQ(parse_lun_path("0"), 0);
  EXPECT_EQ(parse_lun_path("/1"), 1);
  EXPECT_EQ(parse_lun_path("disk.usb0:0"), 0);
  EXPECT_EQ(parse_lun_path("disk.usb3:/12/"), 12);
  EXPECT_EQ(parse_lun_path(""), kRootPath);
  EXPECT_EQ(parse_lun_path("disk.usb0:"), kRootPath);
  EXPECT_EQ(parse_lun_path("disk.usb0:/"), kRootPath);
  EXPECT_EQ(parse_lun_path("x"), std::nullopt);
  EXPECT_EQ(parse_lun_path("1p0"), std::nullopt);
  EXPECT_EQ(parse_lun_path("256"), std::nullopt);
  EXPECT_EQ(parse_lun_path("-1"), std::nullopt);
}

TEST(UsbscsidOptions, ParseAndReject) {
  const auto o = parse_options({"--scheme", "usb", "--port", "5", "--interface", "0", "--disk", "3",
                                "--max-transfer", "262144", "--inject-invalid-cbw", "9"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->port, 5u);
  EXPECT_EQ(o->disk, 3u);
  EXPECT_EQ(o->max_transfer, 262144u);
  EXPECT_EQ(o->inject_invalid_cbw, 9u);
  EXPECT_FALSE(parse_options({}));  // --port is required
  EXPECT_FALSE(parse_options({"--port", "0"}));
  EXPECT_FALSE(parse_options({"--port", "1", "--max-transfer", "1000"}));
  EXPECT_FALSE(parse_options({"--port", "1", "--what"}));
  EXPECT_FALSE(parse_options({"--port", "1", "--scheme", "a:b"}));
}
