#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "storage_rig.hpp"

using namespace xhcitest;
using CC = CompletionCode;
namespace scsi = usb::scsi;

TEST(XhciStorage, EveryScsiCommandOverBot) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    auto ok = [&](std::vector<std::uint8_t> cdb, std::uint32_t len, bool in) {
      auto res = r.scsi(std::move(cdb), len, in);
      EXPECT_EQ(res.csw_signature, usb::kCswSignature);
      EXPECT_EQ(res.csw_tag, r.tag - 1);
      return res;
    };
    EXPECT_EQ(ok({scsi::kInquiry, 0, 0, 0, 36, 0}, 36, true).csw_status, usb::kCswPassed);
    EXPECT_EQ(ok({scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false).csw_status, usb::kCswPassed);
    EXPECT_EQ(ok({scsi::kReadCapacity10, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 8, true).csw_status, usb::kCswPassed);
    std::uint8_t cap[8];
    r.m.mem.read(r.buf, cap, 8);
    EXPECT_EQ((cap[0] << 24 | cap[1] << 16 | cap[2] << 8 | cap[3]) + 1, (64 << 20) / 512);
    std::vector<std::uint8_t> rc16(16, 0);
    rc16[0] = scsi::kServiceActionIn16;
    rc16[1] = scsi::kSaReadCapacity16;
    rc16[13] = 32;
    EXPECT_EQ(ok(rc16, 32, true).csw_status, usb::kCswPassed);
    EXPECT_EQ(ok({scsi::kModeSense6, 0, 0x3F, 0, 192, 0}, 192, true).csw_residue, 192u - 32u);
    EXPECT_EQ(ok({scsi::kModeSense10, 0, 0x3F, 0, 0, 0, 0, 0, 192, 0}, 192, true).csw_status, usb::kCswPassed);
    EXPECT_EQ(ok({scsi::kSynchronizeCache10, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, false).csw_status, usb::kCswPassed);
    // Write(10)/Read(10) and Write(16)/Read(16) round trips.
    std::vector<std::uint8_t> data(8192);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
    r.m.mem.write(r.buf, data.data(), data.size());
    EXPECT_EQ(ok(rw10(scsi::kWrite10, 1000, 16), 8192, false).csw_status, usb::kCswPassed);
    std::vector<std::uint8_t> w16(16, 0);
    w16[0] = scsi::kWrite16;
    w16[9] = 200;
    w16[13] = 16;
    EXPECT_EQ(ok(w16, 8192, false).csw_status, usb::kCswPassed);
    std::vector<std::uint8_t> zero(8192, 0), back(8192);
    r.m.mem.write(r.buf, zero.data(), zero.size());
    EXPECT_EQ(ok(rw10(scsi::kRead10, 1000, 16), 8192, true).csw_status, usb::kCswPassed);
    r.m.mem.read(r.buf, back.data(), back.size());
    EXPECT_EQ(back, data);
    r.m.mem.write(r.buf, zero.data(), zero.size());
    w16[0] = scsi::kRead16;
    EXPECT_EQ(ok(w16, 8192, true).csw_status, usb::kCswPassed);
    r.m.mem.read(r.buf, back.data(), back.size());
    EXPECT_EQ(back, data);
    // Errors: CHECK CONDITION, then REQUEST SENSE.
    auto bad = ok({0xC7, 0, 0, 0, 0, 0}, 0, false);
    EXPECT_EQ(bad.csw_status, usb::kCswFailed);
    EXPECT_EQ(ok({scsi::kRequestSense, 0, 0, 0, 18, 0}, 18, true).csw_status, usb::kCswPassed);
    std::uint8_t sense[18];
    r.m.mem.read(r.buf, sense, 18);
    EXPECT_EQ(sense[0], 0x70);
    EXPECT_EQ(sense[2], scsi::kSenseIllegalRequest);
    EXPECT_EQ(sense[12], 0x20);
    auto oor = ok(rw10(scsi::kRead10, 0x00F0'0000, 1), 512, true);  // data-in STALLs (case 4)
    EXPECT_EQ(oor.data_cc, CC::stall_error);
    EXPECT_EQ(oor.csw_status, usb::kCswFailed);
    EXPECT_EQ(oor.csw_residue, 512u);
    ok({scsi::kRequestSense, 0, 0, 0, 18, 0}, 18, true);
    r.m.mem.read(r.buf, sense, 18);
    EXPECT_EQ(sense[12], 0x21);
    EXPECT_EQ(ok({scsi::kInquiry, 0, 0x80, 0, 36, 0}, 36, true).data_cc, CC::stall_error);
    ok({scsi::kRequestSense, 0, 0, 0, 18, 0}, 18, true);
    r.m.mem.read(r.buf, sense, 18);
    EXPECT_EQ(sense[12], 0x24);  // INVALID FIELD IN CDB
    EXPECT_EQ(ok(rw10(scsi::kRead10, 0, 2), 512, true).csw_status, usb::kCswPhaseError);  // Hi < Di
  });
}

TEST(XhciStorage, InvalidCbwStallsAndResetRecoveryRestoresService) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    std::vector<std::uint8_t> junk(31, 0x55);
    r.m.mem.write(r.cbw_buf, junk.data(), junk.size());
    EXPECT_EQ(r.m.bulk(r.d, false, r.cbw_buf, 31).cc(), CC::success);
    EXPECT_EQ(r.m.bulk(r.d, true, r.csw_buf, 13).cc(), CC::stall_error);
    // Reset Recovery (BOT §5.3.4).
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x21, usb::kBulkOnlyMassStorageReset, 0, 0, 0}, 0).cc(),
              CC::success);
    r.recover(3);  // the IN endpoint halted on the controller too
    // The CBW's OUT transfer completed: only the device's halt needs clearing.
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x02, usb::kClearFeature, usb::kFeatureEndpointHalt, 0x02, 0}, 0).cc(),
              CC::success);
    const std::uint64_t b = r.m.alloc(8);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0xA1, usb::kGetMaxLun, 0, 0, 1}, b).cc(), CC::success);
    auto res = r.scsi({scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
    EXPECT_EQ(res.csw_status, usb::kCswPassed);
  });
}

namespace {
double read_throughput(usb::Speed speed, std::uint32_t chunk, unsigned commands) {
  StorageRig r(speed);
  double mbps = 0;
  r.m.run([&] {
    r.bring_up();
    const sim::Picos t0 = sim::now();
    for (unsigned i = 0; i < commands; ++i) {
      auto res = r.scsi(rw10(scsi::kRead10, i * (chunk / 512), static_cast<std::uint16_t>(chunk / 512)), chunk, true);
      ASSERT_EQ(res.csw_status, usb::kCswPassed);
    }
    const double secs = static_cast<double>(sim::now() - t0) / 1e12;
    mbps = static_cast<double>(chunk) * commands / secs / 1e6;
  });
  return mbps;
}
}  // namespace

TEST(XhciStorage, SequentialReadThroughputHighSpeedAndSuperSpeed) {
  const double hs = read_throughput(usb::Speed::high, 64 * 1024, 32);
  const double ss = read_throughput(usb::Speed::super, 64 * 1024, 64);
  const double ss128 = read_throughput(usb::Speed::super, 96 * 1024, 32);  // one TRB holds < 128 KiB
  std::printf("[ throughput ] high speed, 64 KiB READ(10): %.1f MB/s\n", hs);
  std::printf("[ throughput ] SuperSpeed, 64 KiB READ(10): %.1f MB/s\n", ss);
  std::printf("[ throughput ] SuperSpeed, 96 KiB READ(10): %.1f MB/s\n", ss128);
  EXPECT_GT(hs, 33.0);
  EXPECT_LT(hs, 42.0);
  EXPECT_GT(ss, 340.0);
  EXPECT_LT(ss, 460.0);
  EXPECT_GT(ss128, ss);
}

TEST(XhciStorage, PcapCaptureIsValidAndDecodesAsScsi) {
  const std::string path = ::testing::TempDir() + "xhci_storage.pcap";
  {
    StorageRig r;
    usb::UsbCapture cap(1);
    cap.open(path);
    r.m.hc->set_capture(&cap);
    r.m.run([&] {
      r.bring_up();
      const std::uint64_t b = r.m.alloc(256);
      r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, usb::kDescDevice << 8, 0, 18}, b);
      r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, usb::kDescConfiguration << 8, 0, 32}, b);
      r.scsi({scsi::kInquiry, 0, 0, 0, 36, 0}, 36, true);
      r.scsi(rw10(scsi::kWrite10, 8, 8), 4096, false);
      r.scsi(rw10(scsi::kRead10, 8, 8), 4096, true);
    });
    EXPECT_GE(cap.records(), 2u * 12);
  }
  std::ifstream f(path, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GE(b.size(), 24u);
  std::uint32_t magic = 0, linktype = 0;
  std::memcpy(&magic, b.data(), 4);
  std::memcpy(&linktype, b.data() + 20, 4);
  EXPECT_EQ(magic, 0xA1B2C3D4u);
  EXPECT_EQ(linktype, 220u);
  // Walk the records: each is a 16-byte header, then a 64-byte usbmon header and data.
  std::size_t off = 24, records = 0, submits = 0, completes = 0;
  std::uint32_t last_sec = 0;
  while (off + 16 <= b.size()) {
    std::uint32_t sec = 0, caplen = 0, len = 0;
    std::memcpy(&sec, b.data() + off, 4);
    std::memcpy(&caplen, b.data() + off + 8, 4);
    std::memcpy(&len, b.data() + off + 12, 4);
    ASSERT_EQ(caplen, len);
    ASSERT_GE(caplen, 64u);
    ASSERT_LE(off + 16 + caplen, b.size());
    const std::uint8_t* h = b.data() + off + 16;
    std::uint32_t len_cap = 0;
    std::memcpy(&len_cap, h + 36, 4);
    EXPECT_EQ(len_cap + 64, caplen);
    submits += h[8] == 'S';
    completes += h[8] == 'C';
    EXPECT_GE(sec, last_sec);
    last_sec = sec;
    off += 16 + caplen;
    ++records;
  }
  EXPECT_EQ(off, b.size());
  EXPECT_EQ(submits, completes);
  EXPECT_GE(records, 24u);
  if (std::system("command -v tshark > /dev/null 2>&1") != 0) {
    std::printf("tshark not installed: skipping the decode check (add tshark to tools/packages.txt)\n");
    return;
  }
  const std::string out = path + ".txt";
  const std::string cmd = "tshark -r " + path + " -Y scsi -T fields -e scsi_sbc.opcode > " + out + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream t(out);
  const std::string text((std::istreambuf_iterator<char>(t)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("0x28"), std::string::npos) << text;  // READ(10)
  EXPECT_NE(text.find("0x2a"), std::string::npos) << text;  // WRITE(10)
  std::remove(out.c_str());
  std::remove(path.c_str());
}
