// Injected faults on the mass-storage model (devices/usb/storage_faults.hpp):
// stall-next on each pipe and phase, bad-csw.
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
std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 7);
  return v;
}
void clear_halt(UsbMassStorage& d, std::uint8_t ep) {
  EXPECT_EQ(req(d, 0x02, kClearFeature, kFeatureEndpointHalt, ep, 0).status, Status::ack);
}
}  // namespace

TEST(UsbStorageFaults, StalledDataInFailsTheCommandWithAbortedCommandSense) {
  Stick s;
  const auto data = pattern(4096, 1);
  ASSERT_EQ(bot(s.d, 1, rw10(scsi::kWrite10, 8, 8), 4096, false, data).csw.status, kCswPassed);
  s.d.inject_stall_next(1, StallPipe::in);
  auto r = bot(s.d, 2, rw10(scsi::kRead10, 8, 8), 4096, true);  // clears the halt, reads the CSW
  EXPECT_EQ(r.data_status, Status::stall);
  EXPECT_TRUE(r.data.empty());
  EXPECT_EQ(r.csw.signature, kCswSignature);
  EXPECT_EQ(r.csw.tag, 2u);
  EXPECT_EQ(r.csw.status, kCswFailed);
  EXPECT_EQ(r.csw.residue, 4096u);
  auto sense = bot(s.d, 3, {scsi::kRequestSense, 0, 0, 0, 18, 0}, 18, true);
  EXPECT_EQ(sense.data[2] & 0x0F, scsi::kSenseAbortedCommand);
  EXPECT_EQ(sense.data[12], 0x4B);  // DATA PHASE ERROR
  // The retry succeeds: one transfer was hit.
  auto again = bot(s.d, 4, rw10(scsi::kRead10, 8, 8), 4096, true);
  EXPECT_EQ(again.data, data);
  EXPECT_EQ(again.csw.status, kCswPassed);
  EXPECT_EQ(s.d.faults().stalled, 1u);
}

TEST(UsbStorageFaults, StalledDataOutWritesNothing) {
  Stick s;
  s.d.inject_stall_next(1, StallPipe::out);
  // The CBW is on the OUT pipe too: the first OUT transfer is the one hit.
  const auto c = cbw(5, 4096, false, rw10(scsi::kWrite10, 0, 8)).bytes();
  EXPECT_EQ(s.d.out(2, c).status, Status::stall);
  EXPECT_TRUE(s.d.halted(0x02));
  // The CBW was not taken: the host does Reset Recovery (BOT 1.0 §5.3.4).
  EXPECT_EQ(req(s.d, 0x21, kBulkOnlyMassStorageReset, 0, 0, 0).status, Status::ack);
  clear_halt(s.d, 0x81);
  clear_halt(s.d, 0x02);
  EXPECT_EQ(s.d.bot().commands(), 0u);
  // A stall in the data-out phase: the data is refused, the CSW says Failed.
  auto w1 = cbw(6, 4096, false, rw10(scsi::kWrite10, 0, 8)).bytes();
  EXPECT_EQ(s.d.out(2, w1).status, Status::ack);
  s.d.inject_stall_next(1, StallPipe::out);
  EXPECT_EQ(s.d.out(2, pattern(4096, 2)).status, Status::stall);
  clear_halt(s.d, 0x02);
  const Csw csw = parse_csw(s.d.in(1, 13).data);
  EXPECT_EQ(csw.status, kCswFailed);
  EXPECT_EQ(csw.residue, 4096u);
  auto r = bot(s.d, 7, rw10(scsi::kRead10, 0, 8), 4096, true);
  EXPECT_EQ(r.data, std::vector<std::uint8_t>(4096, 0));  // nothing was written
}

TEST(UsbStorageFaults, StalledCswIsSentOnTheSecondTry) {
  Stick s;
  s.d.inject_stall_next(1, StallPipe::in);
  EXPECT_EQ(s.d.out(2, cbw(8, 0, false, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}).bytes()).status, Status::ack);
  EXPECT_EQ(s.d.in(1, 13).status, Status::stall);  // the CSW
  clear_halt(s.d, 0x81);
  const Csw csw = parse_csw(s.d.in(1, 13).data);
  EXPECT_EQ(csw.tag, 8u);
  EXPECT_EQ(csw.status, kCswPassed);
}

TEST(UsbStorageFaults, NakedInDoesNotTakeTheStall) {
  Stick s;
  s.d.inject_stall_next(1, StallPipe::both);
  EXPECT_EQ(s.d.in(1, 13).status, Status::nak);  // no CBW yet: nothing would move
  EXPECT_EQ(s.d.out(2, cbw(9, 0, false, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}).bytes()).status, Status::stall);
}

TEST(UsbStorageFaults, BadCswSignatureAndTag) {
  Stick s;
  s.d.inject_bad_csw(1, BadCswField::signature);
  auto a = bot(s.d, 10, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
  EXPECT_NE(a.csw.signature, kCswSignature);
  EXPECT_EQ(a.csw.tag, 10u);
  s.d.inject_bad_csw(1, BadCswField::tag);
  auto b = bot(s.d, 11, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
  EXPECT_EQ(b.csw.signature, kCswSignature);
  EXPECT_NE(b.csw.tag, 11u);
  auto c = bot(s.d, 12, {scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);  // one each: back to normal
  EXPECT_EQ(c.csw.signature, kCswSignature);
  EXPECT_EQ(c.csw.tag, 12u);
  EXPECT_EQ(s.d.faults().corrupted, 2u);
}
