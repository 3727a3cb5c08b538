// Admin commands (§5) and their error statuses.
#include <cstring>
#include <string>

#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
template <class T>
T at(const std::vector<std::uint8_t>& v, std::size_t off) {
  T x{};
  std::memcpy(&x, v.data() + off, sizeof x);
  return x;
}
std::string ascii(const std::vector<std::uint8_t>& v, std::size_t off, std::size_t n) {
  return std::string(v.begin() + static_cast<std::ptrdiff_t>(off), v.begin() + static_cast<std::ptrdiff_t>(off + n));
}
}  // namespace

TEST(NvmeAdmin, IdentifyController) {
  auto p = default_params();
  p.serial = "SN-42";
  p.model = "Model X";
  p.firmware = "FW7";
  Machine m(p);
  m.run([&] {
    m.bring_up();
    const auto buf = m.alloc(4096);
    const Cqe c = m.admin_cmd(Machine::identify_cmd(cns::kController, 0, buf));
    ASSERT_TRUE(is(c, kSuccess));
    EXPECT_EQ(c.sqid, 0u);
    EXPECT_EQ(c.sqhd, 1u);
    const auto d = m.bytes(buf, 4096);
    EXPECT_EQ(at<std::uint16_t>(d, 0), 0x1234u);
    EXPECT_EQ(ascii(d, 4, 20), "SN-42" + std::string(15, ' '));
    EXPECT_EQ(ascii(d, 24, 8), "Model X ");
    EXPECT_EQ(ascii(d, 64, 8), "FW7     ");
    EXPECT_EQ(d[77], 7u);                           // MDTS
    EXPECT_EQ(at<std::uint32_t>(d, 80), 0x10400u);  // VER
    EXPECT_EQ(d[259], 3u);                          // AERL
    EXPECT_EQ(d[512], 0x66u);                       // SQES
    EXPECT_EQ(d[513], 0x44u);                       // CQES
    EXPECT_EQ(at<std::uint32_t>(d, 516), 2u);       // NN
    EXPECT_EQ(at<std::uint16_t>(d, 520), 0x0Cu);    // ONCS: DSM, Write Zeroes
    EXPECT_EQ(d[525] & 1, 1u);                      // VWC present
  });
}

TEST(NvmeAdmin, IdentifyNamespacesAndActiveList) {
  auto p = default_params();
  p.namespaces = {NamespaceParams{1, 1ULL << 20, 512, {}}, NamespaceParams{5, 8ULL << 20, 4096, {}}};
  Machine m(p);
  m.run([&] {
    m.bring_up();
    const auto buf = m.alloc(4096);
    ASSERT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, 1, buf)), kSuccess));
    auto d = m.bytes(buf, 4096);
    EXPECT_EQ(at<std::uint64_t>(d, 0), 2048u);  // NSZE in 512-byte blocks
    EXPECT_EQ((at<std::uint32_t>(d, 128) >> 16) & 0xFF, 9u);  // LBADS
    EXPECT_EQ(d[33] & 0x7, 1u);  // DLFEAT: deallocated blocks read zeros
    ASSERT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, 5, buf)), kSuccess));
    d = m.bytes(buf, 4096);
    EXPECT_EQ(at<std::uint64_t>(d, 0), 2048u);  // 8 MiB in 4 KiB blocks
    EXPECT_EQ((at<std::uint32_t>(d, 128) >> 16) & 0xFF, 12u);
    // An inactive NSID in range: zeros. 0, beyond NN, broadcast: Invalid Namespace or Format.
    m.fill(buf, 4096, 7);
    ASSERT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, 3, buf)), kSuccess));
    EXPECT_EQ(m.bytes(buf, 4096), std::vector<std::uint8_t>(4096, 0));
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, 0, buf)), kInvalidNamespace));
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, 6, buf)), kInvalidNamespace));
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kNamespace, kBroadcastNsid, buf)), kInvalidNamespace));
    // Active NSID list after NSID 0 and after NSID 1.
    ASSERT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kActiveNamespaceList, 0, buf)), kSuccess));
    d = m.bytes(buf, 12);
    EXPECT_EQ(at<std::uint32_t>(d, 0), 1u);
    EXPECT_EQ(at<std::uint32_t>(d, 4), 5u);
    EXPECT_EQ(at<std::uint32_t>(d, 8), 0u);
    ASSERT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kActiveNamespaceList, 1, buf)), kSuccess));
    EXPECT_EQ(at<std::uint32_t>(m.bytes(buf, 4), 0), 5u);
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kActiveNamespaceList, 0xFFFFFFFE, buf)), kInvalidNamespace));
    const Cqe bad = m.admin_cmd(Machine::identify_cmd(0x55, 0, buf));
    EXPECT_TRUE(is(bad, kInvalidField));
    EXPECT_TRUE(dnr_of(bad));
  });
}

TEST(NvmeAdmin, CreateQueueErrors) {
  Machine m;
  m.run([&] {
    m.bring_up();
    const auto base = m.alloc(64 * 4096);
    auto cq = [&](std::uint16_t qid, std::uint32_t n, std::uint16_t iv, bool pc = true, std::uint64_t b = 0) {
      return m.admin_cmd(Machine::create_cq_cmd(qid, n, b ? b : base, iv, true, pc));
    };
    EXPECT_TRUE(is(cq(0, 16, 1), kInvalidQueueIdentifier));
    EXPECT_TRUE(is(cq(65, 16, 1), kInvalidQueueIdentifier));  // max_io_queues = 64
    EXPECT_TRUE(is(cq(1, 1, 1), kInvalidQueueSize));          // QSIZE 0 (one entry)
    EXPECT_TRUE(is(cq(1, 4097, 1), kInvalidQueueSize));       // beyond MQES
    EXPECT_TRUE(is(cq(1, 16, 17), kInvalidInterruptVector));  // 17 MSI-X vectors
    EXPECT_TRUE(is(cq(1, 16, 1, false), kInvalidField));      // CAP.CQR: contiguous only
    EXPECT_TRUE(is(cq(1, 16, 1, true, base + 0x100), kInvalidPrpOffset));
    EXPECT_TRUE(is(cq(1, 16, 1), kSuccess));
    EXPECT_TRUE(is(cq(1, 16, 1), kInvalidQueueIdentifier));   // exists
    const auto sqb = m.alloc(64 * 64);
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb, 0)), kCompletionQueueInvalid));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb, 2)), kCompletionQueueInvalid));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(0, 16, sqb, 1)), kInvalidQueueIdentifier));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 70000 & 0xFFFF, sqb, 1)), kInvalidQueueSize));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb, 1, false)), kInvalidField));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb + 64, 1)), kInvalidPrpOffset));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb, 1)), kSuccess));
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 16, sqb, 1)), kInvalidQueueIdentifier));
  });
  EXPECT_GT(m.ctrl->error_count(), 10u);
}

TEST(NvmeAdmin, DeleteQueueErrorsAndOrder) {
  Machine m;
  m.run([&] {
    m.bring_up();
    m.create_io(1, 16, 1);
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoCq, 1)), kInvalidQueueDeletion));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoCq, 0)), kInvalidQueueIdentifier));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoSq, 0)), kInvalidQueueIdentifier));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoSq, 2)), kInvalidQueueIdentifier));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoSq, 1)), kSuccess));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoCq, 1)), kSuccess));
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoCq, 1)), kInvalidQueueIdentifier));
  });
}

TEST(NvmeAdmin, NumberOfQueuesFeature) {
  Machine m;
  m.run([&] {
    m.bring_up();
    Cqe c = m.admin_cmd(Machine::features_cmd(false, feature::kNumberOfQueues, 0));
    EXPECT_EQ(c.dw0, (63u << 16) | 63u);
    c = m.admin_cmd(Machine::features_cmd(true, feature::kNumberOfQueues, (1u << 16) | 3u));  // 4 SQs, 2 CQs
    ASSERT_TRUE(is(c, kSuccess));
    EXPECT_EQ(c.dw0, (1u << 16) | 3u);
    EXPECT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kNumberOfQueues, 0xFFFF)), kInvalidField));
    const auto b = m.alloc(4096);
    EXPECT_TRUE(is(m.admin_cmd(Machine::create_cq_cmd(3, 16, b, 1)), kInvalidQueueIdentifier));  // only 2 CQs
    m.create_io(1, 16, 1);
    EXPECT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kNumberOfQueues, 0)), kCommandSequenceError));
  });
}

TEST(NvmeAdmin, FeaturesRoundTripAndErrors) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto set = [&](std::uint8_t fid, std::uint32_t v, std::uint32_t extra = 0) {
      return m.admin_cmd(Machine::features_cmd(true, fid, v, extra));
    };
    auto get = [&](std::uint8_t fid, std::uint32_t v = 0, std::uint32_t sel = 0) {
      return m.admin_cmd(Machine::features_cmd(false, fid, v, sel << 8));
    };
    EXPECT_TRUE(is(set(feature::kArbitration, 0x00010203), kSuccess));
    EXPECT_EQ(get(feature::kArbitration).dw0, 0x00010203u);
    EXPECT_EQ(get(feature::kArbitration, 0, 1).dw0, 0x7u);  // default
    EXPECT_TRUE(is(set(feature::kInterruptCoalescing, 0x0A05), kSuccess));
    EXPECT_EQ(get(feature::kInterruptCoalescing).dw0, 0x0A05u);
    EXPECT_TRUE(is(set(feature::kVolatileWriteCache, 0), kSuccess));
    EXPECT_EQ(get(feature::kVolatileWriteCache).dw0, 0u);
    EXPECT_TRUE(is(set(feature::kInterruptVectorConfig, 3 | (1u << 16)), kSuccess));
    EXPECT_EQ(get(feature::kInterruptVectorConfig, 3).dw0, 3u | (1u << 16));
    EXPECT_TRUE(is(get(feature::kInterruptVectorConfig, 17), kInvalidField));
    EXPECT_TRUE(is(set(feature::kTemperatureThreshold, 350 | (1u << 20)), kSuccess));  // under-temperature
    EXPECT_EQ(get(feature::kTemperatureThreshold, 1u << 20).dw0, 350u);
    EXPECT_EQ(get(feature::kTemperatureThreshold, 0).dw0, 343u);
    EXPECT_TRUE(is(set(feature::kPowerManagement, 1), kInvalidField));  // only PS 0
    EXPECT_TRUE(is(set(feature::kArbitration, 0, 1u << 31), kFeatureNotSaveable));
    EXPECT_TRUE(is(set(0x7E, 0), kInvalidField));
    EXPECT_TRUE(is(get(0x7E), kInvalidField));
    EXPECT_EQ(get(feature::kArbitration, 0, 3).dw0, 0x4u);  // capabilities: changeable, not saveable
    EXPECT_TRUE(is(get(feature::kArbitration, 0, 4), kInvalidField));
    Sqe s = Machine::features_cmd(true, feature::kArbitration, 0);
    s.nsid = 1;
    EXPECT_TRUE(is(m.admin_cmd(s), kFeatureNotNamespaceSpecific));
    // A reset restores the defaults.
    m.reset_controller();
    ASSERT_TRUE(m.enable_controller());
    EXPECT_EQ(get(feature::kInterruptCoalescing).dw0, 0u);
    EXPECT_EQ(get(feature::kVolatileWriteCache).dw0, 1u);
  });
}

TEST(NvmeAdmin, ErrorAndSmartLogPages) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto buf = m.alloc(8192);
    // One failing I/O command: LBA out of range.
    const Cqe bad = m.command(q, Machine::rw_cmd(io::kRead, 1, (64ULL << 20) / 512, 1, buf));
    ASSERT_TRUE(is(bad, kLbaOutOfRange));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, buf)), kSuccess));
    ASSERT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kErrorInformation, 16, buf)), kSuccess));
    auto e = m.bytes(buf, 64);
    EXPECT_EQ(at<std::uint64_t>(e, 0), m.ctrl->error_count());  // newest entry first
    EXPECT_EQ(at<std::uint16_t>(e, 8), 1u);                      // SQID
    EXPECT_EQ(at<std::uint16_t>(e, 10), bad.cid);
    EXPECT_EQ(at<std::uint16_t>(e, 12), bad.status & 0xFFFE);
    EXPECT_EQ(at<std::uint64_t>(e, 16), (64ULL << 20) / 512);    // LBA
    EXPECT_EQ(at<std::uint32_t>(e, 24), 1u);                     // NSID
    ASSERT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kSmartHealth, 128, buf)), kSuccess));
    auto s = m.bytes(buf, 512);
    EXPECT_EQ(at<std::uint64_t>(s, 64), 1u);  // Host Read Commands
    EXPECT_EQ(at<std::uint64_t>(s, 32), 1u);  // Data Units Read: 4 KiB rounds up to one unit
    EXPECT_EQ(at<std::uint64_t>(s, 176), m.ctrl->error_count());
    // A part of the page via the offset; beyond it is zero.
    ASSERT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kSmartHealth, 2, buf, true, 64)), kSuccess));
    EXPECT_EQ(at<std::uint64_t>(m.bytes(buf, 8), 0), 1u);
    EXPECT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(0x7F, 16, buf)), kInvalidLogPage));
    EXPECT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kSmartHealth, 16, buf, false, 2)), kInvalidField));
    EXPECT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kSmartHealth, 16, buf, false, 4096)), kInvalidField));
  });
}

TEST(NvmeAdmin, InvalidOpcodesAndFields) {
  Machine m;
  m.run([&] {
    m.bring_up();
    Sqe s{};
    s.opcode = 0x80;  // Format NVM: not supported
    const Cqe c = m.admin_cmd(s);
    EXPECT_TRUE(is(c, kInvalidOpcode));
    EXPECT_TRUE(dnr_of(c));
    s.opcode = 0x7F;
    EXPECT_TRUE(is(m.admin_cmd(s), kInvalidOpcode));
    Sqe id = Machine::identify_cmd(cns::kController, 0, m.alloc(4096));
    id.flags = 0x40;  // PSDT: SGL
    EXPECT_TRUE(is(m.admin_cmd(id), kInvalidField));
    id.flags = 0x01;  // fused
    EXPECT_TRUE(is(m.admin_cmd(id), kInvalidField));
  });
}

TEST(NvmeAdmin, AsyncEventReportsInvalidDoorbellsUntilLogRead) {
  Machine m;
  m.run([&] {
    m.bring_up();
    Sqe aer{};
    aer.opcode = admin::kAsyncEventRequest;
    const std::uint16_t cid = m.push(m.admin, aer);
    sc_core::wait(sim::to_sc(sim::us(50)));
    EXPECT_FALSE(m.peek(m.admin).has_value());  // outstanding
    m.wr(m.sq_doorbell(9), 1);                  // a queue that does not exist
    auto c = m.wait_cqe(m.admin);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->cid, cid);
    EXPECT_TRUE(is(*c, kSuccess));
    EXPECT_EQ(c->dw0, AsyncEvents::dw0(aer::kTypeErrorStatus, aer::kInfoInvalidDoorbellRegister, log::kErrorInformation));
    // Masked until the Error Information log is read with RAE = 0.
    const std::uint16_t cid2 = m.push(m.admin, aer);
    sc_core::wait(sim::to_sc(sim::us(50)));
    m.wr(m.sq_doorbell(0), 1000);  // beyond the admin SQ: invalid value
    EXPECT_FALSE(m.wait_cqe(m.admin, sim::us(100)).has_value());
    const auto buf = m.alloc(4096);
    ASSERT_TRUE(is(m.admin_cmd(Machine::get_log_cmd(log::kErrorInformation, 16, buf)), kSuccess));
    m.wr(m.cq_doorbell(0), 31);  // head passes entries not yet posted
    c = m.wait_cqe(m.admin);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->cid, cid2);
    EXPECT_EQ(c->dw0, AsyncEvents::dw0(aer::kTypeErrorStatus, aer::kInfoInvalidDoorbellValue, log::kErrorInformation));
  });
}

TEST(NvmeAdmin, AsyncEventRequestLimit) {
  Machine m;
  m.run([&] {
    m.bring_up();
    Sqe aer{};
    aer.opcode = admin::kAsyncEventRequest;
    for (int i = 0; i < 4; ++i) m.push(m.admin, aer);  // AERL = 3: four allowed
    const std::uint16_t extra = m.push(m.admin, aer);
    auto c = m.wait_cqe(m.admin);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->cid, extra);
    EXPECT_TRUE(is(*c, kAsyncEventLimitExceeded));
    // Abort one outstanding AER: it completes with Command Abort Requested.
    Sqe ab{};
    ab.opcode = admin::kAbort;
    ab.cdw10 = 0 | (std::uint32_t{1} << 16);  // SQ 0, CID 1
    m.push(m.admin, ab);
    auto a1 = m.wait_cqe(m.admin), a2 = m.wait_cqe(m.admin);
    ASSERT_TRUE(a1 && a2);
    EXPECT_EQ(a1->cid, 1u);
    EXPECT_TRUE(is(*a1, kAbortRequested));
    EXPECT_TRUE(is(*a2, kSuccess));
    EXPECT_EQ(a2->dw0, 0u);  // aborted
  });
}

TEST(NvmeAdmin, AbortInFlightReadAndUnknownCommand) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto buf = m.alloc(4096);
    const std::uint16_t rcid = m.push(q, Machine::rw_cmd(io::kRead, 1, 0, 8, buf));
    Sqe ab{};
    ab.opcode = admin::kAbort;
    ab.cdw10 = 1 | (std::uint32_t{rcid} << 16);
    const Cqe a = m.admin_cmd(ab);  // 10 us of admin time: the read (60 us of tR) is still in flight
    ASSERT_TRUE(is(a, kSuccess));
    EXPECT_EQ(a.dw0 & 1, 0u);
    auto r = m.wait_cqe(q);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->cid, rcid);
    EXPECT_TRUE(is(*r, kAbortRequested));
    EXPECT_FALSE(dnr_of(*r));
    ab.cdw10 = 1 | (std::uint32_t{999} << 16);
    EXPECT_EQ(m.admin_cmd(ab).dw0 & 1, 1u);  // nothing to abort
    EXPECT_FALSE(m.wait_cqe(q, sim::us(200)).has_value());  // the aborted read never completes twice
  });
}

TEST(NvmeAdmin, AbortCommandLimit) {
  Machine m;
  m.run([&] {
    m.bring_up();
    Sqe ab{};
    ab.opcode = admin::kAbort;
    ab.cdw10 = 1 | (std::uint32_t{77} << 16);
    for (int i = 0; i < 6; ++i) m.push(m.admin, ab, false);  // ACL = 3: four may be outstanding
    m.ring(m.admin);
    unsigned ok = 0, limited = 0;
    for (int i = 0; i < 6; ++i) {
      auto c = m.wait_cqe(m.admin);
      ASSERT_TRUE(c.has_value());
      ok += is(*c, kSuccess);
      limited += is(*c, kAbortCommandLimitExceeded);
    }
    EXPECT_EQ(ok, 4u);
    EXPECT_EQ(limited, 2u);
  });
}
