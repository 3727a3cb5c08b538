#include "drivers/nvmed/queue.hpp"

#include <atomic>
#include <cstring>

#include "drivers/nvmed/regs.hpp"

namespace nvmed {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::completed: return "completed";
    case Outcome::reset: return "reset";
    case Outcome::timed_out: return "timed out";
    case Outcome::offline: return "offline";
  }
  return "?";
}

QueuePair::QueuePair(std::uint16_t qid, std::uint32_t entries, hal::DmaBuffer sq, hal::DmaBuffer cq, hal::Mmio regs,
                     std::uint32_t dstrd, std::uint16_t vector)
    : qid_(qid),
      entries_(entries),
      sq_(sq),
      cq_(cq),
      regs_(regs),
      sq_doorbell_(reg::sq_tail_doorbell(qid, dstrd)),
      cq_doorbell_(reg::cq_head_doorbell(qid, dstrd)),
      vector_(vector),
      slots_(entries > 1 ? entries - 1 : 1) {
  if (entries < 2) throw hal::ErrorException(hal::Error(hal::errc::inval, "queue: fewer than 2 entries"));
  if (sq.size < std::size_t{entries} * kSqeBytes || cq.size < std::size_t{entries} * kCqeBytes)
    throw hal::ErrorException(hal::Error(hal::errc::inval, "queue: ring memory too small"));
  for (std::uint32_t c = 0; c < capacity(); ++c) free_.push_back(static_cast<std::uint16_t>(c));
}

void QueuePair::set_live(bool on) {
  live_ = on;
  if (on) room_.wake_all();
}

std::uint16_t QueuePair::submit(SubmissionEntry sqe, const Pending& p) {
  if (!has_room()) throw hal::ErrorException(hal::Error(hal::errc::again, "queue: submit without room"));
  const std::uint16_t cid = free_.front();
  free_.pop_front();
  Pending& slot = slots_[cid];
  slot = p;
  slot.in_use = true;
  slot.opcode = sqe.opcode();
  ++in_flight_;
  ++submitted_;
  sqe.set_cid(cid);
  std::memcpy(sq_.data + std::size_t{sq_tail_} * kSqeBytes, &sqe, sizeof sqe);
  sq_tail_ = (sq_tail_ + 1) % entries_;
  // The entry must be in memory before the controller can see the new tail.
  std::atomic_thread_fence(std::memory_order_release);
  regs_.write32(sq_doorbell_, sq_tail_);
  return cid;
}

CompletionEntry QueuePair::peek() const {
  CompletionEntry e;
  std::memcpy(&e, cq_.data + std::size_t{cq_head_} * kCqeBytes, sizeof e);
  // The rest of the entry is read only after its Phase Tag said it is new.
  std::atomic_thread_fence(std::memory_order_acquire);
  return e;
}

void QueuePair::advance_head() {
  if (++cq_head_ == entries_) {
    cq_head_ = 0;
    phase_ = !phase_;  // the controller inverts its Phase Tag on each pass
  }
}

void QueuePair::ring_cq_doorbell() { regs_.write32(cq_doorbell_, cq_head_); }

Pending* QueuePair::pending(std::uint16_t cid) {
  if (cid >= slots_.size() || !slots_[cid].in_use) return nullptr;
  return &slots_[cid];
}

std::optional<Pending> QueuePair::take(std::uint16_t cid) {
  Pending* p = pending(cid);
  if (!p) return std::nullopt;
  Pending out = *p;
  *p = Pending{};
  free_.push_back(cid);
  --in_flight_;
  ++completed_;
  room_.wake_all();
  return out;
}

std::vector<std::uint16_t> QueuePair::in_flight_cids() const {
  std::vector<std::uint16_t> v;
  for (std::size_t c = 0; c < slots_.size(); ++c)
    if (slots_[c].in_use) v.push_back(static_cast<std::uint16_t>(c));
  return v;
}

std::vector<Pending> QueuePair::clear() {
  std::vector<Pending> out;
  for (Pending& p : slots_) {
    if (p.in_use) out.push_back(p);
    p = Pending{};
  }
  free_.clear();
  for (std::uint32_t c = 0; c < capacity(); ++c) free_.push_back(static_cast<std::uint16_t>(c));
  in_flight_ = 0;
  live_ = false;
  std::memset(sq_.data, 0, std::size_t{entries_} * kSqeBytes);
  std::memset(cq_.data, 0, std::size_t{entries_} * kCqeBytes);  // no stale Phase Tag may look new
  sq_tail_ = 0;
  cq_head_ = 0;
  sq_head_ = 0;
  phase_ = true;
  return out;
}

}  // namespace nvmed
