#include "devices/xhci/event_ring.hpp"

namespace xhci {

EventRing::Setup EventRing::init(Dma& dma, std::uint64_t erstba, unsigned erstsz) {
  segments_.clear();
  if (erstsz == 0 || (erstba & 0x3F)) return Setup::bad_table;
  std::vector<Segment> segs;
  for (unsigned i = 0; i < erstsz; ++i) {
    std::uint32_t e[4];
    if (!dma.read(erstba + 16ULL * i, e, sizeof e)) return Setup::dma_error;
    const std::uint64_t base = (e[0] & ~0x3Fu) | (std::uint64_t{e[1]} << 32);
    const std::uint32_t size = e[2] & 0xFFFF;
    // §6.5: Ring Segment Size 16..4096 TRBs, base 64-byte aligned.
    if (base == 0 || size < 16 || size > 4096) return Setup::bad_table;
    segs.push_back(Segment{base, size});
  }
  segments_ = std::move(segs);
  seg_ = index_ = 0;
  pcs_ = true;
  full_ = false;
  dequeue_ = segments_[0].base;
  return Setup::ok;
}

std::uint64_t EventRing::enqueue_pointer() const {
  if (segments_.empty()) return 0;
  return segments_[seg_].base + std::uint64_t{index_} * kTrbSize;
}

std::uint64_t EventRing::next_pointer() const {
  unsigned s = seg_, i = index_ + 1;
  if (i >= segments_[s].size) {
    i = 0;
    s = (s + 1) % static_cast<unsigned>(segments_.size());
  }
  return segments_[s].base + std::uint64_t{i} * kTrbSize;
}

EventRing::Post EventRing::post(Dma& dma, Trb ev) {
  if (segments_.empty()) return Post::not_ready;
  if (full_) {
    if (!drained_) {
      ++lost_;
      return Post::dropped;
    }
    full_ = false;  // software made room
  }
  Post result = Post::ok;
  if (next_pointer() == dequeue_) {
    ev = host_controller_event(CompletionCode::event_ring_full);
    full_ = true;
    drained_ = false;
    ++lost_;
    result = Post::became_full;
  }
  ev.set_cycle(pcs_);
  if (!dma.write(enqueue_pointer(), &ev, kTrbSize)) return Post::dma_error;
  if (++index_ >= segments_[seg_].size) {
    index_ = 0;
    if (++seg_ >= segments_.size()) {
      seg_ = 0;
      pcs_ = !pcs_;  // wrapped past the last segment
    }
  }
  return result;
}

}  // namespace xhci
