// A ring pair: a submission queue (SQ) and a completion queue (CQ), and the
// two sides of it, named as in the Redox io_uring RFC:
//   the consumer makes requests: pushes SQEs, pops CQEs   (RingConsumer)
//   the producer serves them:    pops SQEs, pushes CQEs   (RingProducer)
// Whoever sets the pair up calls init_ring_pair() once; each side then
// attaches to the same memory. RingPairStorage owns such memory in the host
// heap (tests, rings the kernel model keeps to itself).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "drivers/hal/result.hpp"
#include "drivers/hal/ring_abi.hpp"
#include "drivers/hal/ring_view.hpp"

namespace hal {

/// Where the four regions of a ring pair are.
struct RingPair {
  RingHeader* sq_header = nullptr;
  std::span<SqEntry64> sq_entries;
  RingHeader* cq_header = nullptr;
  std::span<CqEntry64> cq_entries;
};

/// Writes fresh headers (empty, running) for both rings.
Result<void> init_ring_pair(const RingPair& pair, std::uint32_t sq_count, std::uint32_t cq_count);

/// The side that makes requests.
class RingConsumer {
 public:
  static Result<RingConsumer> attach(const RingPair& pair);

  /// Pushes a request. EAGAIN when the SQ is full; see RingView::push.
  Result<void> submit(const SqEntry64& sqe) { return sq_.push(sqe); }
  bool try_submit(const SqEntry64& sqe) { return sq_.try_push(sqe); }
  /// Pops a completion. EAGAIN when the CQ is empty; see RingView::pop.
  Result<CqEntry64> reap() { return cq_.pop(); }
  bool try_reap(CqEntry64& out) { return cq_.try_pop(out); }

  /// Shuts both rings down: the producer drains the SQ, then sees ESHUTDOWN.
  void shut_down() {
    sq_.shut_down();
    cq_.shut_down();
  }

  RingView<SqEntry64>& sq() { return sq_; }
  RingView<CqEntry64>& cq() { return cq_; }

 private:
  RingConsumer(RingView<SqEntry64> sq, RingView<CqEntry64> cq) : sq_(sq), cq_(cq) {}
  RingView<SqEntry64> sq_;
  RingView<CqEntry64> cq_;
};

/// The side that serves requests.
class RingProducer {
 public:
  static Result<RingProducer> attach(const RingPair& pair);

  /// Pops a request. EAGAIN when the SQ is empty; see RingView::pop.
  Result<SqEntry64> take() { return sq_.pop(); }
  bool try_take(SqEntry64& out) { return sq_.try_pop(out); }
  /// Pushes a completion. EAGAIN when the CQ is full; see RingView::push.
  Result<void> complete(const CqEntry64& cqe) { return cq_.push(cqe); }
  bool try_complete(const CqEntry64& cqe) { return cq_.try_push(cqe); }

  /// Shuts both rings down: the consumer drains the CQ, then sees ESHUTDOWN.
  void shut_down() {
    sq_.shut_down();
    cq_.shut_down();
  }

  RingView<SqEntry64>& sq() { return sq_; }
  RingView<CqEntry64>& cq() { return cq_; }

 private:
  RingProducer(RingView<SqEntry64> sq, RingView<CqEntry64> cq) : sq_(sq), cq_(cq) {}
  RingView<SqEntry64> sq_;
  RingView<CqEntry64> cq_;
};

/// Heap memory for one ring pair, initialised. Movable; the memory does not
/// move with it, so pair() stays valid.
class RingPairStorage {
 public:
  static Result<RingPairStorage> create(std::uint32_t sq_count, std::uint32_t cq_count);
  const RingPair& pair() const { return pair_; }

 private:
  RingPairStorage() = default;
  std::unique_ptr<RingHeader> sq_header_;
  std::unique_ptr<RingHeader> cq_header_;
  std::vector<SqEntry64> sq_entries_;
  std::vector<CqEntry64> cq_entries_;
  RingPair pair_;
};

}  // namespace hal
