#include "storage_rig.hpp"

using namespace xhcitest;
using CC = CompletionCode;

TEST(XhciTransfers, BulkChainWithShortPacketReportsIspAndIoc) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    // INQUIRY into a 3-TRB chain of 100 bytes each: 36 bytes arrive.
    usb::Cbw c;
    c.tag = 77;
    c.data_transfer_length = 300;
    c.flags = usb::kCbwFlagDataIn;
    c.cb_length = 6;
    c.cb[0] = usb::scsi::kInquiry;
    c.cb[4] = 255;
    const auto bytes = c.bytes();
    r.m.mem.write(r.cbw_buf, bytes.data(), bytes.size());
    ASSERT_EQ(r.m.bulk(r.d, false, r.cbw_buf, 31).cc(), CC::success);
    std::uint64_t addrs[3];
    for (int i = 0; i < 3; ++i) {
      Trb t;
      t.set_parameter(r.buf + 100ULL * static_cast<unsigned>(i));
      t.d[2] = 100;
      t.set_type(TrbType::normal);
      t.d[3] |= kTrbIsp | (i < 2 ? kTrbChain : kTrbIoc);
      addrs[i] = r.m.push(r.d.bulk_in, t);
    }
    r.m.wr(kDb + 4ULL * r.d.slot, 3);
    auto e1 = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e1);
    EXPECT_EQ(e1->cc(), CC::short_packet);
    EXPECT_EQ(e1->pointer(), addrs[0]);
    EXPECT_EQ(e1->length(), 64u);
    auto e2 = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e2);
    EXPECT_EQ(e2->cc(), CC::short_packet);
    EXPECT_EQ(e2->pointer(), addrs[2]);
    std::uint8_t inq[36];
    r.m.mem.read(r.buf, inq, 36);
    EXPECT_EQ(inq[2], 0x06);
    const Event se = r.m.bulk(r.d, true, r.csw_buf, 13);
    EXPECT_EQ(se.cc(), CC::success);
    std::uint32_t residue = 0;
    r.m.mem.read(r.csw_buf + 8, &residue, 4);
    EXPECT_EQ(residue, 300u - 36u);
  });
}

TEST(XhciTransfers, TransferRingWrapsManyTimes) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    for (int i = 0; i < 60; ++i) {  // 3 TDs per command over 64-entry rings
      auto res = r.scsi({usb::scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
      ASSERT_EQ(res.csw_status, usb::kCswPassed);
      ASSERT_EQ(res.csw_tag, r.tag - 1);
    }
    EXPECT_GT(r.d.bulk_out.cycle + r.d.bulk_in.cycle, -1);
  });
  EXPECT_EQ(r.m.trace.count(sim::Severity::warn), 0u);
}

TEST(XhciTransfers, MalformedTrbIsATrbError) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    Trb bad;
    bad.set_type(TrbType::setup_stage);  // not allowed on a bulk ring
    bad.d[3] |= kTrbIoc;
    const std::uint64_t a = r.m.push(r.d.bulk_out, bad);
    r.m.wr(kDb + 4ULL * r.d.slot, 4);
    auto e = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::trb_error);
    EXPECT_EQ(e->pointer(), a);
    EXPECT_EQ(r.m.out_ep(r.d, 4).ep_state, EpState::halted);
    // A Link TRB pointing at itself forever: also a TRB Error, never a hang.
    r.recover(4);
    Trb link;
    link.set_type(TrbType::link);
    const std::uint64_t la = r.d.bulk_out.base + 16ULL * r.d.bulk_out.index;
    link.set_parameter(la);
    r.m.push(r.d.bulk_out, link);
    r.m.wr(kDb + 4ULL * r.d.slot, 4);
    e = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::trb_error);
  });
  EXPECT_GE(r.m.trace.count(sim::Severity::warn), 2u);
}

TEST(XhciTransfers, DataBufferOutsideMemoryIsAHostSystemError) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    Trb t;
    t.set_parameter(0x7F00'0000'0000ULL);  // nowhere
    t.d[2] = 31;
    t.set_type(TrbType::normal);
    t.d[3] |= kTrbIoc;
    r.m.push(r.d.bulk_out, t);
    r.m.wr(kDb + 4ULL * r.d.slot, 4);
    r.m.wait(sim::us(50));
    EXPECT_EQ(r.m.rd(kOp + kUsbSts) & (kStsHse | kStsHch), kStsHse | kStsHch);
  });
  EXPECT_EQ(r.m.hc->host_system_errors(), 1u);
}

TEST(XhciTransfers, DoorbellForBadTargetsIsIgnoredWithAWarning) {
  Machine m;
  m.run([&] {
    m.init();
    m.wr(kDb + 4 * 9, 3);  // slot 9 not enabled
    m.wr(kDb, 5);          // host doorbell with a target
    m.wait(sim::us(5));
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 2u);
}
