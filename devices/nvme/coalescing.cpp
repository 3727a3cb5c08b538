#include "devices/nvme/coalescing.hpp"

namespace nvme {

Coalescer::Decision Coalescer::on_completion(unsigned v, bool admin_cq, sim::Picos now) {
  Decision d;
  if (v >= state_.size() || admin_cq || state_[v].cd || thr_ == 0 || time_ == 0) {
    d.signal_now = true;
    return d;
  }
  VectorState& s = state_[v];
  if (++s.count >= unsigned{thr_} + 1) {
    d.signal_now = true;
    return d;
  }
  if (!s.armed) {
    s.armed = true;
    d.arm_timer = true;
    d.timer_at = now + sim::us(100) * time_;
    d.token = ++s.token;
  }
  return d;
}

bool Coalescer::on_timer(unsigned v, std::uint64_t token) {
  if (v >= state_.size() || !state_[v].armed || state_[v].token != token) return false;
  state_[v].armed = false;
  return state_[v].count > 0;
}

void Coalescer::signalled(unsigned v) {
  if (v >= state_.size()) return;
  state_[v].count = 0;
  if (state_[v].armed) {
    state_[v].armed = false;
    ++state_[v].token;  // the pending timer is stale now
  }
}

void Coalescer::reset() {
  thr_ = time_ = 0;
  for (auto& s : state_) {
    s.count = 0;
    s.armed = false;
    ++s.token;
    s.cd = false;
  }
}

}  // namespace nvme
