// Signal<T>: a one-shot completion slot. One task waits, something else (the
// platform, an interrupt path, another task) completes it:
//
//   hal::Signal<std::uint32_t> done;          // owned by whoever outlives both
//   std::uint32_t v = co_await done;           // in a task
//   done.complete(42);                         // elsewhere
//
// complete() never resumes the waiter inline: it puts it on its executor's
// ready queue. complete() before the await stores the value and the await
// returns at once, so a wake-up cannot be lost. Signal<void> carries no value.
//
// Lifetimes: the waiting task may be destroyed while waiting (its awaiter
// unregisters); the Signal may be destroyed while a task waits (that task then
// never resumes, and is destroyed with its executor). A value is handed to the
// waiter when completed, so the Signal may also go away before the woken task
// runs.
#pragma once

#include <coroutine>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "drivers/hal/waker.hpp"

namespace hal {

namespace detail {
struct Unit {};
}  // namespace detail

template <class T = void>
class Signal {
  using Stored = std::conditional_t<std::is_void_v<T>, detail::Unit, T>;

 public:
  Signal() = default;
  ~Signal() {
    if (waiter_ != nullptr) waiter_->signal_ = nullptr;
  }
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;
  Signal(Signal&&) = delete;
  Signal& operator=(Signal&&) = delete;

  /// Completes the signal: wakes the waiter, or keeps the value for a later
  /// await. Returns false (and drops the value) if it was already completed.
  bool complete(Stored value)
    requires(!std::is_void_v<T>)
  {
    return deliver(std::move(value));
  }
  bool complete()
    requires std::is_void_v<T>
  {
    return deliver(detail::Unit{});
  }

  bool is_completed() const { return completed_; }
  bool has_waiter() const { return waiter_ != nullptr; }

  /// Makes the signal usable for another round. Throws std::logic_error while
  /// a task waits; drops a value nobody awaited.
  void reset() {
    if (waiter_ != nullptr) throw std::logic_error("hal::Signal::reset: a task is waiting");
    completed_ = false;
    value_.reset();
  }

  class Awaiter {
   public:
    explicit Awaiter(Signal* s) noexcept : signal_(s) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() {
      if (signal_ != nullptr && signal_->waiter_ == this) signal_->waiter_ = nullptr;
    }

    bool await_ready() const noexcept { return signal_->value_.has_value(); }

    template <HalPromise P>
    void await_suspend(std::coroutine_handle<P> h) {
      if (signal_->waiter_ != nullptr) throw std::logic_error("hal::Signal: another task is already waiting");
      if (signal_->completed_) throw std::logic_error("hal::Signal: already completed and consumed");
      waker_ = Waker::for_coroutine(h);
      signal_->waiter_ = this;
    }

    T await_resume() {
      Stored v = slot_.has_value() ? std::move(*slot_) : signal_->take();
      if constexpr (!std::is_void_v<T>) return v;
    }

   private:
    friend class Signal;
    Signal* signal_;
    Waker waker_;
    std::optional<Stored> slot_;
  };

  Awaiter operator co_await() noexcept { return Awaiter(this); }

 private:
  bool deliver(Stored&& value) {
    if (completed_) return false;
    completed_ = true;
    if (waiter_ != nullptr) {
      Awaiter* w = std::exchange(waiter_, nullptr);
      w->slot_.emplace(std::move(value));
      w->signal_ = nullptr;
      w->waker_.wake();
    } else {
      value_.emplace(std::move(value));
    }
    return true;
  }

  Stored take() {
    Stored v = std::move(*value_);
    value_.reset();
    return v;
  }

  Awaiter* waiter_ = nullptr;
  std::optional<Stored> value_;
  bool completed_ = false;
};

}  // namespace hal
