// Timing of the flash back end, computed analytically: every die and channel
// is a "busy-until" time, so a command's media time is known when it is
// dispatched, without events. Reads stripe flash pages over the dies channel
// first (page p on die p mod dies, channel die mod channels, then over the
// planes of the die), as FTLs stripe sequential data; random LBAs therefore
// land on random planes. Each plane senses (tR) on its own. Writes go to a
// DRAM write buffer and complete when their data is in it; the buffer fills
// program units (one TLC one-shot program) that are programmed on the dies in
// round-robin order in the background; a unit leaves the buffer when its
// program ends. A write that finds the buffer full waits for room. A die
// serves its requests in dispatch order (a busy-until time); a channel is a
// BusyCalendar, since its transfers are reserved out of time order.
#pragma once

#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

#include "devices/nvme/busy_calendar.hpp"
#include "devices/nvme/timing_profile.hpp"

namespace nvme {

class FlashModel {
 public:
  explicit FlashModel(const TimingProfile& t);

  /// Media time of reading [off, off+len) of a namespace (`salt` spreads
  /// namespaces over the dies): when the last byte is in controller memory.
  sim::Picos read(sim::Picos t, std::uint64_t salt, std::uint64_t off, std::uint64_t len);
  /// `len` bytes arrive at `t`. Returns when the write may complete: when
  /// the buffer has taken the data or, if `durable`, when it is programmed.
  sim::Picos write(sim::Picos t, std::uint64_t len, bool durable);
  /// Programs the partly filled unit; returns when all buffered data is on flash.
  sim::Picos flush(sim::Picos t);

  /// Forgets channel reservations that ended before `now`.
  void prune(sim::Picos now);
  std::uint64_t buffered_bytes() const { return occupied_; }
  unsigned dies() const { return dies_; }

 private:
  sim::Picos program(sim::Picos t, std::uint64_t bytes);
  sim::Picos channel_time(std::uint64_t bytes) const;
  void drain(sim::Picos t);

  TimingProfile p_;
  unsigned dies_ = 1, planes_ = 1;
  std::vector<sim::Picos> plane_free_;  // die * planes + plane
  std::vector<BusyCalendar> channels_;
  using Release = std::pair<sim::Picos, std::uint64_t>;  // (program end, bytes)
  std::priority_queue<Release, std::vector<Release>, std::greater<Release>> releases_;
  std::uint64_t occupied_ = 0;  // bytes in the buffer (programming or waiting)
  std::uint64_t open_bytes_ = 0;  // bytes of the unit being filled
  sim::Picos open_ready_ = 0;     // when its last byte arrived
  sim::Picos last_release_ = 0;
  unsigned next_write_die_ = 0;
};

}  // namespace nvme
