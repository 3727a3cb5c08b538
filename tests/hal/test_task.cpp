#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/task.hpp"

namespace {

/// Counts live instances, to see coroutine frames being destroyed.
class Tracker {
 public:
  explicit Tracker(int* live) : live_(live) { ++*live_; }
  Tracker(const Tracker& other) : live_(other.live_) { ++*live_; }
  Tracker& operator=(const Tracker&) = delete;
  ~Tracker() { --*live_; }

 private:
  int* live_;
};

/// Spawns `task`, runs the executor until idle and expects no failure.
void run(hal::Task<void> task) {
  hal::Executor ex;
  ex.spawn(std::move(task), "test");
  ex.run_ready();
  ASSERT_TRUE(ex.failures().empty()) << ex.failures().front().what;
  ASSERT_EQ(ex.live_tasks(), 0u);
}

hal::Task<int> answer() { co_return 42; }

hal::Task<std::string> greet(std::string who) { co_return "hello " + who; }

hal::Task<void> store_answer(int* out) {
  *out = co_await answer();
  const std::string s = co_await greet("nvmed");
  if (s != "hello nvmed") *out = -1;
}

TEST(HalTask, ReturnsValue) {
  int out = 0;
  run(store_answer(&out));
  EXPECT_EQ(out, 42);
}

hal::Task<void> append(std::vector<int>* log, int v) {
  log->push_back(v);
  co_return;
}

hal::Task<void> append_three(std::vector<int>* log) {
  co_await append(log, 1);
  co_await append(log, 2);
  hal::Task<void> later = append(log, 3);
  log->push_back(0);  // `later` has not run yet: tasks are lazy
  co_await later;
}

TEST(HalTask, VoidTasksRunWhenAwaitedInOrder) {
  std::vector<int> log;
  run(append_three(&log));
  EXPECT_EQ(log, (std::vector<int>{1, 2, 0, 3}));
}

// The Tracker parameter is copied into the coroutine frame: it lives exactly
// as long as the frame.
hal::Task<void> track(Tracker tracker, bool* ran) {
  *ran = true;
  co_return;
}

TEST(HalTask, LazyAndDestroysFrameWhenNeverAwaited) {
  int live = 0;
  bool ran = false;
  {
    hal::Task<void> t = track(Tracker(&live), &ran);
    EXPECT_TRUE(t.valid());
    EXPECT_FALSE(t.done());
    EXPECT_FALSE(ran);  // created, not started
    EXPECT_EQ(live, 1);
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(live, 0);  // the frame went with the Task
}

TEST(HalTask, MoveOnlyAndOwnsItsFrame) {
  static_assert(!std::is_copy_constructible_v<hal::Task<int>>);
  static_assert(!std::is_copy_assignable_v<hal::Task<int>>);
  static_assert(std::is_nothrow_move_constructible_v<hal::Task<int>>);
  int live = 0;
  bool ran = false;
  hal::Task<void> a = track(Tracker(&live), &ran);
  hal::Task<void> b = std::move(a);
  EXPECT_FALSE(a.valid());  // moved-from
  EXPECT_TRUE(b.valid());
  EXPECT_EQ(live, 1);
  hal::Task<void> c = track(Tracker(&live), &ran);
  EXPECT_EQ(live, 2);
  c = std::move(b);  // c's old frame is destroyed
  EXPECT_EQ(live, 1);
  run(std::move(c));
  EXPECT_TRUE(ran);
  EXPECT_EQ(live, 0);
}

hal::Task<int> fail_with(std::string what) {
  throw std::runtime_error(what);
  co_return 0;
}

hal::Task<void> catch_child(std::string* caught, int* after) {
  try {
    (void)co_await fail_with("controller fatal status");
  } catch (const std::runtime_error& e) {
    *caught = e.what();
  }
  *after = co_await answer();  // the awaiter carries on normally
}

TEST(HalTask, ExceptionPropagatesIntoAwaiter) {
  std::string caught;
  int after = 0;
  run(catch_child(&caught, &after));
  EXPECT_EQ(caught, "controller fatal status");
  EXPECT_EQ(after, 42);
}

hal::Task<std::uint64_t> depth_sum(int depth) {
  if (depth == 0) co_return 0;
  const std::uint64_t below = co_await depth_sum(depth - 1);
  co_return below + static_cast<std::uint64_t>(depth);
}

hal::Task<void> nest(int depth, std::uint64_t* out) { *out = co_await depth_sum(depth); }

TEST(HalTask, Nests1000Deep) {
  std::uint64_t out = 0;
  run(nest(1000, &out));
  EXPECT_EQ(out, 1000u * 1001u / 2u);
}

TEST(HalTask, Nests100000DeepBySymmetricTransfer) {
  std::uint64_t out = 0;
  run(nest(100000, &out));
  EXPECT_EQ(out, 100000ull * 100001ull / 2ull);
}

hal::Task<int> one() { co_return 1; }

hal::Task<void> loop_sync_children(int n, int* total) {
  for (int i = 0; i < n; ++i) *total += co_await one();
}

// Each child completes without suspending; without symmetric transfer every
// completion would resume the parent one stack frame deeper, and a million of
// them would overflow the stack.
TEST(HalTask, MillionSynchronousAwaitsDoNotGrowTheStack) {
  int total = 0;
  run(loop_sync_children(1'000'000, &total));
  EXPECT_EQ(total, 1'000'000);
}

hal::Task<void> await_twice(bool* threw) {
  hal::Task<int> t = answer();
  (void)co_await t;
  try {
    (void)co_await t;
  } catch (const std::logic_error&) {
    *threw = true;
  }
}

TEST(HalTask, AwaitingTwiceIsALogicError) {
  bool threw = false;
  run(await_twice(&threw));
  EXPECT_TRUE(threw);
}

hal::Task<void> await_empty(bool* threw) {
  hal::Task<int> empty;
  try {
    (void)co_await empty;
  } catch (const std::logic_error&) {
    *threw = true;
  }
}

TEST(HalTask, AwaitingAnEmptyTaskIsALogicError) {
  bool threw = false;
  run(await_empty(&threw));
  EXPECT_TRUE(threw);
}

}  // namespace
