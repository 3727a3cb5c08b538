// Mailbox<T>: a multi-shot queue a task awaits. The platform (or another
// task) pushes items; a task takes them in order:
//
//   hal::Mailbox<Event> events;
//   while (std::optional<Event> e = co_await events.next()) handle(*e);
//
// Items pushed while nobody waits are kept in order. Several tasks may wait;
// they are served in the order they started waiting, each item handed to one
// waiter. A push never resumes a waiter inline: it puts it on its executor's
// ready queue. close() ends the stream: waiters and later awaits get
// std::nullopt once the queued items are taken.
#pragma once

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "drivers/hal/waker.hpp"

namespace hal {

template <class T>
class Mailbox {
 public:
  Mailbox() = default;
  ~Mailbox() {
    for (NextAwaiter* w : waiters_) w->mailbox_ = nullptr;
  }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  Mailbox(Mailbox&&) = delete;
  Mailbox& operator=(Mailbox&&) = delete;

  /// Hands the item to the longest-waiting task, or queues it. Returns false
  /// (and drops the item) after close().
  bool push(T item) {
    if (closed_) return false;
    if (waiters_.empty()) {
      items_.push_back(std::move(item));
      return true;
    }
    NextAwaiter* w = waiters_.front();
    waiters_.pop_front();
    w->slot_.emplace(std::move(item));
    w->mailbox_ = nullptr;
    w->waker_.wake();
    return true;
  }

  /// No more items: wakes every waiter with std::nullopt. Queued items can
  /// still be taken.
  void close() {
    closed_ = true;
    while (!waiters_.empty()) {
      NextAwaiter* w = waiters_.front();
      waiters_.pop_front();
      w->mailbox_ = nullptr;
      w->waker_.wake();
    }
  }

  /// The next queued item without waiting, if any.
  std::optional<T> try_next() {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    return item;
  }

  bool closed() const { return closed_; }
  /// Items queued (pushed while nobody waited).
  std::size_t size() const { return items_.size(); }
  /// Tasks waiting.
  std::size_t waiting() const { return waiters_.size(); }

  class NextAwaiter {
   public:
    explicit NextAwaiter(Mailbox* m) noexcept : mailbox_(m) {}
    NextAwaiter(const NextAwaiter&) = delete;
    NextAwaiter& operator=(const NextAwaiter&) = delete;
    ~NextAwaiter() {
      if (mailbox_ == nullptr) return;
      auto& w = mailbox_->waiters_;
      w.erase(std::remove(w.begin(), w.end(), this), w.end());
    }

    bool await_ready() const noexcept { return !mailbox_->items_.empty() || mailbox_->closed_; }

    template <HalPromise P>
    void await_suspend(std::coroutine_handle<P> h) {
      waker_ = Waker::for_coroutine(h);
      mailbox_->waiters_.push_back(this);
    }

    /// The item, or std::nullopt if the mailbox was closed and is empty.
    std::optional<T> await_resume() {
      if (slot_.has_value()) return std::move(slot_);
      if (mailbox_ != nullptr) return mailbox_->try_next();
      return std::nullopt;
    }

   private:
    friend class Mailbox;
    Mailbox* mailbox_;
    Waker waker_;
    std::optional<T> slot_;
  };

  /// co_await mailbox.next() gives the next item (std::optional<T>).
  NextAwaiter next() { return NextAwaiter(this); }

 private:
  std::deque<T> items_;
  std::deque<NextAwaiter*> waiters_;
  bool closed_ = false;
};

}  // namespace hal
