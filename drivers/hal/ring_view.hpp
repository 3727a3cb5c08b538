// RingView<Entry>: one side's view of a ring (a RingHeader and its entries) in
// memory shared with an untrusted other side.
//
// A view either pushes (writes entries and tail) or pops (reads entries,
// writes head); ring_pair.hpp assigns those roles to the consumer and the
// producer. head and tail run modulo 2 × count, so a full ring
// (tail - head == count) differs from an empty one (head == tail).
//
// The other side may write anything into the header at any time. Every
// operation reads the header once, checks it (entry_count unchanged, head and
// tail below 2 × count, at most count entries in flight, status 0 or 1) and
// only then indexes the entries, so a corrupted header can never cause an
// out-of-bounds access. A view that saw a corrupted header stays corrupt: it
// behaves as shut down and reports EPROTO.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <type_traits>

#include "drivers/hal/error.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/ring_abi.hpp"

namespace hal {

enum class RingState : std::uint8_t { running, shut_down, corrupt };

/// The outcome of one push or pop, as the errors push()/pop() would carry:
/// again (EAGAIN), shut_down (ESHUTDOWN), corrupt (EPROTO).
enum class RingStatus : std::uint8_t { ok, again, shut_down, corrupt };

/// Largest entry count a ring may have (2^16).
inline constexpr std::uint32_t kMaxRingEntries = 1u << 16;

/// Ok if `count` is a power of two in [1, kMaxRingEntries], else EINVAL.
Result<void> check_ring_entry_count(std::uint32_t count);

template <class Entry>
class RingView {
  static_assert(std::is_trivially_copyable_v<Entry>);

 public:
  /// Initialises a fresh ring in `header` (count entries, empty, running) and
  /// returns a view of it. EINVAL for a bad count, an entry span shorter than
  /// count, or a misaligned header.
  static Result<RingView> create(RingHeader* header, std::span<Entry> entries, std::uint32_t count) {
    if (Result<void> r = check_memory(header, entries, count); !r) return r.error();
    std::atomic_ref<std::uint64_t>(header->head).store(0, std::memory_order_relaxed);
    std::atomic_ref<std::uint64_t>(header->tail).store(0, std::memory_order_relaxed);
    std::atomic_ref<std::uint32_t>(header->reserved0).store(0, std::memory_order_relaxed);
    std::atomic_ref<std::uint32_t>(header->reserved1).store(0, std::memory_order_relaxed);
    std::atomic_ref<std::uint32_t>(header->entry_count).store(count, std::memory_order_relaxed);
    std::atomic_ref<std::uint32_t>(header->status).store(kRingRunning, std::memory_order_release);
    return RingView(header, entries.data(), count);
  }

  /// A view of a ring the other side created. EINVAL for a bad entry_count or
  /// one larger than the entry span; EPROTO for an inconsistent header.
  static Result<RingView> attach(RingHeader* header, std::span<Entry> entries) {
    if (header == nullptr) return Error(errc::inval, "ring attach: null header");
    const std::uint32_t count = std::atomic_ref<std::uint32_t>(header->entry_count).load(std::memory_order_acquire);
    if (Result<void> r = check_memory(header, entries, count); !r) return r.error();
    RingView view(header, entries.data(), count);
    if (!view.snapshot().valid) return Error(errc::proto, "ring attach: corrupted header");
    return view;
  }

  /// Appends an entry. EAGAIN when full, ESHUTDOWN when shut down, EPROTO
  /// when the header is corrupted.
  Result<void> push(const Entry& entry) {
    switch (push_status(entry)) {
      case RingStatus::ok:
        return ok();
      case RingStatus::again:
        return Error(errc::again, "ring push: full");
      case RingStatus::shut_down:
        return Error(errc::shutdown, "ring push: shut down");
      case RingStatus::corrupt:
        break;
    }
    return corrupt_error();
  }

  /// Takes the oldest entry. EAGAIN when empty, ESHUTDOWN when shut down and
  /// empty (entries pushed before the shutdown are still returned), EPROTO
  /// when the header is corrupted.
  Result<Entry> pop() {
    Entry entry{};
    switch (pop_status(entry)) {
      case RingStatus::ok:
        return entry;
      case RingStatus::again:
        return Error(errc::again, "ring pop: empty");
      case RingStatus::shut_down:
        return Error(errc::shutdown, "ring pop: shut down");
      case RingStatus::corrupt:
        break;
    }
    return corrupt_error();
  }

  /// push() without building an Error (the hot path: "full" is routine).
  RingStatus push_status(const Entry& entry) {
    const Snapshot s = snapshot();
    if (!s.valid) return RingStatus::corrupt;
    if (s.status != kRingRunning) return RingStatus::shut_down;
    if (s.used == count_) return RingStatus::again;
    entries_[s.tail & (count_ - 1)] = entry;
    tail_ref().store(advance(s.tail), std::memory_order_release);  // publishes the entry
    return RingStatus::ok;
  }

  /// pop() without building an Error (the hot path: "empty" is routine).
  /// `out` is written only on RingStatus::ok.
  RingStatus pop_status(Entry& out) {
    const Snapshot s = snapshot();
    if (!s.valid) return RingStatus::corrupt;
    if (s.used == 0) return s.status != kRingRunning ? RingStatus::shut_down : RingStatus::again;
    out = entries_[s.head & (count_ - 1)];
    head_ref().store(advance(s.head), std::memory_order_release);  // frees the slot
    return RingStatus::ok;
  }

  /// push() as a bool: false when full, shut down or corrupt.
  bool try_push(const Entry& entry) { return push_status(entry) == RingStatus::ok; }

  /// pop() as a bool: false when empty, shut down and drained, or corrupt.
  bool try_pop(Entry& out) { return pop_status(out) == RingStatus::ok; }

  /// Entries in flight (0 if corrupt).
  std::uint32_t size() const {
    const Snapshot s = snapshot();
    return s.valid ? s.used : 0;
  }
  /// Entries that can be pushed now (0 if corrupt or shut down).
  std::uint32_t free_space() const {
    const Snapshot s = snapshot();
    return s.valid && s.status == kRingRunning ? count_ - s.used : 0;
  }
  std::uint32_t capacity() const { return count_; }

  RingState state() const {
    const Snapshot s = snapshot();
    if (!s.valid) return RingState::corrupt;
    return s.status == kRingRunning ? RingState::running : RingState::shut_down;
  }
  /// True when shut down by either side, or corrupt.
  bool is_shut_down() const { return state() != RingState::running; }
  bool is_corrupt() const { return state() == RingState::corrupt; }

  /// Ok while running; ESHUTDOWN or EPROTO otherwise.
  Result<void> check() const {
    switch (state()) {
      case RingState::running:
        return ok();
      case RingState::shut_down:
        return Error(errc::shutdown, "ring shut down");
      case RingState::corrupt:
        break;
    }
    return corrupt_error();
  }

  /// Marks the ring shut down for both sides. The other side may still pop
  /// what was pushed before; pushes fail from now on.
  void shut_down() {
    if (corrupt_) return;  // never write to a ring we no longer trust
    std::atomic_ref<std::uint32_t>(header_->status).store(kRingShutDown, std::memory_order_release);
  }

 private:
  struct Snapshot {
    bool valid = false;
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    std::uint32_t used = 0;
    std::uint32_t status = kRingShutDown;
  };

  RingView(RingHeader* header, Entry* entries, std::uint32_t count)
      : header_(header), entries_(entries), count_(count), index_mask_(2 * std::uint64_t{count} - 1) {}

  static Result<void> check_memory(RingHeader* header, std::span<Entry> entries, std::uint32_t count) {
    if (header == nullptr) return Error(errc::inval, "ring: null header");
    if (reinterpret_cast<std::uintptr_t>(header) % alignof(RingHeader) != 0) {
      return Error(errc::inval, "ring: misaligned header");
    }
    if (reinterpret_cast<std::uintptr_t>(entries.data()) % alignof(Entry) != 0) {
      return Error(errc::inval, "ring: misaligned entries");
    }
    if (Result<void> r = check_ring_entry_count(count); !r) return r.error();
    if (entries.size() < count) return Error(errc::inval, "ring: entry memory smaller than entry_count");
    return ok();
  }

  std::atomic_ref<std::uint64_t> head_ref() const { return std::atomic_ref<std::uint64_t>(header_->head); }
  std::atomic_ref<std::uint64_t> tail_ref() const { return std::atomic_ref<std::uint64_t>(header_->tail); }
  std::uint64_t advance(std::uint64_t index) const { return (index + 1) & index_mask_; }

  /// Reads the header once and checks it; a failed check is remembered.
  Snapshot snapshot() const {
    Snapshot s;
    if (corrupt_) return s;
    const std::uint32_t count = std::atomic_ref<std::uint32_t>(header_->entry_count).load(std::memory_order_acquire);
    s.head = head_ref().load(std::memory_order_acquire);
    s.tail = tail_ref().load(std::memory_order_acquire);
    s.status = std::atomic_ref<std::uint32_t>(header_->status).load(std::memory_order_acquire);
    const std::uint64_t used = (s.tail - s.head) & index_mask_;
    // The checks of the comment at the top, folded: the mask is all ones, so
    // an index is below 2 × count exactly when it has no bit outside it; and
    // a valid status is 0 or 1.
    static_assert(kRingRunning == 0 && kRingShutDown == 1);
    if (count != count_ || ((s.head | s.tail) & ~index_mask_) != 0 || used > count_ || s.status > kRingShutDown) {
      corrupt_ = true;
      return Snapshot{};
    }
    s.used = static_cast<std::uint32_t>(used);
    s.valid = true;
    return s;
  }

  static Error corrupt_error() { return Error(errc::proto, "ring: corrupted header"); }

  RingHeader* header_;
  Entry* entries_;
  std::uint32_t count_;
  std::uint64_t index_mask_;  // head and tail run modulo 2 × count
  mutable bool corrupt_ = false;  // sticky: once seen, the ring is never trusted again
};

}  // namespace hal
