// A resource reserved for future intervals (a link direction, a flash
// channel). Commands reserve it when they are dispatched, but for times that
// depend on earlier stages, so requests do not arrive in time order: a plain
// busy-until time would make a transfer wait behind one dispatched earlier
// but scheduled later. The calendar finds the earliest gap instead.
// Intervals that end before `prune(now)` are forgotten and adjacent ones
// merge, so it holds about as many intervals as commands in flight: a sorted
// vector (no allocation per reservation) is the right container.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "sim/core/time.hpp"

namespace nvme {

class BusyCalendar {
 public:
  /// Reserves `d` at the earliest start >= `t` that is free; returns it.
  sim::Picos reserve(sim::Picos t, sim::Picos d) {
    if (d == 0) return t;
    // First interval that ends after t: everything before it is irrelevant.
    std::size_t i = static_cast<std::size_t>(
        std::partition_point(busy_.begin() + static_cast<std::ptrdiff_t>(first_), busy_.end(),
                             [t](const Interval& iv) { return iv.second <= t; }) -
        busy_.begin());
    sim::Picos start = t;
    while (i < busy_.size() && busy_[i].first < start + d) {
      start = std::max(start, busy_[i].second);
      ++i;
    }
    insert(i, start, start + d);
    return start;
  }
  /// Forgets intervals that ended at or before `now`.
  void prune(sim::Picos now) {
    while (first_ < busy_.size() && busy_[first_].second <= now) ++first_;
    if (first_ > 64 && first_ * 2 > busy_.size()) {
      busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(first_));
      first_ = 0;
    }
  }
  std::size_t intervals() const { return busy_.size() - first_; }

 private:
  using Interval = std::pair<sim::Picos, sim::Picos>;  // [start, end)

  // Inserts [s, e) before index i (busy_[i].first >= e; busy_[i-1].second <= s).
  void insert(std::size_t i, sim::Picos s, sim::Picos e) {
    const bool join_prev = i > first_ && busy_[i - 1].second == s;
    const bool join_next = i < busy_.size() && busy_[i].first == e;
    if (join_prev && join_next) {
      busy_[i - 1].second = busy_[i].second;
      busy_.erase(busy_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (join_prev) {
      busy_[i - 1].second = e;
    } else if (join_next) {
      busy_[i].first = s;
    } else {
      busy_.insert(busy_.begin() + static_cast<std::ptrdiff_t>(i), Interval{s, e});
    }
  }

  std::vector<Interval> busy_;  // sorted, disjoint
  std::size_t first_ = 0;       // busy_[0, first_) have ended
};

}  // namespace nvme
