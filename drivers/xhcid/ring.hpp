// The rings xhcid shares with the controller (xHCI 1.2 §4.9):
//  - ProducerRing: a command ring or a transfer ring. xhcid produces TRBs,
//    the controller consumes them. One segment whose last TRB is a Link TRB
//    back to the start with Toggle Cycle; a TRB belongs to the controller
//    when its cycle bit equals the Producer Cycle State (§4.9.2).
//  - EventRing: the controller produces events, xhcid consumes them. One
//    segment (ERSTSZ = 1); an event is new when its cycle bit equals the
//    Consumer Cycle State, which toggles at every wrap (§4.9.4).
// Both work on a hal::DmaBuffer: `phys` goes to the controller, `data` is
// xhcid's view of the same bytes. Pure logic, unit-tested on heap memory.
#pragma once

#include <cstdint>

#include "drivers/hal/dma.hpp"
#include "drivers/xhcid/trb.hpp"

namespace xhcid {

class ProducerRing {
 public:
  ProducerRing() = default;
  /// `memory`: 64-byte aligned, at least two TRBs; it is (re)initialised.
  explicit ProducerRing(hal::DmaBuffer memory);

  bool valid() const { return trbs_ >= 2; }
  /// Zeroes the ring and starts over: enqueue at the first TRB, PCS = 1.
  void reset();

  /// TRBs a TD may use (all but the Link TRB).
  unsigned capacity() const { return trbs_ - 1; }
  unsigned in_use() const { return in_use_; }
  unsigned free_trbs() const { return capacity() - in_use_; }

  /// Writes `t` at the enqueue pointer with the producer cycle bit (DW3 last,
  /// so the controller never sees half a TRB) and returns its address. Past
  /// the last usable TRB it hands the Link TRB over (with `t`'s chain bit, so
  /// a TD may span the wrap, §4.11.5.1) and toggles the cycle state.
  /// Precondition: free_trbs() > 0.
  std::uint64_t push(Trb t);
  /// The controller is done with `n` TRBs (a completed TD).
  void release(unsigned n) { in_use_ = n > in_use_ ? 0 : in_use_ - n; }
  /// After Set TR Dequeue Pointer to the enqueue pointer: nothing in use.
  void release_all() { in_use_ = 0; }

  std::uint64_t enqueue_pointer() const { return mem_.phys + std::uint64_t{index_} * kTrbSize; }
  bool cycle() const { return cycle_; }
  std::uint64_t base() const { return mem_.phys; }
  unsigned size() const { return trbs_; }
  /// The TRB stored at `index` (tests, diagnostics).
  Trb at(unsigned index) const;

 private:
  void write(unsigned index, const Trb& t);

  hal::DmaBuffer mem_;
  unsigned trbs_ = 0;
  unsigned index_ = 0;
  bool cycle_ = true;
  unsigned in_use_ = 0;
};

class EventRing {
 public:
  EventRing() = default;
  /// One segment of `memory.size / 16` TRBs (16 .. 4096, §6.5), zeroed.
  explicit EventRing(hal::DmaBuffer segment);

  bool valid() const { return trbs_ >= 16; }
  void reset();
  /// True if the TRB at the dequeue pointer is a new event.
  bool has_event() const;
  /// The event at the dequeue pointer. Precondition: has_event().
  Trb peek() const;
  /// Consumes it: advances the dequeue pointer, toggling CCS at the wrap.
  void pop();
  /// What goes into ERDP (with EHB to clear the handler-busy flag).
  std::uint64_t dequeue_pointer() const { return mem_.phys + std::uint64_t{index_} * kTrbSize; }
  bool cycle() const { return ccs_; }
  std::uint64_t base() const { return mem_.phys; }
  unsigned size() const { return trbs_; }

 private:
  hal::DmaBuffer mem_;
  unsigned trbs_ = 0;
  unsigned index_ = 0;
  bool ccs_ = true;
};

/// The Event Ring Segment Table entry (§6.5): 16 bytes.
void write_erst_entry(const hal::DmaBuffer& erst, unsigned index, std::uint64_t segment, unsigned trbs);

}  // namespace xhcid
