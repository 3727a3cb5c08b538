#include "kernel_fixture.hpp"

using namespace ktest;

namespace {

int g_counter = 0;

hal::Task<int> returns_seven(hal::Sys& sys) {
  sys.print("hello from " + std::string(sys.program()));
  co_return 7;
}

hal::Task<int> sleeper(hal::Sys& sys) {
  const std::uint64_t t0 = sys.now_ns();
  co_await sys.sleep_ns(1500);
  g_counter = static_cast<int>(sys.now_ns() - t0);
  co_return 0;
}

hal::Task<int> child(hal::Sys& sys) {
  ++g_counter;
  co_return sys.args().size() == 2 && sys.args()[1] == "b" ? 0 : 1;
}

hal::Task<int> parent(hal::Sys& sys) {
  auto pid = sys.spawn("child", {"a", "b"});
  if (!pid) co_return 1;
  auto bad = sys.spawn("no-such-program", {});
  co_return bad.has_value() || bad.error().code() != hal::errc::noent ? 2 : 0;
}

hal::Task<int> daemon_forever(hal::Sys& sys) {
  sys.daemonize();
  for (;;) co_await sys.sleep_ns(1'000'000);
}

hal::Task<int> throws(hal::Sys&) {
  throw hal::ErrorException(hal::Error(hal::errc::io, "boom"));
  co_return 0;
}

std::uint64_t g_elapsed_ns = 0;

// sleep_ns charges a system call (10 us below) and arms a 1 us timer: the
// timer fires while the CPU is still paying for the call, so the task resumes
// when the CPU is free again, not when the timer fired.
hal::Task<int> charged_sleeper(hal::Sys& sys) {
  const std::uint64_t t0 = sys.now_ns();
  co_await sys.sleep_ns(1000);
  g_elapsed_ns = sys.now_ns() - t0;
  co_return 0;
}

hal::Task<int> spinner(hal::Sys& sys) {
  for (int i = 0; i < 3; ++i) co_await sys.sleep_ns(100);
  co_return 0;
}

}  // namespace

TEST(KernelLifecycle, ExitStatusAndOutputAreReported) {
  Machine m({{"seven", &returns_seven}});
  m.run({"seven"});
  EXPECT_TRUE(m.stopped);
  ASSERT_EQ(m.printed.size(), 1u);
  EXPECT_EQ(m.printed[0], "hello from seven");
  ASSERT_EQ(m.k->failures().size(), 1u);
  EXPECT_NE(m.k->failures()[0].find("exited with status 7"), std::string::npos);
}

TEST(KernelLifecycle, SleepAdvancesSimulatedTimeExactly) {
  g_counter = 0;
  Machine m({{"sleeper", &sleeper}});
  m.run({"sleeper"});
  EXPECT_EQ(g_counter, 1500);
  EXPECT_TRUE(m.k->failures().empty());
}

TEST(KernelLifecycle, SpawnPassesArgumentsAndRejectsUnknownPrograms) {
  g_counter = 0;
  Machine m({{"parent", &parent}, {"child", &child}});
  m.run({"parent"});
  EXPECT_TRUE(m.stopped);
  EXPECT_EQ(g_counter, 1);
  EXPECT_TRUE(m.k->failures().empty()) << m.k->failures()[0];
}

TEST(KernelLifecycle, DaemonsDoNotKeepTheRunAlive) {
  Machine m({{"d", &daemon_forever}, {"s", &spinner}});
  m.run({"d", "s"});
  EXPECT_TRUE(m.stopped);
  EXPECT_LT(sim::now(), sim::ms(1));
}

TEST(KernelLifecycle, AnExceptionInMainIsACrashNotASimulatorFailure) {
  Machine m({{"throws", &throws}});
  m.run({"throws"});
  EXPECT_TRUE(m.stopped);
  ASSERT_EQ(m.k->failures().size(), 1u);
  EXPECT_NE(m.k->failures()[0].find("134"), std::string::npos);
  EXPECT_GE(m.trace.count(sim::Severity::error), 1u);
}

TEST(KernelLifecycle, ProcessesSharingACpuPayForContextSwitches) {
  kernel::CostModel cost;
  cost.context_switch = sim::us(10);
  Machine m({{"a", &spinner}, {"b", &spinner}}, 1, cost);
  m.run({"a", "b"});
  EXPECT_GE(m.k->cpu(0).context_switches(), 3u);
  EXPECT_GE(m.k->cpu(0).busy_time(), sim::us(30));
}

TEST(KernelLifecycle, CpuTimeChargedBeforeGoingIdleIsPaidBeforeTheNextRun) {
  kernel::CostModel cost;
  cost.syscall = sim::us(10);
  cost.task_switch = 0;
  Machine m({{"s", &charged_sleeper}}, 1, cost);
  g_elapsed_ns = 0;
  m.run({"s"});
  EXPECT_TRUE(m.k->failures().empty());
  EXPECT_EQ(g_elapsed_ns, 10'000u);  // not 1 us (debt lost), not 20 us (paid twice)
}
