#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/task.hpp"

namespace {

hal::Task<void> wait_value(hal::Signal<int>* s, std::vector<std::string>* log) {
  log->push_back("waiting");
  const int v = co_await *s;
  log->push_back("got " + std::to_string(v));
}

// The lost wake-up: the completion arrives between "decide to wait" and the
// suspension. The value must be kept and the await must return at once.
TEST(HalSignal, CompleteBeforeAwaitReturnsImmediately) {
  std::vector<std::string> log;
  hal::Signal<int> s;
  EXPECT_TRUE(s.complete(7));
  EXPECT_TRUE(s.is_completed());
  hal::Executor ex;
  ex.spawn(wait_value(&s, &log), "w");
  EXPECT_EQ(ex.run_ready(), 1u);  // one resumption: the await did not suspend
  EXPECT_EQ(log, (std::vector<std::string>{"waiting", "got 7"}));
  EXPECT_EQ(ex.live_tasks(), 0u);
}

TEST(HalSignal, CompleteAfterAwaitQueuesTheWaiter) {
  std::vector<std::string> log;
  hal::Signal<int> s;
  hal::Executor ex;
  ex.spawn(wait_value(&s, &log), "w");
  EXPECT_EQ(ex.run_ready(), 1u);
  EXPECT_TRUE(s.has_waiter());
  EXPECT_FALSE(ex.has_ready());

  EXPECT_TRUE(s.complete(9));
  EXPECT_EQ(log, (std::vector<std::string>{"waiting"}));  // not resumed inside complete()
  EXPECT_FALSE(s.has_waiter());
  EXPECT_EQ(ex.ready_count(), 1u);

  EXPECT_EQ(ex.run_ready(), 1u);
  EXPECT_EQ(log, (std::vector<std::string>{"waiting", "got 9"}));
  EXPECT_EQ(ex.live_tasks(), 0u);
}

hal::Task<void> complete_then_log(hal::Signal<int>* s, std::vector<std::string>* log) {
  s->complete(3);
  log->push_back("completer continues");
  co_return;
}

TEST(HalSignal, CompletingFromATaskDoesNotResumeTheWaiterInline) {
  std::vector<std::string> log;
  hal::Signal<int> s;
  hal::Executor ex;
  ex.spawn(wait_value(&s, &log), "waiter");
  ex.spawn(complete_then_log(&s, &log), "completer");
  ex.run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"waiting", "completer continues", "got 3"}));
}

hal::Task<void> wait_void(hal::Signal<>* s, int* woke) {
  co_await *s;
  ++*woke;
}

TEST(HalSignal, VoidSignalIsOneShot) {
  int woke = 0;
  hal::Signal<> s;
  hal::Executor ex;
  ex.spawn(wait_void(&s, &woke), "w");
  ex.run_ready();
  EXPECT_TRUE(s.complete());
  EXPECT_FALSE(s.complete());  // already completed: ignored
  ex.run_ready();
  EXPECT_EQ(woke, 1);

  // Awaiting a consumed signal would never return: it is refused.
  ex.spawn(wait_void(&s, &woke), "late");
  ex.run_ready();
  ASSERT_EQ(ex.failures().size(), 1u);
  EXPECT_EQ(ex.failures()[0].name, "late");

  s.reset();  // usable again
  ex.spawn(wait_void(&s, &woke), "again");
  ex.run_ready();
  s.complete();
  ex.run_ready();
  EXPECT_EQ(woke, 2);
}

TEST(HalSignal, SecondConcurrentWaiterIsRefused) {
  std::vector<std::string> log;
  hal::Signal<int> s;
  hal::Executor ex;
  ex.spawn(wait_value(&s, &log), "first");
  ex.spawn(wait_value(&s, &log), "second");
  ex.run_ready();
  ASSERT_EQ(ex.failures().size(), 1u);
  EXPECT_EQ(ex.failures()[0].name, "second");
  EXPECT_THROW(s.reset(), std::logic_error);  // "first" still waits
  s.complete(1);
  ex.run_ready();
  EXPECT_EQ(log.back(), "got 1");
}

hal::Task<void> wait_string(hal::Signal<std::string>* s, std::string* out) { *out = co_await *s; }

TEST(HalSignal, SignalMayGoAwayBeforeTheWokenTaskRuns) {
  std::string out;
  auto s = std::make_unique<hal::Signal<std::string>>();
  hal::Executor ex;
  ex.spawn(wait_string(s.get(), &out), "w");
  ex.run_ready();
  s->complete(std::string(100, 'x'));  // the value moves into the waiter
  s.reset();
  ex.run_ready();
  EXPECT_EQ(out, std::string(100, 'x'));
}

TEST(HalSignal, WakesATaskOnAnotherExecutor) {
  // Two processes: one's task completes a signal another's task waits on.
  std::vector<std::string> log;
  hal::Signal<int> s;
  hal::Executor a;
  hal::Executor b;
  int a_ready = 0;
  a.set_on_ready([&] { ++a_ready; });
  a.spawn(wait_value(&s, &log), "a-waiter");
  a.run_ready();
  b.spawn(complete_then_log(&s, &log), "b-completer");
  const int before = a_ready;
  b.run_ready();
  EXPECT_EQ(a_ready, before + 1);  // a is told it has work
  EXPECT_FALSE(b.has_ready());
  EXPECT_EQ(a.ready_count(), 1u);
  a.run_ready();
  EXPECT_EQ(log.back(), "got 3");
}

}  // namespace
