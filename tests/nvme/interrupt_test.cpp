// Interrupts (§7.5): one MSI-X vector per CQ, coalescing (Feature 08h) by
// threshold and by time, per-vector opt-out (Feature 09h), the Admin CQ never
// coalesced, the MSI fallback with INTMS/INTMC, and INTx.
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
unsigned count_vector(const Machine& m, unsigned v) {
  unsigned n = 0;
  for (const auto& i : m.irqs) n += i.vector == kVectorBase + v;
  return n;
}
// Submits `n` 4 KiB reads to `q` with one doorbell and consumes all completions.
void burst(Machine& m, HostQueue& q, unsigned n) {
  const auto buf = m.alloc(4096);
  for (unsigned i = 0; i < n; ++i) m.push(q, Machine::rw_cmd(io::kRead, 1, 8 * i, 8, buf), false);
  m.ring(q);
  for (unsigned i = 0; i < n; ++i) ASSERT_TRUE(m.wait_cqe(q, sim::ms(5), false).has_value());
  m.wr(m.cq_doorbell(q.qid), q.cq_head);
}
}  // namespace

TEST(NvmeInterrupts, EachCqSignalsItsOwnMsixVector) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& a = m.create_io(1, 16, 3);
    auto& b = m.create_io(2, 16, 5);
    m.irqs.clear();
    EXPECT_TRUE(is(m.command(a, Machine::flush_cmd(1)), kSuccess));
    sc_core::wait(sim::to_sc(sim::us(5)));
    EXPECT_EQ(count_vector(m, 3), 1u);
    EXPECT_TRUE(is(m.command(b, Machine::flush_cmd(1)), kSuccess));
    sc_core::wait(sim::to_sc(sim::us(5)));
    EXPECT_EQ(count_vector(m, 5), 1u);
    EXPECT_EQ(m.irqs.size(), 2u);
    // A CQ created with interrupts disabled raises none.
    auto& c = m.create_io(3, 16, 6, /*ien=*/false);
    m.irqs.clear();
    EXPECT_TRUE(is(m.command(c, Machine::flush_cmd(1)), kSuccess));
    sc_core::wait(sim::to_sc(sim::us(5)));
    EXPECT_TRUE(m.irqs.empty());
  });
}

TEST(NvmeInterrupts, CoalescingByThreshold) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 64, 1);
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kInterruptCoalescing, 3 | (100u << 8))), kSuccess));
    m.irqs.clear();
    burst(m, q, 16);  // 16 completions, 4 per interrupt (THR = 3, 0's based)
    sc_core::wait(sim::to_sc(sim::us(20)));
    EXPECT_EQ(count_vector(m, 1), 4u);
  });
}

TEST(NvmeInterrupts, CoalescingByTimeAndAdminNeverCoalesced) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 64, 1);
    // Threshold 8 completions, time 2 x 100 us.
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kInterruptCoalescing, 7 | (2u << 8))), kSuccess));
    m.irqs.clear();
    m.irq_times.clear();
    m.push(q, Machine::flush_cmd(1));
    // The CQE is posted early; the interrupt waits for the aggregation time.
    sc_core::wait(sim::to_sc(sim::us(50)));
    const sim::Picos posted_by = sim::now();
    ASSERT_TRUE(m.peek(q).has_value());
    EXPECT_TRUE(m.irqs.empty());
    sc_core::wait(sim::to_sc(sim::us(300)));
    ASSERT_EQ(count_vector(m, 1), 1u);
    EXPECT_GE(m.irq_times[0], posted_by + sim::us(150) - sim::us(50));
    EXPECT_LE(m.irq_times[0], posted_by + sim::us(201));
    m.pop(q);
    // Admin completions interrupt at once even with coalescing on.
    m.irqs.clear();
    m.push(m.admin, Machine::features_cmd(false, feature::kArbitration, 0));
    sc_core::wait(sim::to_sc(sim::us(30)));
    EXPECT_EQ(count_vector(m, 0), 1u);
    m.pop(m.admin);
  });
}

TEST(NvmeInterrupts, CoalescingDisableBitPerVector) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 64, 1);
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kInterruptCoalescing, 7 | (10u << 8))), kSuccess));
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kInterruptVectorConfig, 1 | (1u << 16))), kSuccess));
    m.irqs.clear();
    m.push(q, Machine::flush_cmd(1));
    sc_core::wait(sim::to_sc(sim::us(30)));
    EXPECT_EQ(count_vector(m, 1), 1u);  // not held for 1 ms
  });
}

TEST(NvmeInterrupts, MsiFallbackWithInterruptMask) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    const std::uint16_t msi = m.cap_offset(pci::kCapIdMsi);
    ASSERT_NE(msi, 0u);
    m.cfg_write(msi + pci::kMsiMessageAddress, pci::InterruptController::message_address(0));
    m.cfg_write(msi + pci::kMsiMessageAddress + 4, 0);
    m.cfg_write(msi + pci::kMsiMessageAddress + 8, 0x40, 2);  // data (64-bit form)
    m.cfg_write(msi + pci::kMsiMessageControl, pci::kMsiControlEnable, 2);  // one vector
    ASSERT_TRUE(m.enable_controller());
    m.irqs.clear();
    const auto buf = m.alloc(4096);
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kController, 0, buf)), kSuccess));
    sc_core::wait(sim::to_sc(sim::us(5)));
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].vector, 0x40u);
    // Masked with INTMS: no message; INTMC releases it while the entry is unconsumed.
    m.wr(reg::kIntms, 1);
    EXPECT_EQ(m.rd(reg::kIntmc), 1u);
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, buf));
    sc_core::wait(sim::to_sc(sim::us(50)));
    ASSERT_TRUE(m.peek(m.admin).has_value());
    EXPECT_EQ(m.irqs.size(), 1u);
    m.wr(reg::kIntmc, 1);
    sc_core::wait(sim::to_sc(sim::us(5)));
    EXPECT_EQ(m.irqs.size(), 2u);
    EXPECT_EQ(m.rd(reg::kIntms), 0u);
  });
}

TEST(NvmeInterrupts, IntxLevelFollowsUnconsumedEntries) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    ASSERT_TRUE(m.enable_controller());
    const auto buf = m.alloc(4096);
    auto intx = [&] { return (m.cfg_read(pci::kStatus, 2) & pci::kStatusInterrupt) != 0; };
    EXPECT_FALSE(intx());
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, buf));
    sc_core::wait(sim::to_sc(sim::us(50)));
    EXPECT_TRUE(intx());
    m.wr(reg::kIntms, 1);  // masked: deasserted
    EXPECT_FALSE(intx());
    m.wr(reg::kIntmc, 1);
    EXPECT_TRUE(intx());
    ASSERT_TRUE(m.pop(m.admin).has_value());  // head doorbell: nothing unconsumed
    sc_core::wait(sim::to_sc(sim::us(2)));
    EXPECT_FALSE(intx());
  });
}
