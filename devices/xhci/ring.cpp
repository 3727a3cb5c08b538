#include "devices/xhci/ring.hpp"

namespace xhci {

Fetch TrbRing::peek(Dma& dma, Trb& trb, std::uint64_t& address) {
  for (unsigned links = 0;; ++links) {
    address = dequeue_;
    if (dequeue_ == 0) return Fetch::bad_link;
    if (!dma.read(dequeue_, &trb, kTrbSize)) return Fetch::dma_error;
    if (trb.cycle() != cycle_) return Fetch::empty;
    if (trb.type() != TrbType::link) return Fetch::ok;
    if (links >= kMaxLinks) return Fetch::bad_link;
    // §6.4.4.1: Ring Segment Pointer, 16-byte aligned (bits 3:0 reserved).
    const std::uint64_t next = trb.parameter() & ~0xFULL;
    if (next == 0) return Fetch::bad_link;
    if (trb.flag(kTrbToggleCycle)) cycle_ = !cycle_;
    dequeue_ = next;
  }
}

}  // namespace xhci
