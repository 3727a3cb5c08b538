// PendingTable<V>: the calls a RingClient waits for, keyed by user_data.
//
// A std::map here cost an allocation and a tree rebalance per call. Keys are
// handed out in sequence (never 0) and the calls in flight at once are
// mostly a window of consecutive keys, so a direct-mapped table indexed by
// the key's low bits almost never sees two at one index; the rare key whose
// index is taken (a call much older than the rest) goes to a small overflow
// list. Removal just clears a slot: no probe runs to repair (linear probing
// over a dense window of keys made every removal scan the window). The table
// is never iterated on the hot path; take_all() returns what is left in key
// order, so nothing observable depends on where an entry sits.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hal {

template <class V>
class PendingTable {
 public:
  /// Adds `key` (nonzero, not present).
  void insert(std::uint64_t key, V value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    place(Slot{key, value});
    ++size_;
  }

  /// Removes `key` and returns its value; false if absent.
  bool take(std::uint64_t key, V& out) {
    if (size_ == 0 || key == 0) return false;  // 0 marks an empty slot; a CQE may carry it
    Slot& s = slots_[key & mask_];
    if (s.key == key) {
      out = s.value;
      s.key = 0;
      --size_;
      return true;
    }
    return take_overflow(key, out);
  }

  void erase(std::uint64_t key) {
    V ignored{};
    take(key, ignored);
  }

  std::size_t size() const { return size_; }

  /// Empties the table; the entries it held, by ascending key.
  std::vector<std::pair<std::uint64_t, V>> take_all() {
    std::vector<std::pair<std::uint64_t, V>> all;
    all.reserve(size_);
    for (Slot& s : slots_)
      if (s.key != 0) all.emplace_back(std::exchange(s.key, 0), s.value);
    for (const Slot& s : overflow_) all.emplace_back(s.key, s.value);
    overflow_.clear();
    size_ = 0;
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return all;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    V value{};
  };

  void place(const Slot& e) {
    Slot& s = slots_[e.key & mask_];
    if (s.key == 0) {
      s = e;
    } else {
      overflow_.push_back(e);
    }
  }

  bool take_overflow(std::uint64_t key, V& out) {
    for (Slot& s : overflow_)
      if (s.key == key) {
        out = s.value;
        s = overflow_.back();  // order in the overflow list means nothing
        overflow_.pop_back();
        --size_;
        return true;
      }
    return false;
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    std::vector<Slot> old_overflow = std::move(overflow_);
    overflow_.clear();
    slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.key != 0) place(s);
    for (const Slot& s : old_overflow) place(s);
  }

  std::vector<Slot> slots_;
  std::vector<Slot> overflow_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace hal
