// End to end: command timeouts against the NVMe model, made to happen by a
// flash read latency (tR) far above nvmed's I/O timeout. nvmed aborts the
// command, resets the controller when aborting is not enough (or not
// allowed), resubmits, and reports ETIMEDOUT when it gives up — and keeps
// serving throughout. Also: the normal shutdown (CC.SHN).
#include <gtest/gtest.h>

#include "drivers/nvmed/driver.hpp"
#include "tests/nvmed/nvmed_machine.hpp"

using namespace nvmedtest;

namespace {

std::string dump(const Machine& m) {
  std::string s = m.all_printed();
  for (const Event& e : m.events)
    if (e.component == "nvmed" || e.component == "nvme-shutdown" || e.component == "nvme" || e.severity >= sim::Severity::warn)
      s += std::to_string(e.time / 1000000) + "us " + e.component + " " + e.kind + " " + e.msg + "\n";
  return s;
}

/// Reads take `tr` on the flash; nvmed (--io-timeout 1ms) waits 1 ms for the
/// first attempt, 2 ms for the second.
nvme::NvmeParams slow_reads(unsigned acl, sim::Picos tr) {
  nvme::NvmeParams p = two_namespaces();
  p.timing.read_latency = tr;
  p.acl = acl;
  return p;
}

std::size_t count_msg(const Machine& m, std::string_view kind, std::string_view text) {
  std::size_t n = 0;
  for (const Event& e : m.events)
    if (e.kind == kind && e.msg.find(text) != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST(NvmedRecovery, TimedOutReadIsAbortedAndRetried) {
  Machine m(slow_reads(3, sim::us(1200)), 2);
  m.pcid({"class=01 subclass=08 -> nvmed --io-timeout 1ms --admin-timeout 1ms"});
  m.spawn("blockbench", {"--rw", "read", "--qd", "1", "--count", "2", "--size", "64KiB", "--verify"});
  m.run(sim::ms(500));
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  EXPECT_EQ(m.result("blockbench.verify_mismatches"), 0);
  // Each read: times out after 1 ms, is aborted, and the retry (2 ms) gets
  // it once the die has finished the aborted read, 1.2 ms + 1.2 ms after
  // the first attempt.
  EXPECT_EQ(count_msg(m, "nvmed.abort.done", " aborted"), 2u) << dump(m);
  EXPECT_EQ(m.count("nvmed", "nvmed.retry"), 2u) << dump(m);
  EXPECT_EQ(m.count("nvmed", "nvmed.reset"), 0u) << dump(m);
  EXPECT_GT(m.result("blockbench.read_mean_us"), 2400);
  EXPECT_LT(m.result("blockbench.read_mean_us"), 2700);
}

TEST(NvmedRecovery, AbortLimitLeadsToResetAndResubmission) {
  // ACL 0: one Abort at a time. Two reads time out together: the first is
  // aborted, the second makes nvmed reset the controller; both are
  // resubmitted on the re-created queues.
  Machine m(slow_reads(0, sim::us(1500)), 2);
  m.pcid({"class=01 subclass=08 -> nvmed --io-timeout 1ms --admin-timeout 1ms --queues 1"});
  m.spawn("blockbench", {"--rw", "read", "--qd", "2", "--count", "4", "--size", "64KiB", "--verify"});
  m.run(sim::ms(500));
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  EXPECT_EQ(m.result("blockbench.verify_mismatches"), 0);
  EXPECT_EQ(m.count("nvmed", "nvmed.reset"), 2u) << dump(m);  // one per pair of reads
  EXPECT_EQ(m.count("nvmed", "nvmed.reset.done"), m.count("nvmed", "nvmed.reset")) << dump(m);
  EXPECT_TRUE(m.printed_has("nvmed: resetting the controller: command timeout")) << dump(m);
  EXPECT_EQ(m.count("nvmed", "nvmed.failed"), 0u);
  EXPECT_EQ(m.ctrl->csts() & 0x3u, 0x1u);  // RDY, no CFS
}

TEST(NvmedRecovery, GivingUpReportsTimeoutsAndKeepsServing) {
  // 3 ms reads: the second attempt (2 ms) times out too, and there is no third.
  Machine m(slow_reads(0, sim::ms(3)), 2);
  m.pcid({"class=01 subclass=08 -> nvmed --io-timeout 1ms --admin-timeout 1ms --retries 1 --queues 1"});
  m.spawn("blockbench", {"--rw", "read", "--qd", "2", "--count", "2", "--size", "64KiB", "--label", "slow"});
  m.run(sim::ms(500));
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_EQ(m.result("slow.errors"), 2);
  EXPECT_GE(count_msg(m, "nvmed.request.failed", "ETIMEDOUT"), 2u) << dump(m);
  ASSERT_EQ(m.failures().size(), 1u) << dump(m);
  EXPECT_NE(m.failures()[0].find("blockbench"), std::string::npos);
  EXPECT_EQ(m.count("nvmed", "nvmed.failed"), 0u);
  EXPECT_EQ(m.ctrl->csts() & 0x3u, 0x1u);
}

namespace {

int g_shutdown_status = -1;

/// Brings the controller up as nvmed does, then shuts it down normally.
hal::Task<int> bring_up_and_shut_down(hal::Sys& sys) {
  hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
  if (!pcid) co_return 1;
  auto d = std::make_shared<nvmed::Driver>(sys, *pcid, nvmed::Options{});
  const hal::Result<void> up = co_await d->bring_up();
  if (!up) co_return 2;
  const hal::Result<void> down = co_await d->engine().shutdown();
  g_shutdown_status = down ? 0 : down.error().code();
  co_return down ? 0 : 3;
}

}  // namespace

TEST(NvmedRecovery, NormalShutdownCompletes) {
  Machine m(two_namespaces(), 2, {{"nvme-shutdown", &bring_up_and_shut_down}});
  m.pcid({"class=01 subclass=08 -> nvme-shutdown"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(g_shutdown_status, 0);
  EXPECT_EQ(m.ctrl->csts() & 0xCu, 0x8u) << "CSTS.SHST = 10b, shutdown processing complete";
  // §7.6.2: the I/O SQs are deleted, then the CQs, before CC.SHN.
  std::vector<std::uint64_t> opcodes;
  for (const Event& e : m.events)
    if (e.kind == "nvme.admin") opcodes.push_back(e.numbers.at("opcode"));
  ASSERT_GE(opcodes.size(), 4u);
  EXPECT_EQ(std::vector<std::uint64_t>(opcodes.end() - 4, opcodes.end()), (std::vector<std::uint64_t>{0, 0, 4, 4}));
  EXPECT_EQ(m.trace.count(sim::Severity::warn), m.count("kernel", "sqe.rejected")) << dump(m);
}
