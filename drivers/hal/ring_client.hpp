// Awaitable ends of a ring pair, for driver code:
//   RingClient  — the consumer: call() submits an SQE and awaits its CQE;
//   RingServer  — the producer: next() awaits the next SQE, reply() answers.
// The platform (the kernel model) moves the notifications: when one side
// "kicks", it tells the other side's on_*() method, which never resumes a task
// inline (it only wakes waiters onto their executor's ready queue).
//
// Matching: call() stamps each SQE with a fresh user_data and completes the
// caller whose user_data comes back. CQEs flagged EVENT (subscriptions) and
// CQEs nobody waits for go to events(). A full SQ makes call() wait for room;
// a full CQ makes reply() keep the CQE on an overflow list, in order, until
// the consumer makes room: nothing is lost (docs/hal.md).
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/dma.hpp"
#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/pending_table.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/ring_pair.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/task.hpp"

namespace hal {

/// Tasks waiting for "something changed"; wake_all() wakes every one.
/// `co_await list.wait()` suspends until the next wake_all(). The awaiter
/// lives in the waiting coroutine's frame (no frame of its own) and leaves
/// the list if that coroutine is destroyed while waiting.
class WaitList {
 public:
  class Awaiter {
   public:
    explicit Awaiter(WaitList* list) noexcept : list_(list) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() {
      if (list_ != nullptr) std::erase(list_->waiters_, this);
    }

    bool await_ready() const noexcept { return false; }
    template <HalPromise P>
    void await_suspend(std::coroutine_handle<P> h) {
      waker_ = Waker::for_coroutine(h);
      list_->waiters_.push_back(this);
    }
    void await_resume() const noexcept {}

   private:
    friend class WaitList;
    WaitList* list_;  // null once woken (or the list is gone)
    Waker waker_;
  };

  WaitList() = default;
  ~WaitList() {
    for (Awaiter* a : waiters_) a->list_ = nullptr;
  }
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  Awaiter wait() { return Awaiter(this); }
  /// Wakes the waiters in the order they started waiting.
  void wake_all() {
    if (waiters_.empty()) return;
    std::vector<Awaiter*> w;
    w.swap(waiters_);
    for (Awaiter* a : w) {
      a->list_ = nullptr;
      a->waker_.wake();
    }
  }
  bool empty() const { return waiters_.empty(); }

 private:
  std::vector<Awaiter*> waiters_;
};

class RingClient {
 public:
  /// `kick` tells the producer there are new SQEs (a syscall: ring enter).
  RingClient(RingConsumer consumer, std::function<void()> kick, DmaBuffer pool = {});
  RingClient(const RingClient&) = delete;
  RingClient& operator=(const RingClient&) = delete;

  /// Submits `sqe` (its user_data is replaced) and waits for the answer.
  /// After shutdown the CQE carries -ESHUTDOWN.
  Task<CqEntry64> call(SqEntry64 sqe);
  /// call(), then the status as a Result.
  Task<Result<std::uint64_t>> call_status(SqEntry64 sqe);

  /// Platform side: the producer pushed CQEs (or shut the ring down).
  void on_completions();

  /// Subscription events and CQEs no caller waited for.
  Mailbox<CqEntry64>& events() { return events_; }
  /// The shared buffer pool of this ring (SQE addr/len are offsets into it).
  const DmaBuffer& pool() const { return pool_; }
  std::size_t in_flight() const { return pending_.size(); }
  std::uint64_t stray_completions() const { return stray_; }
  /// Closes this side: the producer drains what was submitted, then sees ESHUTDOWN.
  void shut_down();
  bool is_shut_down() { return consumer_.sq().is_shut_down(); }

 private:
  class Call;

  RingConsumer consumer_;
  std::function<void()> kick_;
  DmaBuffer pool_;
  std::uint64_t next_user_data_ = 1;
  PendingTable<Signal<CqEntry64>*> pending_;
  WaitList room_;
  Mailbox<CqEntry64> events_;
  std::uint64_t stray_ = 0;
};

class RingServer {
 public:
  /// `kick` tells the consumer there are new CQEs. `pool` is the consumer's
  /// buffer pool as the producer may see it (empty when the kernel manages
  /// buffers, as for forwarded scheme requests).
  RingServer(RingProducer producer, std::function<void()> kick, DmaBuffer pool = {}, std::uint32_t peer = 0);
  RingServer(const RingServer&) = delete;
  RingServer& operator=(const RingServer&) = delete;

  /// The next request; ESHUTDOWN once the consumer closed and all it
  /// submitted was taken; EPROTO if the ring memory is corrupt.
  Task<Result<SqEntry64>> next();
  /// Answers a request (kept in order on an overflow list while the CQ is full).
  void reply(const CqEntry64& cqe);
  void reply(const SqEntry64& sqe, std::uint64_t status, std::uint64_t extra = 0) {
    reply(CqEntry64{sqe.user_data, status, 0, extra});
  }
  void reply_error(const SqEntry64& sqe, int code) { reply(sqe, status_from_errno(code)); }

  /// Pool access for SQE addr/len: EFAULT unless the range lies in the pool.
  Result<DmaBuffer> buffer(std::uint64_t offset, std::uint64_t len) const;

  /// Platform side: the consumer pushed SQEs or closed.
  void on_submissions();
  /// Platform side: the consumer took CQEs; flushes the overflow list.
  /// Returns true if anything was pushed.
  bool on_room();

  std::uint32_t peer() const { return peer_; }
  std::size_t overflowed() const { return overflow_.size(); }
  void shut_down();

 private:
  RingProducer producer_;
  std::function<void()> kick_;
  DmaBuffer pool_;
  std::uint32_t peer_;
  std::deque<CqEntry64> overflow_;
  WaitList arrivals_;
};

}  // namespace hal
