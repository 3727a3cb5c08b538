#include "usb_host.hpp"

using namespace usb;
using namespace usbtest;

namespace {
struct Stick {
  UsbMassStorage d{"disk", [] {
    UsbStorageParams p;
    p.power_on_unit_attention = false;  // these tests are about BOT, not the power-on report
    return p;
  }()};
  Stick() { enumerate(d); }
};
}  // namespace

TEST(Bot, GetMaxLunAndInquiryWithTagEchoed) {
  Stick s;
  auto lun = req(s.d, 0xA1, kGetMaxLun, 0, 0, 1);
  ASSERT_EQ(lun.status, Status::ack);
  EXPECT_EQ(lun.data, std::vector<std::uint8_t>{0});
  auto r = bot(s.d, 0x1234'5678, {scsi::kInquiry, 0, 0, 0, 36, 0}, 36, true);
  EXPECT_EQ(r.data.size(), 36u);
  EXPECT_EQ(r.csw.signature, kCswSignature);
  EXPECT_EQ(r.csw.tag, 0x1234'5678u);
  EXPECT_EQ(r.csw.status, kCswPassed);
  EXPECT_EQ(r.csw.residue, 0u);
  auto r2 = bot(s.d, 99, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
  EXPECT_EQ(r2.csw.tag, 99u);  // each CSW echoes its own CBW's tag, not an earlier one
}

TEST(Bot, ShortDataInReportsResidue) {
  Stick s;
  auto r = bot(s.d, 1, {scsi::kInquiry, 0, 0, 0, 255, 0}, 255, true);  // Hi > Di (case 5)
  EXPECT_EQ(r.data.size(), 36u);
  EXPECT_EQ(r.data_status, Status::ack);  // ends with a short packet
  EXPECT_EQ(r.csw.residue, 255u - 36u);
  EXPECT_EQ(r.csw.status, kCswPassed);
}

TEST(Bot, FailedCommandStallsDataInAndReportsFailed) {
  Stick s;
  auto r = bot(s.d, 2, usbtest::rw10(scsi::kRead10, 0x0100'0000, 1), 512, true);  // Hi > Dn (case 4)
  EXPECT_EQ(r.data_status, Status::stall);
  EXPECT_EQ(r.csw.status, kCswFailed);
  EXPECT_EQ(r.csw.residue, 512u);
  auto sense = bot(s.d, 3, {scsi::kRequestSense, 0, 0, 0, 18, 0}, 18, true);
  EXPECT_EQ(sense.data[2], scsi::kSenseIllegalRequest);
  EXPECT_EQ(sense.data[12], 0x21);  // LBA OUT OF RANGE
}

TEST(Bot, PhaseErrors) {
  Stick s;
  // Case 7, Hi < Di: the device sends Hi bytes, then a phase error.
  auto r = bot(s.d, 4, usbtest::rw10(scsi::kRead10, 0, 2), 512, true);
  EXPECT_EQ(r.data.size(), 512u);
  EXPECT_EQ(r.csw.status, kCswPhaseError);
  // Case 2, Hn < Di.
  auto r2 = bot(s.d, 5, usbtest::rw10(scsi::kRead10, 0, 1), 0, false);
  EXPECT_EQ(r2.csw.status, kCswPhaseError);
  // Case 8, Hi <> Do: a WRITE with an IN data phase.
  auto r3 = bot(s.d, 6, usbtest::rw10(scsi::kWrite10, 0, 1), 512, true);
  EXPECT_EQ(r3.data_status, Status::stall);
  EXPECT_EQ(r3.csw.status, kCswPhaseError);
  EXPECT_EQ(s.d.bot().phase_errors(), 3u);
}

TEST(Bot, InvalidCbwStallsBothPipesUntilResetRecovery) {
  Stick s;
  auto c = cbw(7, 0, false, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}).bytes();
  c[0] = 0x00;  // bad signature
  EXPECT_EQ(s.d.out(2, c).status, Status::ack);
  EXPECT_EQ(s.d.in(1, 13).status, Status::stall);
  EXPECT_TRUE(s.d.halted(0x81));
  EXPECT_TRUE(s.d.halted(0x02));
  // CLEAR_FEATURE alone does not end it (BOT §5.3.4, §6.6.1).
  req(s.d, 0x02, kClearFeature, kFeatureEndpointHalt, 0x81, 0);
  EXPECT_EQ(s.d.in(1, 13).status, Status::stall);
  // Reset Recovery: Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(HALT) on both.
  EXPECT_EQ(req(s.d, 0x21, kBulkOnlyMassStorageReset, 0, 0, 0).status, Status::ack);
  EXPECT_EQ(req(s.d, 0x02, kClearFeature, kFeatureEndpointHalt, 0x81, 0).status, Status::ack);
  EXPECT_EQ(req(s.d, 0x02, kClearFeature, kFeatureEndpointHalt, 0x02, 0).status, Status::ack);
  auto r = bot(s.d, 8, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
  EXPECT_EQ(r.csw.status, kCswPassed);
  EXPECT_EQ(r.csw.tag, 8u);
}

TEST(Bot, WriteThenReadBack) {
  Stick s;
  std::vector<std::uint8_t> data(4096);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
  auto w = bot(s.d, 10, usbtest::rw10(scsi::kWrite10, 33, 8), 4096, false, data);
  EXPECT_EQ(w.csw.status, kCswPassed);
  auto r = bot(s.d, 11, usbtest::rw10(scsi::kRead10, 33, 8), 4096, true);
  EXPECT_EQ(r.data, data);
  EXPECT_EQ(r.csw.status, kCswPassed);
}

TEST(Bot, HostSendsMoreThanDeviceWantsIsRefused) {
  Stick s;
  std::vector<std::uint8_t> data(1024, 1);
  // Case 11, Ho > Do: the device takes Do bytes and STALLs the rest.
  auto w = bot(s.d, 12, usbtest::rw10(scsi::kWrite10, 0, 1), 1024, false, data);
  EXPECT_EQ(w.data_status, Status::stall);
  EXPECT_EQ(w.csw.status, kCswPassed);
  EXPECT_EQ(w.csw.residue, 512u);
}
