// A producer ring the controller consumes: the command ring and every
// transfer ring (xHCI 1.2 §4.9.2). TRBs whose cycle bit equals the Consumer
// Cycle State belong to the controller; Link TRBs move the dequeue pointer to
// another segment and, with Toggle Cycle, flip the cycle state.
#pragma once

#include <cstdint>

#include "devices/xhci/dma.hpp"
#include "devices/xhci/trb.hpp"

namespace xhci {

enum class Fetch : std::uint8_t { ok, empty, dma_error, bad_link };

class TrbRing {
 public:
  /// Link TRBs followed in a row before the ring is declared malformed.
  static constexpr unsigned kMaxLinks = 32;

  void set(std::uint64_t dequeue, bool cycle) {
    dequeue_ = dequeue & ~0xFULL;
    cycle_ = cycle;
  }
  std::uint64_t dequeue() const { return dequeue_; }
  bool cycle() const { return cycle_; }

  /// The TRB at the dequeue pointer, after following Link TRBs (which are
  /// consumed). Does not advance past the returned TRB.
  Fetch peek(Dma& dma, Trb& trb, std::uint64_t& address);
  void advance() { dequeue_ += kTrbSize; }

 private:
  std::uint64_t dequeue_ = 0;
  bool cycle_ = true;
};

}  // namespace xhci
