// Awaitables that ask the executor about the running task:
//   co_await hal::yield();                       // go to the back of the ready queue
//   hal::Executor& ex = co_await hal::this_executor();  // e.g. to spawn a sibling
//   hal::TaskId id = co_await hal::this_task_id();
#pragma once

#include <coroutine>
#include <stdexcept>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/waker.hpp"

namespace hal {

class YieldAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <HalPromise P>
  void await_suspend(std::coroutine_handle<P> h) const {
    Waker::for_coroutine(h).wake();
  }
  void await_resume() const noexcept {}
};

/// Lets every task that is ready now run before this one continues.
inline YieldAwaiter yield() { return {}; }

class ExecutorAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <HalPromise P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    executor_ = h.promise().executor;
    return false;  // do not suspend
  }
  Executor& await_resume() const {
    if (executor_ == nullptr) throw std::logic_error("hal::this_executor: not running on an executor");
    return *executor_;
  }

 private:
  Executor* executor_ = nullptr;
};

/// The executor the calling task runs on; does not suspend.
inline ExecutorAwaiter this_executor() { return {}; }

class TaskIdAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <HalPromise P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    task_ = h.promise().task;
    return false;  // do not suspend
  }
  TaskId await_resume() const noexcept { return task_; }

 private:
  TaskId task_ = 0;
};

/// The id of the top-level task the caller runs for (0 outside an executor);
/// does not suspend.
inline TaskIdAwaiter this_task_id() { return {}; }

}  // namespace hal
