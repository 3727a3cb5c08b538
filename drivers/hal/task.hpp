// Task<T>: a lazily started coroutine. Creating one runs nothing; co_await on
// it starts it and suspends the awaiter, and when it finishes the awaiter
// resumes by symmetric transfer (no stack grows however deep or long the chain
// of awaits). An exception leaving the task is rethrown in the awaiter. A Task
// is move-only and destroys its coroutine frame.
//
// A Task runs only when awaited; top-level tasks are handed to
// Executor::spawn.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "drivers/hal/waker.hpp"

namespace hal {

template <class T = void>
class Task;

namespace detail {

class TaskPromiseBase;
/// A spawned task reached its end: tells its executor (executor.cpp).
void root_task_finished(TaskPromiseBase& p) noexcept;

/// Resumes the awaiter (if any) of a finished task by symmetric transfer.
struct TaskFinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    const std::coroutine_handle<> next = h.promise().continuation;
    if (next) return next;
    if (h.promise().root) root_task_finished(h.promise());
    return std::noop_coroutine();
  }
  void await_resume() const noexcept {}
};

class TaskPromiseBase : public PromiseBase {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }
  TaskFinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  /// What an exception that left the task was (null if none).
  const std::exception_ptr& failure() const noexcept { return exception_; }

  std::coroutine_handle<> continuation;
  std::uint32_t root_slot = 0;  // the executor's slot, when root
  bool started = false;
  bool root = false;  // spawned: the executor owns the frame

 protected:
  void rethrow_if_failed() const {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::exception_ptr exception_;
};

template <class T>
class TaskPromise final : public TaskPromiseBase {
 public:
  Task<T> get_return_object() noexcept;

  template <class U = T>
    requires std::convertible_to<U&&, T>
  void return_value(U&& v) {
    value_.emplace(std::forward<U>(v));
  }

  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class TaskPromise<void> final : public TaskPromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() const { rethrow_if_failed(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
  static_assert(!std::is_reference_v<T>, "Task<T&> is not supported; return a pointer");

 public:
  using promise_type = detail::TaskPromise<T>;
  using value_type = T;

  Task() noexcept = default;
  explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  /// False for a default-constructed or moved-from Task.
  bool valid() const noexcept { return static_cast<bool>(handle_); }
  /// True once the coroutine has run to its end.
  bool done() const noexcept { return handle_ && handle_.done(); }

  class Awaiter {
   public:
    explicit Awaiter(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}

    bool await_ready() const {
      if (!handle_) throw std::logic_error("hal::Task: co_await on an empty task");
      return false;
    }

    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> awaiting) {
      promise_type& p = handle_.promise();
      if (p.started) throw std::logic_error("hal::Task: awaited twice");
      p.started = true;
      p.continuation = awaiting;
      if constexpr (HalPromise<P>) {
        p.executor = awaiting.promise().executor;
        p.task = awaiting.promise().task;
      }
      return handle_;  // symmetric transfer: run the child now
    }

    T await_resume() { return handle_.promise().take(); }

   private:
    std::coroutine_handle<promise_type> handle_;
  };

  /// Borrows the frame; the Task still owns it and destroys it.
  Awaiter operator co_await() const noexcept { return Awaiter(handle_); }

 private:
  friend class Executor;  // takes the frame of a spawned task

  void destroy() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

}  // namespace detail

}  // namespace hal
