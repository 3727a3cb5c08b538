#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/task.hpp"

namespace {

hal::Task<void> take(hal::Mailbox<int>* box, int n, std::vector<int>* got) {
  for (int i = 0; i < n; ++i) {
    const std::optional<int> v = co_await box->next();
    if (!v) co_return;
    got->push_back(*v);
  }
}

TEST(HalMailbox, ItemsPushedWhileNobodyWaitsAreKeptInOrder) {
  std::vector<int> got;
  hal::Mailbox<int> box;
  EXPECT_TRUE(box.push(1));
  EXPECT_TRUE(box.push(2));
  EXPECT_TRUE(box.push(3));
  EXPECT_EQ(box.size(), 3u);
  hal::Executor ex;
  ex.spawn(take(&box, 6, &got), "reader");
  EXPECT_EQ(ex.run_ready(), 1u);  // three items taken without suspending, then waits
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(box.waiting(), 1u);

  box.push(4);
  EXPECT_EQ(got.size(), 3u);  // not resumed inline
  box.push(5);                // the reader has not run since 4: queued
  box.push(6);
  ex.run_ready();
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(ex.live_tasks(), 0u);
  EXPECT_EQ(box.size(), 0u);
}

TEST(HalMailbox, WaitersAreServedInTheOrderTheyStartedWaiting) {
  std::vector<int> first;
  std::vector<int> second;
  hal::Mailbox<int> box;
  hal::Executor ex;
  ex.spawn(take(&box, 2, &first), "first");
  ex.spawn(take(&box, 2, &second), "second");
  ex.run_ready();
  EXPECT_EQ(box.waiting(), 2u);
  box.push(10);  // -> first
  box.push(20);  // -> second
  box.push(30);  // queued; first takes it when it runs again
  ex.run_ready();
  box.push(40);
  ex.run_ready();
  EXPECT_EQ(first, (std::vector<int>{10, 30}));
  EXPECT_EQ(second, (std::vector<int>{20, 40}));
}

hal::Task<void> drain(hal::Mailbox<std::string>* box, std::vector<std::string>* got) {
  while (std::optional<std::string> s = co_await box->next()) got->push_back(*s);
  got->push_back("closed");
}

TEST(HalMailbox, CloseEndsTheStreamAfterQueuedItems) {
  std::vector<std::string> a;
  std::vector<std::string> b;
  hal::Mailbox<std::string> box;
  hal::Executor ex;
  ex.spawn(drain(&box, &a), "a");
  ex.run_ready();
  box.push("x");
  box.close();
  EXPECT_FALSE(box.push("dropped"));
  ex.run_ready();
  EXPECT_EQ(a, (std::vector<std::string>{"x", "closed"}));

  // Items queued before close are still delivered to a later reader.
  hal::Mailbox<std::string> box2;
  box2.push("p");
  box2.push("q");
  box2.close();
  ex.spawn(drain(&box2, &b), "b");
  ex.run_ready();
  EXPECT_EQ(b, (std::vector<std::string>{"p", "q", "closed"}));
}

TEST(HalMailbox, DestroyedWaiterUnregisters) {
  std::vector<int> got;
  hal::Mailbox<int> box;
  {
    hal::Executor ex;
    ex.spawn(take(&box, 1, &got), "r");
    ex.run_ready();
    EXPECT_EQ(box.waiting(), 1u);
  }
  EXPECT_EQ(box.waiting(), 0u);
  EXPECT_TRUE(box.push(1));  // queued, no dangling waiter touched
  EXPECT_EQ(box.try_next(), std::optional<int>(1));
  EXPECT_EQ(box.try_next(), std::nullopt);
}

}  // namespace
