#include "drivers/hal/ring_client.hpp"

#include <utility>

namespace hal {

Task<void> WaitList::wait() {
  Signal<void> s;
  waiters_.push_back(&s);
  struct Unlist {
    std::vector<Signal<void>*>& v;
    Signal<void>* s;
    ~Unlist() { std::erase(v, s); }
  } unlist{waiters_, &s};
  co_await s;
}

void WaitList::wake_all() {
  std::vector<Signal<void>*> w;
  w.swap(waiters_);
  for (Signal<void>* s : w) s->complete();
}

RingClient::RingClient(RingConsumer consumer, std::function<void()> kick, DmaBuffer pool)
    : consumer_(std::move(consumer)), kick_(std::move(kick)), pool_(pool) {}

Task<CqEntry64> RingClient::call(SqEntry64 sqe) {
  sqe.user_data = next_user_data_++;
  Signal<CqEntry64> done;
  pending_.emplace(sqe.user_data, &done);
  struct Forget {  // a task destroyed while waiting leaves no dangling entry
    std::map<std::uint64_t, Signal<CqEntry64>*>& m;
    std::uint64_t key;
    ~Forget() { m.erase(key); }
  } forget{pending_, sqe.user_data};
  for (;;) {
    const Result<void> r = consumer_.submit(sqe);
    if (r) break;
    if (!r.error().is(errc::again)) co_return CqEntry64{sqe.user_data, status_from_errno(r.error().code()), 0, 0};
    co_await room_.wait();
  }
  if (kick_) kick_();
  co_return co_await done;
}

Task<Result<std::uint64_t>> RingClient::call_status(SqEntry64 sqe) {
  const CqEntry64 c = co_await call(sqe);
  co_return result_from_status(c.status, "ring call");
}

void RingClient::on_completions() {
  CqEntry64 c;
  bool took = false;
  while (consumer_.try_reap(c)) {
    took = true;
    if (c.flags & kCqeEvent) {
      events_.push(c);
      continue;
    }
    const auto it = pending_.find(c.user_data);
    if (it == pending_.end()) {
      ++stray_;
      events_.push(c);
      continue;
    }
    Signal<CqEntry64>* s = it->second;
    pending_.erase(it);
    s->complete(c);
  }
  if (took) room_.wake_all();
  if (consumer_.cq().is_shut_down()) {
    // The producer is gone: nothing more will come for the callers left.
    auto left = std::move(pending_);
    pending_.clear();
    for (auto& [ud, s] : left) s->complete(CqEntry64{ud, status_from_errno(errc::shutdown), 0, 0});
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
    Result<SqEntry64> r = producer_.take();
    if (r || !r.error().is(errc::again)) co_return r;
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
