// What a HAL coroutine knows about where it runs, and the Waker: the one way
// to put a suspended task back on its executor's ready queue.
//
// Every HAL coroutine promise (Task's, and the executor's own root wrapper)
// derives from PromiseBase. The executor sets executor and task on the root of
// each spawned task; co_await on a Task copies them into the awaited child. So
// an awaitable finds its executor through the handle passed to await_suspend,
// never through global or thread-local state (docs/hal.md says why).
#pragma once

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "drivers/hal/frame_pool.hpp"

namespace hal {

class Executor;

/// Identifies a spawned (top-level) task within its executor; 0 is "none".
using TaskId = std::uint64_t;

struct PromiseBase {
  Executor* executor = nullptr;
  TaskId task = 0;

  // Coroutine frames come from the HAL's frame pool (frame_pool.hpp).
  static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { frame_pool::deallocate(p, bytes); }
};

template <class P>
concept HalPromise = std::derived_from<P, PromiseBase>;

/// Move-only: exactly one owner may wake a suspension, so a coroutine can
/// never be put on the ready queue twice for one suspension.
class Waker {
 public:
  Waker() = default;
  Waker(Waker&& other) noexcept
      : executor_(other.executor_), handle_(std::exchange(other.handle_, {})), task_(other.task_) {}
  Waker& operator=(Waker&& other) noexcept {
    executor_ = other.executor_;
    handle_ = std::exchange(other.handle_, {});
    task_ = other.task_;
    return *this;
  }
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker() = default;

  /// The waker of a coroutine suspending in await_suspend. Throws
  /// std::logic_error if the coroutine does not run on an executor.
  template <HalPromise P>
  static Waker for_coroutine(std::coroutine_handle<P> h) {
    const PromiseBase& p = h.promise();
    if (p.executor == nullptr) {
      throw std::logic_error("hal: suspending outside an executor (spawn the task on a hal::Executor)");
    }
    return Waker(p.executor, h, p.task);
  }

  /// True until wake() has been called; false if default-constructed or
  /// moved from.
  explicit operator bool() const { return static_cast<bool>(handle_); }
  Executor* executor() const { return executor_; }
  TaskId task() const { return task_; }

  /// Appends the coroutine to its executor's ready queue; it runs on a later
  /// Executor::run_ready, never inside this call. A waker fires once: calling
  /// wake() again does nothing. The executor must still exist: platform code
  /// that keeps a Waker itself must drop it when it destroys the executor
  /// (Signal and Mailbox take care of this on their own).
  void wake();

 private:
  Waker(Executor* e, std::coroutine_handle<> h, TaskId t) : executor_(e), handle_(h), task_(t) {}

  Executor* executor_ = nullptr;
  std::coroutine_handle<> handle_;
  TaskId task_ = 0;
};

}  // namespace hal
