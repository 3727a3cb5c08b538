#include "drivers/hal/ring_client.hpp"

#include <utility>

namespace hal {

RingClient::RingClient(RingConsumer consumer, std::function<void()> kick, DmaBuffer pool)
    : consumer_(std::move(consumer)), kick_(std::move(kick)), pool_(pool) {}

// One call in flight: stamps the SQE with a fresh user_data and registers the
// caller in pending_; a task destroyed while waiting leaves no entry behind.
class RingClient::Call {
 public:
  Call(RingClient& client, SqEntry64& sqe) : client_(client), key_(client.next_user_data_++) {
    sqe.user_data = key_;
    client_.pending_.insert(key_, &done);
  }
  ~Call() {
    if (!done.is_completed()) client_.pending_.erase(key_);  // whoever completes it took it out
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  /// The CQE a call ends with when its SQE could not be submitted.
  CqEntry64 failed(RingStatus st) const {
    const int code = st == RingStatus::shut_down ? errc::shutdown : errc::proto;
    return CqEntry64{key_, status_from_errno(code), 0, 0};
  }

  Signal<CqEntry64> done;

 private:
  RingClient& client_;
  std::uint64_t key_;
};

// call() and call_status() repeat the submission loop instead of one awaiting
// the other: a call is on every request's path, and the second coroutine
// frame (and its two symmetric transfers) cost more than the few lines.
Task<CqEntry64> RingClient::call(SqEntry64 sqe) {
  Call c(*this, sqe);
  RingStatus st = consumer_.sq().push_status(sqe);
  while (st == RingStatus::again) {
    co_await room_.wait();
    st = consumer_.sq().push_status(sqe);
  }
  if (st != RingStatus::ok) co_return c.failed(st);
  if (kick_) kick_();
  co_return co_await c.done;
}

Task<Result<std::uint64_t>> RingClient::call_status(SqEntry64 sqe) {
  Call c(*this, sqe);
  RingStatus st = consumer_.sq().push_status(sqe);
  while (st == RingStatus::again) {
    co_await room_.wait();
    st = consumer_.sq().push_status(sqe);
  }
  if (st != RingStatus::ok) co_return error_from_status(c.failed(st).status, "ring call");
  if (kick_) kick_();
  const CqEntry64 cqe = co_await c.done;
  if (status_is_error(cqe.status)) co_return error_from_status(cqe.status, "ring call");
  co_return cqe.status;
}

void RingClient::on_completions() {
  CqEntry64 c;
  bool took = false;
  RingStatus st;
  while ((st = consumer_.cq().pop_status(c)) == RingStatus::ok) {
    took = true;
    if (c.flags & kCqeEvent) {
      events_.push(c);
      continue;
    }
    Signal<CqEntry64>* s = nullptr;
    if (!pending_.take(c.user_data, s)) {
      ++stray_;
      events_.push(c);
      continue;
    }
    s->complete(c);
  }
  if (took) room_.wake_all();
  // The pop that ended the loop read the header: EAGAIN means it was running
  // (waking only queues tasks, so nothing has changed it since).
  if (st != RingStatus::again) {
    // The producer is gone: nothing more will come for the callers left.
    for (auto& [ud, s] : pending_.take_all()) s->complete(CqEntry64{ud, status_from_errno(errc::shutdown), 0, 0});
    room_.wake_all();
  }
}

void RingClient::shut_down() {
  consumer_.shut_down();
  if (kick_) kick_();
}

RingServer::RingServer(RingProducer producer, std::function<void()> kick, DmaBuffer pool, std::uint32_t peer)
    : producer_(std::move(producer)), kick_(std::move(kick)), pool_(pool), peer_(peer) {}

Task<Result<SqEntry64>> RingServer::next() {
  for (;;) {
    SqEntry64 sqe{};
    const RingStatus st = producer_.sq().pop_status(sqe);
    if (st == RingStatus::ok) co_return sqe;
    if (st != RingStatus::again) co_return producer_.take();  // the ESHUTDOWN or EPROTO error
    co_await arrivals_.wait();
  }
}

void RingServer::reply(const CqEntry64& cqe) {
  if (!overflow_.empty() || !producer_.try_complete(cqe)) {
    if (producer_.cq().is_shut_down()) return;  // the consumer is gone: nobody to tell
    overflow_.push_back(cqe);
    return;
  }
  if (kick_) kick_();
}

bool RingServer::on_room() {
  bool pushed = false;
  while (!overflow_.empty() && producer_.try_complete(overflow_.front())) {
    overflow_.pop_front();
    pushed = true;
  }
  if (pushed && kick_) kick_();
  return pushed;
}

Result<DmaBuffer> RingServer::buffer(std::uint64_t offset, std::uint64_t len) const {
  if (!pool_.valid() || len == 0 || offset > pool_.size || len > pool_.size - offset)
    return Error(errc::fault, "ring buffer outside the pool");
  return DmaBuffer{pool_.phys + offset, pool_.data + offset, static_cast<std::size_t>(len)};
}

void RingServer::on_submissions() { arrivals_.wake_all(); }

void RingServer::shut_down() {
  producer_.shut_down();
  arrivals_.wake_all();
  if (kick_) kick_();
}

}  // namespace hal
