// Executor: runs the tasks of one simulated process, deterministically, on the
// host thread that calls it. It never starts a thread and never reads a clock:
// the platform (the kernel model) drives it by calling run_ready() from a
// simulated CPU, and wakes suspended tasks through Wakers (signal.hpp,
// mailbox.hpp build on them).
//
// Ready tasks run in FIFO order of becoming ready. Waking never resumes a task
// inline; it appends to the ready queue. So a waker never re-enters the code
// that called it, and no wake-up can be lost between "decide to wait" and
// "suspend".
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/hal/ready_queue.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/hal/waker.hpp"

namespace hal {

/// An exception that left a spawned task. The executor records it instead of
/// throwing it through run_ready().
struct TaskFailure {
  TaskId task = 0;
  std::string name;
  /// ErrorException's message, std::exception::what(), or "unknown exception".
  std::string what;
  std::exception_ptr exception;
};

namespace detail {
struct RootPromise;
}

class Executor {
 public:
  static constexpr std::size_t kNoBudget = std::numeric_limits<std::size_t>::max();

  Executor() = default;
  /// Destroys every task still alive (suspended or ready), in spawn order.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  Executor(Executor&&) = delete;
  Executor& operator=(Executor&&) = delete;

  /// Takes ownership of a top-level task and makes it ready; it first runs on
  /// a later run_ready(). Its frame is destroyed when it finishes. An
  /// exception escaping it is recorded (failures(), on_failure). Throws
  /// std::invalid_argument for an empty task.
  TaskId spawn(Task<void> task, std::string name);

  /// Resumes ready tasks in FIFO order until the queue is empty or `budget`
  /// resumptions were made; tasks made ready meanwhile join the back of the
  /// queue and may run in the same call. Returns the number of resumptions.
  /// Must not be called from inside a task (throws std::logic_error).
  std::size_t run_ready(std::size_t budget = kNoBudget);

  bool has_ready() const { return !ready_.empty(); }
  std::size_t ready_count() const { return ready_.size(); }
  /// Spawned tasks that have not finished.
  std::size_t live_tasks() const { return live_; }
  /// True inside run_ready().
  bool running() const { return running_; }
  /// The task being resumed (inside run_ready), else 0.
  TaskId current_task() const { return current_; }
  /// The name given to spawn(), or "" for an unknown or finished task.
  std::string_view task_name(TaskId task) const;
  /// Total resumptions made by run_ready() over the executor's life.
  std::uint64_t resumptions() const { return resumptions_; }

  const std::vector<TaskFailure>& failures() const { return failures_; }

  /// Called when the ready queue becomes non-empty while run_ready() is not
  /// running: the platform's cue that this process has work (make it
  /// runnable). It must not call run_ready() itself. Inside run_ready() it is
  /// not called: the caller checks has_ready() after run_ready() returns.
  void set_on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }
  /// Called (after recording) for each failed task. Exceptions it throws are
  /// swallowed.
  void set_on_failure(std::function<void(const TaskFailure&)> fn) { on_failure_ = std::move(fn); }

 private:
  friend class Waker;
  friend struct detail::RootPromise;
  friend void detail::root_task_finished(detail::TaskPromiseBase& p) noexcept;

  struct Ready {
    std::coroutine_handle<> handle;
    TaskId task;
  };
  // A spawned task's slot; slots of finished tasks are reused, so a slot's
  // place says nothing about spawn order (the id does).
  struct Root {
    std::coroutine_handle<> handle;  // null: a free slot
    TaskId id = 0;
    std::string name;
  };

  void schedule(std::coroutine_handle<> handle, TaskId task);
  void root_finished(std::uint32_t slot) { finished_.push_back(slot); }
  void record_failure(TaskId task, std::exception_ptr e) noexcept;
  void reap_finished();

  ReadyQueue<Ready> ready_;
  std::vector<Root> roots_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t live_ = 0;
  std::vector<std::uint32_t> finished_;  // slots
  std::vector<TaskFailure> failures_;
  std::function<void()> on_ready_;
  std::function<void(const TaskFailure&)> on_failure_;
  TaskId next_id_ = 1;
  TaskId current_ = 0;
  std::uint64_t resumptions_ = 0;
  bool running_ = false;
  bool destroying_ = false;
};

}  // namespace hal
