#include <gtest/gtest.h>

#include <coroutine>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "drivers/hal/error.hpp"
#include "drivers/hal/executor.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/hal/this_task.hpp"

namespace {

class Tracker {
 public:
  explicit Tracker(int* live) : live_(live) { ++*live_; }
  Tracker(const Tracker& other) : live_(other.live_) { ++*live_; }
  Tracker& operator=(const Tracker&) = delete;
  ~Tracker() { --*live_; }

 private:
  int* live_;
};

hal::Task<void> step(std::vector<std::string>* log, std::string name, int steps) {
  for (int i = 0; i < steps; ++i) {
    log->push_back(name + std::to_string(i));
    co_await hal::yield();
  }
}

std::vector<std::string> round_robin() {
  std::vector<std::string> log;
  hal::Executor ex;
  ex.spawn(step(&log, "a", 3), "a");
  ex.spawn(step(&log, "b", 2), "b");
  ex.spawn(step(&log, "c", 3), "c");
  ex.run_ready();
  EXPECT_EQ(ex.live_tasks(), 0u);
  return log;
}

TEST(HalExecutor, RunsReadyTasksInFifoOrderDeterministically) {
  const std::vector<std::string> first = round_robin();
  EXPECT_EQ(first, (std::vector<std::string>{"a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2"}));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(round_robin(), first);
}

hal::Task<void> note(std::vector<std::string>* log, std::string what) {
  log->push_back(std::move(what));
  co_return;
}

TEST(HalExecutor, RunReadyHonoursBudget) {
  std::vector<std::string> log;
  hal::Executor ex;
  for (int i = 0; i < 5; ++i) ex.spawn(note(&log, "t" + std::to_string(i)), "t");
  EXPECT_TRUE(ex.has_ready());
  EXPECT_EQ(ex.ready_count(), 5u);
  EXPECT_EQ(ex.run_ready(2), 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"t0", "t1"}));
  EXPECT_EQ(ex.ready_count(), 3u);
  EXPECT_EQ(ex.run_ready(0), 0u);
  EXPECT_EQ(ex.run_ready(10), 3u);
  EXPECT_FALSE(ex.has_ready());
  EXPECT_EQ(ex.run_ready(), 0u);
  EXPECT_EQ(ex.resumptions(), 5u);
  EXPECT_EQ(ex.live_tasks(), 0u);
}

hal::Task<void> yield_forever(int* count) {
  for (;;) {
    ++*count;
    co_await hal::yield();
  }
}

TEST(HalExecutor, BudgetBoundsATaskThatNeverBlocks) {
  int count = 0;
  hal::Executor ex;
  ex.spawn(yield_forever(&count), "spinner");
  EXPECT_EQ(ex.run_ready(100), 100u);
  EXPECT_EQ(count, 100);
  EXPECT_TRUE(ex.has_ready());
}  // destroying the executor destroys the spinner

hal::Task<void> throw_now(std::string what) {
  throw std::runtime_error(what);
  co_return;
}

hal::Task<void> throw_error() {
  co_await hal::yield();
  throw hal::ErrorException(hal::Error(hal::errc::timedout, "CSTS.RDY"));
}

TEST(HalExecutor, ExceptionInTopLevelTaskIsRecordedNotThrown) {
  std::vector<std::string> log;
  std::vector<std::string> seen;
  hal::Executor ex;
  ex.set_on_failure([&](const hal::TaskFailure& f) { seen.push_back(f.name); });
  const hal::TaskId bad = ex.spawn(throw_now("boom"), "bad");
  ex.spawn(step(&log, "ok", 2), "good");
  const hal::TaskId worse = ex.spawn(throw_error(), "worse");
  EXPECT_NO_THROW(ex.run_ready());

  EXPECT_EQ(log, (std::vector<std::string>{"ok0", "ok1"}));  // others carried on
  ASSERT_EQ(ex.failures().size(), 2u);
  EXPECT_EQ(ex.failures()[0].task, bad);
  EXPECT_EQ(ex.failures()[0].name, "bad");
  EXPECT_EQ(ex.failures()[0].what, "boom");
  EXPECT_THROW(std::rethrow_exception(ex.failures()[0].exception), std::runtime_error);
  EXPECT_EQ(ex.failures()[1].task, worse);
  EXPECT_EQ(ex.failures()[1].what, "CSTS.RDY: ETIMEDOUT");
  EXPECT_EQ(seen, (std::vector<std::string>{"bad", "worse"}));
  EXPECT_EQ(ex.live_tasks(), 0u);  // failed tasks' frames are gone too
}

// Each level keeps one Tracker in its frame.
hal::Task<int> leaf_wait(int* live, hal::Signal<int>* s) {
  const Tracker t(live);
  co_return co_await *s;
}
hal::Task<int> middle_wait(int* live, hal::Signal<int>* s) {
  const Tracker t(live);
  co_return co_await leaf_wait(live, s);
}
hal::Task<void> top_wait(int* live, hal::Signal<int>* s, int* out) {
  const Tracker t(live);
  *out = co_await middle_wait(live, s);
}

// The Tracker parameter lives in the frame from creation on.
hal::Task<void> holds_param(Tracker tracker) { co_return; }

TEST(HalExecutor, FramesAreDestroyedWhenTasksFinish) {
  int live = 0;
  int out = 0;
  hal::Signal<int> s;
  hal::Executor ex;
  ex.spawn(top_wait(&live, &s, &out), "nested");
  ex.run_ready();
  EXPECT_EQ(live, 3);  // three frames suspended
  EXPECT_EQ(ex.live_tasks(), 1u);
  s.complete(5);
  ex.run_ready();
  EXPECT_EQ(out, 5);
  EXPECT_EQ(live, 0);
  EXPECT_EQ(ex.live_tasks(), 0u);
}

TEST(HalExecutor, DestructionDestroysSuspendedAndReadyTasks) {
  int live = 0;
  int out = 0;
  hal::Signal<int> s;  // outlives the executor
  {
    hal::Executor ex;
    ex.spawn(top_wait(&live, &s, &out), "waiting");
    ex.run_ready();
    ex.spawn(holds_param(Tracker(&live)), "never-started");
    EXPECT_EQ(live, 4);  // 3 suspended frames + the unstarted one
    EXPECT_EQ(ex.live_tasks(), 2u);
    EXPECT_TRUE(s.has_waiter());
  }
  EXPECT_EQ(live, 0);
  EXPECT_FALSE(s.has_waiter());  // the destroyed awaiter unregistered itself
  EXPECT_TRUE(s.complete(1));    // and completing now touches nothing
}

hal::Task<void> spawn_child(std::vector<std::string>* log) {
  hal::Executor& ex = co_await hal::this_executor();
  ex.spawn(note(log, "child"), "child");
  log->push_back("parent");
}

TEST(HalExecutor, TaskSpawnsSiblingThatRunsLater) {
  std::vector<std::string> log;
  hal::Executor ex;
  ex.spawn(spawn_child(&log), "parent");
  EXPECT_EQ(ex.run_ready(), 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"parent", "child"}));
}

hal::Task<hal::TaskId> inner_id() { co_return co_await hal::this_task_id(); }

hal::Task<void> ids(hal::Executor* ex, std::vector<hal::TaskId>* out, std::string* name) {
  out->push_back(co_await hal::this_task_id());
  out->push_back(co_await inner_id());  // a child runs for the same top-level task
  out->push_back(ex->current_task());
  *name = std::string(ex->task_name(ex->current_task()));
}

TEST(HalExecutor, KnowsTheCurrentTask) {
  std::vector<hal::TaskId> seen;
  std::string name;
  hal::Executor ex;
  std::vector<std::string> log;
  ex.spawn(note(&log, "first"), "first");
  const hal::TaskId id = ex.spawn(ids(&ex, &seen, &name), "pcid-main");
  EXPECT_EQ(ex.current_task(), 0u);
  ex.run_ready();
  EXPECT_EQ(seen, (std::vector<hal::TaskId>{id, id, id}));
  EXPECT_EQ(name, "pcid-main");
  EXPECT_EQ(ex.current_task(), 0u);
  EXPECT_EQ(ex.task_name(id), "");  // finished
}

hal::Task<void> reenter(hal::Executor* ex) {
  ex->run_ready();
  co_return;
}

TEST(HalExecutor, RunReadyFromInsideATaskIsRefused) {
  hal::Executor ex;
  ex.spawn(reenter(&ex), "reenter");
  ex.run_ready();
  ASSERT_EQ(ex.failures().size(), 1u);
  EXPECT_EQ(ex.failures()[0].name, "reenter");
}

hal::Task<void> wait_void(hal::Signal<>* s, int* woke) {
  co_await *s;
  ++*woke;
}

TEST(HalExecutor, OnReadyFiresWhenIdleExecutorGetsWork) {
  int ready_calls = 0;
  int woke = 0;
  hal::Signal<> s;
  hal::Executor ex;
  ex.set_on_ready([&] { ++ready_calls; });
  ex.spawn(wait_void(&s, &woke), "waiter");
  EXPECT_EQ(ready_calls, 1);
  std::vector<std::string> log;
  ex.spawn(note(&log, "x"), "x");
  EXPECT_EQ(ready_calls, 1);  // the queue was not empty
  ex.run_ready();
  EXPECT_EQ(ready_calls, 1);
  EXPECT_FALSE(ex.has_ready());
  s.complete();  // the platform wakes the waiter
  EXPECT_EQ(ready_calls, 2);
  EXPECT_EQ(woke, 0);  // not resumed inline
  ex.run_ready();
  EXPECT_EQ(woke, 1);
}

// A platform-side awaitable, as the kernel model writes them: await_suspend
// takes the task's Waker, and the platform wakes it when the event happens.
struct FakeTimer {
  std::vector<hal::Waker> pending;
};

class Sleep {
 public:
  explicit Sleep(FakeTimer* t) : timer_(t) {}
  bool await_ready() const noexcept { return false; }
  template <hal::HalPromise P>
  void await_suspend(std::coroutine_handle<P> h) {
    timer_->pending.push_back(hal::Waker::for_coroutine(h));
  }
  void await_resume() const noexcept {}

 private:
  FakeTimer* timer_;
};

hal::Task<void> sleeper(FakeTimer* timer, std::vector<std::string>* log, std::string name) {
  co_await Sleep(timer);
  log->push_back(name);
}

TEST(HalExecutor, PlatformAwaitableWakesThroughWaker) {
  FakeTimer timer;
  std::vector<std::string> log;
  hal::Executor ex;
  const hal::TaskId first = ex.spawn(sleeper(&timer, &log, "first"), "first");
  ex.spawn(sleeper(&timer, &log, "second"), "second");
  ex.run_ready();
  ASSERT_EQ(timer.pending.size(), 2u);
  EXPECT_EQ(timer.pending[0].task(), first);
  EXPECT_EQ(timer.pending[0].executor(), &ex);

  // Wake in reverse order: they run in the order they were woken.
  timer.pending[1].wake();
  timer.pending[0].wake();
  EXPECT_FALSE(timer.pending[0]);  // spent
  timer.pending[0].wake();         // a second wake is a no-op
  EXPECT_EQ(ex.ready_count(), 2u);
  EXPECT_TRUE(log.empty());
  ex.run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"second", "first"}));

  hal::Waker moved(std::move(timer.pending[1]));
  EXPECT_FALSE(moved);  // it was spent before the move
  const hal::Waker empty;
  EXPECT_FALSE(empty);
  static_assert(!std::is_copy_constructible_v<hal::Waker>);
}

TEST(HalExecutor, SpawnRejectsEmptyTask) {
  hal::Executor ex;
  EXPECT_THROW(ex.spawn(hal::Task<void>(), "empty"), std::invalid_argument);
}

}  // namespace
