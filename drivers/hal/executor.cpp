#include "drivers/hal/executor.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "drivers/hal/error.hpp"

namespace hal {

namespace detail {

class RootTask;

/// A wrapper frame for a spawned task that was awaited before (a misuse): it
/// awaits the task, which fails as any second await does, and reports its end
/// and the exception to the executor. Other spawned tasks need no wrapper
/// (root_task_finished below).
struct RootPromise : PromiseBase {
  std::uint32_t slot = 0;  // in Executor::roots_

  RootTask get_return_object() noexcept;
  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<RootPromise> h) const noexcept {
      // Stay suspended; run_ready() destroys the frame after resume() returns.
      h.promise().executor->root_finished(h.promise().slot);
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }

  void return_void() const noexcept {}
  void unhandled_exception() const noexcept { executor->record_failure(task, std::current_exception()); }
};

class RootTask {
 public:
  using promise_type = RootPromise;
  explicit RootTask(std::coroutine_handle<RootPromise> h) : handle(h) {}
  std::coroutine_handle<RootPromise> handle;
};

RootTask RootPromise::get_return_object() noexcept {
  return RootTask(std::coroutine_handle<RootPromise>::from_promise(*this));
}

namespace {

RootTask run_root(Task<void> task) { co_await task; }

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const ErrorException& ex) {
    return ex.error().message();
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

// A spawned Task is its own root frame (no wrapper coroutine per spawn): its
// final suspend reports here, in the order run_root's frame would have: the
// failure first, then the end.
void root_task_finished(TaskPromiseBase& p) noexcept {
  if (p.failure()) p.executor->record_failure(p.task, p.failure());
  p.executor->root_finished(p.root_slot);
}

}  // namespace detail

// Every wake-up comes through here; defined before its callers (all in this
// file) and inline, so the compiler may fold it into them.
inline void Executor::schedule(std::coroutine_handle<> handle, TaskId task) {
  if (destroying_) return;  // a destructor woke a task whose frame is going away
  const bool was_idle = ready_.empty();
  ready_.push_back(Ready{handle, task});
  if (was_idle && !running_ && on_ready_) on_ready_();
}

void Waker::wake() {
  if (!handle_) return;
  executor_->schedule(std::exchange(handle_, {}), task_);
}

Executor::~Executor() {
  destroying_ = true;
  ready_.clear();
  // Destroying a frame destroys the Tasks it owns, and with them the frames of
  // the awaited children; their awaiters unregister from signals and mailboxes.
  std::vector<Root*> live;
  for (Root& r : roots_)
    if (r.handle) live.push_back(&r);
  std::sort(live.begin(), live.end(), [](const Root* a, const Root* b) { return a->id < b->id; });
  for (Root* r : live) r->handle.destroy();
  roots_.clear();
  live_ = 0;
}

TaskId Executor::spawn(Task<void> task, std::string name) {
  if (!task.valid()) throw std::invalid_argument("hal::Executor::spawn: empty task");
  if (destroying_) throw std::logic_error("hal::Executor::spawn: executor is being destroyed");
  const TaskId id = next_id_++;
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(roots_.size());
    roots_.push_back(Root{{}, id, std::move(name)});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    roots_[slot].id = id;
    roots_[slot].name = std::move(name);
  }
  std::coroutine_handle<> handle;
  if (detail::TaskPromise<void>& p = task.handle_.promise(); !p.started) {
    // The task's own frame is the root.
    p.started = true;
    p.root = true;
    p.root_slot = slot;
    p.executor = this;
    p.task = id;
    handle = std::exchange(task.handle_, {});
  } else {
    // Awaited before: the wrapper's co_await fails as any second await does,
    // and that is recorded as this task's failure.
    const detail::RootTask root = detail::run_root(std::move(task));
    root.handle.promise().executor = this;
    root.handle.promise().task = id;
    root.handle.promise().slot = slot;
    handle = root.handle;
  }
  roots_[slot].handle = handle;
  ++live_;
  schedule(handle, id);
  return id;
}

std::size_t Executor::run_ready(std::size_t budget) {
  if (running_) throw std::logic_error("hal::Executor::run_ready: called from inside a task");
  struct RunningFlag {
    bool& flag;
    explicit RunningFlag(bool& f) : flag(f) { flag = true; }
    ~RunningFlag() { flag = false; }
    RunningFlag(const RunningFlag&) = delete;
    RunningFlag& operator=(const RunningFlag&) = delete;
  } const running(running_);
  std::size_t ran = 0;
  while (ran < budget && !ready_.empty()) {
    const Ready next = ready_.pop_front();
    current_ = next.task;
    ++ran;
    ++resumptions_;
    next.handle.resume();  // never throws: the root frame catches everything
    current_ = 0;
    if (!finished_.empty()) reap_finished();
  }
  return ran;
}

std::string_view Executor::task_name(TaskId task) const {
  if (task == 0) return {};
  for (const Root& r : roots_)  // not on a hot path: names are for failures and logs
    if (r.handle && r.id == task) return r.name;
  return {};
}

void Executor::record_failure(TaskId task, std::exception_ptr e) noexcept {
  try {
    TaskFailure f{task, std::string(task_name(task)), detail::describe(e), e};
    failures_.push_back(std::move(f));
    if (on_failure_) on_failure_(failures_.back());
  } catch (...) {
    // Out of memory or a throwing on_failure: nothing more can be done here.
  }
}

void Executor::reap_finished() {
  for (const std::uint32_t slot : finished_) {
    Root& r = roots_[slot];
    if (!r.handle) continue;
    std::exchange(r.handle, {}).destroy();
    free_slots_.push_back(slot);
    --live_;
  }
  finished_.clear();
}

}  // namespace hal
