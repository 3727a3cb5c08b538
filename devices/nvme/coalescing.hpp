// Interrupt coalescing (Feature 08h, §5.21.1.8) with per-vector opt-out
// (Interrupt Vector Configuration, Feature 09h, §5.21.1.9). A vector's
// interrupt is signalled when Aggregation Threshold + 1 completions have
// accumulated or Aggregation Time (100 us units) has passed since the first
// of them, whichever is first. A time of 0 means no delay: coalescing is then
// off. Completions to the Admin CQ are never coalesced (§5.21.1.8). QEMU
// does not model coalescing at all.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace nvme {

class Coalescer {
 public:
  explicit Coalescer(unsigned vectors) : state_(vectors) {}

  void configure(std::uint8_t thr, std::uint8_t time) {
    thr_ = thr;
    time_ = time;
  }
  std::uint8_t threshold() const { return thr_; }
  std::uint8_t time() const { return time_; }
  void set_disabled(unsigned v, bool cd) {
    if (v < state_.size()) state_[v].cd = cd;
  }
  bool disabled(unsigned v) const { return v < state_.size() && state_[v].cd; }

  struct Decision {
    bool signal_now = false;
    bool arm_timer = false;
    sim::Picos timer_at = 0;
    std::uint64_t token = 0;
  };
  /// A completion entry was posted for vector `v`.
  Decision on_completion(unsigned v, bool admin_cq, sim::Picos now);
  /// The aggregation timer `token` of `v` expired: true to signal now.
  bool on_timer(unsigned v, std::uint64_t token);
  /// The vector was signalled: its aggregation starts afresh.
  void signalled(unsigned v);
  /// Controller reset: settings to defaults (no coalescing, CD = 0).
  void reset();

 private:
  struct VectorState {
    unsigned count = 0;
    bool armed = false;
    std::uint64_t token = 0;
    bool cd = false;
  };
  std::uint8_t thr_ = 0, time_ = 0;
  std::vector<VectorState> state_;
};

}  // namespace nvme
