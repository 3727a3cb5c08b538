// Guest errors the controller must survive (architecture: "never a crash"):
// DMA outside memory, Bus Master Enable off, an unwritable Admin CQ, a reset
// in the middle of I/O, deleting an SQ with commands outstanding.
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

TEST(NvmeErrors, DmaOutsideMemoryIsDataTransferError) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const std::uint64_t outside = kRam + 0x1000;
    const Cqe r = m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, outside));
    EXPECT_TRUE(is(r, kDataTransferError));
    EXPECT_EQ(r.sqid, 1u);
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 0, 8, outside)), kDataTransferError));
    // A PRP list outside memory fails the same way.
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 24, m.alloc(4096), outside)), kDataTransferError));
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kController, 0, outside)), kDataTransferError));
    // The controller carries on, and the failed write wrote nothing.
    const auto buf = m.alloc(4096);
    m.fill(buf, 4096, 1);
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, buf)), kSuccess));
    EXPECT_EQ(m.bytes(buf, 4096), std::vector<std::uint8_t>(4096, 0));
    EXPECT_EQ(m.csts() & csts::kCfs, 0u);
  });
  EXPECT_GE(m.rc.unsupported_requests(), 4u);
}

TEST(NvmeErrors, BusMasterDisabledIsFatalUntilReset) {
  Machine m;
  m.run([&] {
    m.bring_up();
    m.set_command(true, false);  // BME off: the controller cannot fetch or complete anything
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, m.alloc(4096)));
    ASSERT_TRUE(m.wait_csts(csts::kCfs, csts::kCfs, sim::us(100)));
    EXPECT_FALSE(m.peek(m.admin).has_value());
    m.set_command(true, true);
    m.reset_controller();
    EXPECT_EQ(m.csts() & csts::kCfs, 0u);
    ASSERT_TRUE(m.enable_controller());
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(cns::kController, 0, m.alloc(4096))), kSuccess));
  });
  EXPECT_EQ(m.trace.count(sim::Severity::error), 1u);
}

TEST(NvmeErrors, UnwritableAdminCompletionQueueSetsCfs) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    const std::uint64_t sq = m.alloc(4096);
    m.wr(reg::kAqa, 0x000F'000F);
    m.wr(reg::kAsq, sq, 8);
    m.wr(reg::kAcq, kRam + 0x10'0000, 8);  // past the end of RAM
    m.wr(reg::kCc, cc::kEn);
    ASSERT_TRUE(m.wait_csts(csts::kRdy, csts::kRdy));
    m.admin.sq_base = sq;
    m.admin.sq_size = 16;
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, m.alloc(4096)));
    ASSERT_TRUE(m.wait_csts(csts::kCfs, csts::kCfs, sim::us(200)));
    // Doorbells are ignored while failed.
    m.push(m.admin, Machine::identify_cmd(cns::kController, 0, m.alloc(4096)));
    sc_core::wait(sim::to_sc(sim::us(50)));
    EXPECT_EQ(m.ctrl->commands_in_flight(), 0u);
  });
}

TEST(NvmeErrors, ResetDuringIoLeavesTheControllerConsistent) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 64, 1);
    auto w = m.buffer(64 * 4096);
    m.fill(w.addr, 64 * 4096, 5);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 2, 0, 64, w.prp1, w.prp2)), kSuccess));
    const auto junk = m.alloc(32 * 4096);
    for (int i = 0; i < 32; ++i) m.push(q, Machine::rw_cmd(io::kRead, 2, i, 1, junk + 4096 * i), false);
    for (int i = 0; i < 16; ++i) m.push(q, Machine::rw_cmd(io::kWrite, 2, 1000 + i, 1, w.addr), false);
    m.ring(q);
    sc_core::wait(sim::to_sc(sim::us(20)));
    EXPECT_GT(m.ctrl->commands_in_flight(), 0u);
    const std::uint64_t cq_before = q.cq_base;
    m.reset_controller();
    EXPECT_EQ(m.ctrl->commands_in_flight(), 0u);
    // Nothing completes after the reset; the old CQ memory stays as it was.
    const auto snapshot = m.bytes(cq_before, 64 * 16);
    sc_core::wait(sim::to_sc(sim::ms(2)));
    EXPECT_EQ(m.bytes(cq_before, 64 * 16), snapshot);
    // Bring it back up and check the data written before the reset.
    ASSERT_TRUE(m.enable_controller());
    auto& q2 = m.create_io(1, 64, 1);
    auto r = m.buffer(64 * 4096);
    ASSERT_TRUE(is(m.command(q2, Machine::rw_cmd(io::kRead, 2, 0, 64, r.prp1, r.prp2)), kSuccess));
    EXPECT_EQ(m.bytes(r.addr, 64 * 4096), m.bytes(w.addr, 64 * 4096));
  });
}

TEST(NvmeErrors, DeletingAnSqAbortsItsOutstandingCommands) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    const auto buf = m.alloc(8 * 4096);
    for (int i = 0; i < 8; ++i) m.push(q, Machine::rw_cmd(io::kRead, 1, 64 * i, 8, buf + 4096 * i), false);
    m.ring(q);
    sc_core::wait(sim::to_sc(sim::us(5)));
    ASSERT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoSq, 1)), kSuccess));
    unsigned aborted = 0;
    while (auto c = m.pop(q)) aborted += is(*c, kAbortSqDeletion);
    EXPECT_EQ(aborted, 8u);
    EXPECT_EQ(m.ctrl->commands_in_flight(), 0u);
    EXPECT_TRUE(is(m.admin_cmd(Machine::delete_cmd(admin::kDeleteIoCq, 1)), kSuccess));
  });
}
