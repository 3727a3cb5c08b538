// Queue mechanics (§4.1, §4.6): wrap-around, the Phase Tag over many wraps,
// SQ head reporting, a full CQ, and invalid doorbell writes.
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

TEST(NvmeQueue, PhaseTagInvertsOnEveryWrapOverManyWraps) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 4, 1);  // 4 entries: a wrap every 4 commands
    const auto buf = m.alloc(4096);
    unsigned flips = 0;
    bool phase = q.phase;
    for (unsigned i = 0; i < 203; ++i) {
      const std::uint32_t expect_head = (q.sq_tail + 1) % q.sq_size;
      const Cqe c = m.command(q, Machine::rw_cmd(io::kRead, 1, i, 1, buf));
      ASSERT_TRUE(is(c, kSuccess)) << i;
      EXPECT_EQ(c.sqhd, expect_head);
      EXPECT_EQ(c.status & 1, phase ? 1 : 0);
      if (q.phase != phase) {
        ++flips;
        phase = q.phase;
      }
    }
    EXPECT_EQ(flips, 50u);  // 203 entries in a 4-entry CQ
  });
}

TEST(NvmeQueue, BatchOfCommandsWithOneDoorbellWrapsTheSq) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 8, 1);
    const auto buf = m.alloc(4096 * 8);
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 7; ++i) m.push(q, Machine::rw_cmd(io::kRead, 1, 8 * i, 8, buf + 4096 * i), false);
      m.ring(q);
      for (int i = 0; i < 7; ++i) {
        auto c = m.wait_cqe(q);
        ASSERT_TRUE(c && is(*c, kSuccess));
      }
    }
  });
}

TEST(NvmeQueue, FullCompletionQueueHoldsCompletionsUntilHeadMoves) {
  Machine m;
  m.run([&] {
    m.bring_up();
    HostQueue q;
    q.qid = 1;
    q.cq_size = 2;  // one usable entry
    q.sq_size = 8;
    q.cq_base = m.alloc(4096);
    q.sq_base = m.alloc(4096);
    ASSERT_TRUE(is(m.admin_cmd(Machine::create_cq_cmd(1, 2, q.cq_base, 1)), kSuccess));
    ASSERT_TRUE(is(m.admin_cmd(Machine::create_sq_cmd(1, 8, q.sq_base, 1)), kSuccess));
    for (int i = 0; i < 5; ++i) m.push(q, Machine::flush_cmd(1), false);
    m.ring(q);
    sc_core::wait(sim::to_sc(sim::ms(1)));
    std::vector<std::uint16_t> cids;
    for (int i = 0; i < 5; ++i) {
      // Exactly one entry is visible; the next appears only after the head doorbell.
      auto c = m.pop(q, false);
      ASSERT_TRUE(c.has_value()) << i;
      EXPECT_FALSE(m.peek(q).has_value());
      cids.push_back(c->cid);
      m.wr(m.cq_doorbell(1), q.cq_head);
      sc_core::wait(sim::to_sc(sim::us(5)));
    }
    EXPECT_EQ(cids, (std::vector<std::uint16_t>{1, 2, 3, 4, 5}));
  });
}

TEST(NvmeQueue, InvalidDoorbellWritesAreIgnoredAndTraced) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 8, 1);
    const std::uint64_t w0 = m.trace.count(sim::Severity::warn);
    m.wr(m.sq_doorbell(1), 8);        // tail == size
    m.wr(m.cq_doorbell(1), 3);        // head beyond what was posted
    m.wr(m.cq_doorbell(7), 0);        // CQ that does not exist
    m.wr(m.sq_doorbell(65), 0);       // beyond the supported queues
    sc_core::wait(sim::to_sc(sim::us(20)));
    EXPECT_EQ(m.trace.count(sim::Severity::warn), w0 + 4);
    EXPECT_EQ(m.ctrl->commands_in_flight(), 0u);
    // The queue still works normally.
    EXPECT_TRUE(is(m.command(q, Machine::flush_cmd(1)), kSuccess));
    // Doorbells while the controller is disabled are ignored too.
    m.reset_controller();
    m.wr(m.sq_doorbell(0), 1);
    sc_core::wait(sim::to_sc(sim::us(20)));
    EXPECT_EQ(m.ctrl->commands_in_flight(), 0u);
  });
}

TEST(NvmeQueue, RoundRobinServesEveryQueue) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& a = m.create_io(1, 64, 1);
    auto& b = m.create_io(2, 64, 2);
    const auto buf = m.alloc(4096);
    for (int i = 0; i < 32; ++i) {
      m.push(a, Machine::rw_cmd(io::kRead, 1, 8 * i, 8, buf), false);
      m.push(b, Machine::rw_cmd(io::kRead, 2, i, 1, buf), false);
    }
    m.ring(a);
    m.ring(b);
    for (int i = 0; i < 32; ++i) {
      ASSERT_TRUE(m.wait_cqe(a).has_value());
      ASSERT_TRUE(m.wait_cqe(b).has_value());
    }
  });
  // Both queues' vectors fired.
  unsigned va = 0, vb = 0;
  for (const auto& i : m.irqs) {
    va += i.vector == kVectorBase + 1;
    vb += i.vector == kVectorBase + 2;
  }
  EXPECT_GT(va, 0u);
  EXPECT_GT(vb, 0u);
}
