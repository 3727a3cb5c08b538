// An Event Ring (xHCI 1.2 §4.9.4): segments described by the Event Ring
// Segment Table, produced by the controller with the Producer Cycle State,
// consumed by software, which reports progress through ERDP.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/xhci/dma.hpp"
#include "devices/xhci/trb.hpp"

namespace xhci {

class EventRing {
 public:
  enum class Setup : std::uint8_t { ok, dma_error, bad_table };
  enum class Post : std::uint8_t { ok, became_full, dropped, not_ready, dma_error };

  /// Reads the ERST (ERSTBA written): enqueue at segment 0, PCS = 1 (§4.9.4).
  Setup init(Dma& dma, std::uint64_t erstba, unsigned erstsz);
  void disable() { segments_.clear(); }
  bool ready() const { return !segments_.empty(); }

  /// Software's dequeue pointer (ERDP without its flag bits).
  void set_dequeue(std::uint64_t erdp) {
    dequeue_ = erdp & ~0xFULL;
    if (full_) drained_ = true;  // software moved ERDP since the ring filled
  }
  /// Writes `ev` with the PCS and advances. When only one free TRB is left,
  /// an Event Ring Full Error event takes it instead (§4.9.4) and further
  /// events are dropped until software frees space.
  Post post(Dma& dma, Trb ev);
  std::uint64_t enqueue_pointer() const;
  bool has_unconsumed() const { return full_ || enqueue_pointer() != dequeue_; }
  bool full() const { return full_; }
  unsigned segment_count() const { return static_cast<unsigned>(segments_.size()); }
  std::uint64_t lost() const { return lost_; }

 private:
  struct Segment {
    std::uint64_t base;
    std::uint32_t size;
  };
  std::uint64_t next_pointer() const;

  std::vector<Segment> segments_;
  unsigned seg_ = 0, index_ = 0;
  bool pcs_ = true;
  bool full_ = false;
  bool drained_ = false;
  std::uint64_t dequeue_ = 0;
  std::uint64_t lost_ = 0;
};

}  // namespace xhci
