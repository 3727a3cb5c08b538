// The coroutine frame pool: frames are recycled by size class, counted, and a
// chain of tasks leaves nothing behind.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/frame_pool.hpp"
#include "drivers/hal/task.hpp"

namespace {

TEST(FramePool, AFreedFrameIsReusedForTheSameSizeClass) {
  const std::size_t before = hal::frame_pool::live_frames();
  void* a = hal::frame_pool::allocate(200);
  EXPECT_EQ(hal::frame_pool::live_frames(), before + 1);
  hal::frame_pool::deallocate(a, 200);
  EXPECT_EQ(hal::frame_pool::live_frames(), before);
#if !defined(__SANITIZE_ADDRESS__)
  void* b = hal::frame_pool::allocate(250);  // 193..256 bytes: the same class
  EXPECT_EQ(a, b);
  void* c = hal::frame_pool::allocate(150);  // another class: another block
  EXPECT_NE(b, c);
  hal::frame_pool::deallocate(c, 150);
  hal::frame_pool::deallocate(b, 250);
#endif
}

TEST(FramePool, LargeFramesComeFromTheHeapAndAreCounted) {
  const std::size_t before = hal::frame_pool::live_frames();
  void* big = hal::frame_pool::allocate(64 * 1024);
  static_cast<char*>(big)[64 * 1024 - 1] = 1;  // usable to its end
  EXPECT_EQ(hal::frame_pool::live_frames(), before + 1);
  hal::frame_pool::deallocate(big, 64 * 1024);
  EXPECT_EQ(hal::frame_pool::live_frames(), before);
}

hal::Task<int> leaf(int v) { co_return v * 2; }
hal::Task<int> middle(int v) { co_return co_await leaf(v) + 1; }
hal::Task<void> root(std::vector<int>& out) {
  for (int i = 0; i < 100; ++i) out.push_back(co_await middle(i));
}

TEST(FramePool, TaskFramesComeFromThePoolAndAllReturn) {
  const std::size_t before = hal::frame_pool::live_frames();
  std::vector<int> out;
  {
    hal::Executor ex;
    ex.spawn(root(out), "root");
    EXPECT_GT(hal::frame_pool::live_frames(), before);  // the root's frame
    ex.run_ready();
  }
  ASSERT_EQ(out.size(), 100u);
  EXPECT_EQ(out[7], 15);
  EXPECT_EQ(hal::frame_pool::live_frames(), before);
}

}  // namespace
