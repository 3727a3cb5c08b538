#include "drivers/hal/ring_pair.hpp"

#include <utility>

namespace hal {

Result<void> init_ring_pair(const RingPair& pair, std::uint32_t sq_count, std::uint32_t cq_count) {
  Result<RingView<SqEntry64>> sq = RingView<SqEntry64>::create(pair.sq_header, pair.sq_entries, sq_count);
  if (!sq) return sq.error().with_context("SQ");
  Result<RingView<CqEntry64>> cq = RingView<CqEntry64>::create(pair.cq_header, pair.cq_entries, cq_count);
  if (!cq) return cq.error().with_context("CQ");
  return ok();
}

Result<RingConsumer> RingConsumer::attach(const RingPair& pair) {
  Result<RingView<SqEntry64>> sq = RingView<SqEntry64>::attach(pair.sq_header, pair.sq_entries);
  if (!sq) return sq.error().with_context("consumer SQ");
  Result<RingView<CqEntry64>> cq = RingView<CqEntry64>::attach(pair.cq_header, pair.cq_entries);
  if (!cq) return cq.error().with_context("consumer CQ");
  return RingConsumer(*sq, *cq);
}

Result<RingProducer> RingProducer::attach(const RingPair& pair) {
  Result<RingView<SqEntry64>> sq = RingView<SqEntry64>::attach(pair.sq_header, pair.sq_entries);
  if (!sq) return sq.error().with_context("producer SQ");
  Result<RingView<CqEntry64>> cq = RingView<CqEntry64>::attach(pair.cq_header, pair.cq_entries);
  if (!cq) return cq.error().with_context("producer CQ");
  return RingProducer(*sq, *cq);
}

Result<RingPairStorage> RingPairStorage::create(std::uint32_t sq_count, std::uint32_t cq_count) {
  if (Result<void> r = check_ring_entry_count(sq_count); !r) return r.error().with_context("SQ");
  if (Result<void> r = check_ring_entry_count(cq_count); !r) return r.error().with_context("CQ");
  RingPairStorage s;
  s.sq_header_ = std::make_unique<RingHeader>();
  s.cq_header_ = std::make_unique<RingHeader>();
  s.sq_entries_.resize(sq_count);
  s.cq_entries_.resize(cq_count);
  s.pair_ = RingPair{s.sq_header_.get(), s.sq_entries_, s.cq_header_.get(), s.cq_entries_};
  if (Result<void> r = init_ring_pair(s.pair_, sq_count, cq_count); !r) return r.error();
  return s;
}

}  // namespace hal
