// Injected faults (devices/nvme/faults.hpp): a hang that a reset or its end
// clears, lost completions, an injected Controller Fatal Status.
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

TEST(NvmeFaults, HangStopsEverythingUntilReset) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto buf = m.alloc(4096);
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 0, 8, buf)), kSuccess));
    m.ctrl->inject_hang(0);
    EXPECT_TRUE(m.ctrl->hung());
    m.push(q, Machine::rw_cmd(io::kRead, 1, 0, 8, buf));  // doorbell accepted ...
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, m.alloc(4096)));
    EXPECT_FALSE(m.wait_cqe(q, sim::ms(5)).has_value());  // ... nothing completes
    EXPECT_FALSE(m.wait_cqe(m.admin, sim::ms(1)).has_value());
    EXPECT_EQ(m.csts() & (csts::kRdy | csts::kCfs), csts::kRdy);  // CSTS does not tell
    // §7.3.2: CC.EN 1 -> 0 resets the controller, which ends the hang.
    m.reset_controller();
    EXPECT_FALSE(m.ctrl->hung());
    ASSERT_TRUE(m.enable_controller());
    auto& q2 = m.create_io(1, 16, 1);
    EXPECT_TRUE(is(m.command(q2, Machine::rw_cmd(io::kRead, 1, 0, 8, buf)), kSuccess));
  });
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u);
}

TEST(NvmeFaults, TimedHangResumesWhereItStopped) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto buf = m.alloc(4096);
    m.fill(buf, 4096, 3);
    m.push(q, Machine::rw_cmd(io::kWrite, 1, 0, 8, buf));  // in flight when the hang starts
    m.ctrl->inject_hang(sim::ms(2));
    const sim::Picos start = sim::now();
    m.push(q, Machine::rw_cmd(io::kRead, 1, 0, 8, m.alloc(4096)));  // rung during the hang
    const auto a = m.wait_cqe(q, sim::ms(10));
    ASSERT_TRUE(a.has_value());
    EXPECT_GE(sim::now() - start, sim::ms(2));  // nothing before the hang ended
    EXPECT_TRUE(is(*a, kSuccess));
    const auto b = m.wait_cqe(q, sim::ms(10));
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(is(*b, kSuccess));
    EXPECT_FALSE(m.ctrl->hung());
  });
}

TEST(NvmeFaults, DroppedCompletionsAreNeverPostedButTheCommandRuns) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto src = m.alloc(4096), dst = m.alloc(4096);
    m.fill(src, 4096, 9);
    m.ctrl->inject_drop_completions(1, FaultQueues::io);
    m.push(q, Machine::rw_cmd(io::kWrite, 1, 0, 8, src));
    EXPECT_FALSE(m.wait_cqe(q, sim::ms(2)).has_value());  // the CQE is lost
    // Admin completions are not taken by an io-only fault.
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kController, 0, m.alloc(4096))), kSuccess));
    // The next command completes, and the lost write did reach the media.
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, dst)), kSuccess));
    EXPECT_EQ(m.bytes(dst, 4096), m.bytes(src, 4096));
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 1u);  // nvme.fault.completion_dropped
}

TEST(NvmeFaults, AdminDropIsOnlyForAdminCompletions) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    m.ctrl->inject_drop_completions(1, FaultQueues::admin);
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, m.alloc(4096))), kSuccess));
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, m.alloc(4096)));
    EXPECT_FALSE(m.wait_cqe(m.admin, sim::ms(1)).has_value());
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kController, 0, m.alloc(4096))), kSuccess));
  });
}

TEST(NvmeFaults, FatalSetsCfsAndAResetClearsIt) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    m.ctrl->inject_fatal();
    EXPECT_EQ(m.csts() & csts::kCfs, csts::kCfs);  // §3.1.6
    m.push(q, Machine::rw_cmd(io::kRead, 1, 0, 8, m.alloc(4096)));
    EXPECT_FALSE(m.wait_cqe(q, sim::ms(1)).has_value());  // stopped
    m.reset_controller();
    EXPECT_EQ(m.csts() & csts::kCfs, 0u);
    ASSERT_TRUE(m.enable_controller());
    auto& q2 = m.create_io(1, 16, 1);
    EXPECT_TRUE(is(m.command(q2, Machine::rw_cmd(io::kRead, 1, 0, 8, m.alloc(4096))), kSuccess));
  });
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u);  // injected: a warning, not a model error
}
