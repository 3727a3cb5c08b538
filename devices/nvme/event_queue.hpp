// One event queue per controller: actions ordered by (time ps, sequence
// number), one sc_event and one SC_METHOD, after the interrupt controller's
// design. A command costs a handful of scheduled actions (fetch, completion),
// never a thread or a wait() per command. Actions carry the controller epoch
// so a reset invalidates everything scheduled before it without searching.
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/core/time.hpp"

namespace nvme {

struct Action {
  enum class Kind : std::uint8_t { fetch, complete, coalesce_timer, ready, reset_done, shutdown_done, fault_end, doorbells };
  Kind kind = Kind::fetch;
  std::uint32_t a = 0;      // slot index or interrupt vector
  std::uint64_t b = 0;      // slot generation or timer token
  std::uint64_t epoch = 0;  // controller epoch when scheduled
};

class EventQueue : public sc_core::sc_module {
 public:
  using Handler = std::function<void(const Action&)>;

  EventQueue(sc_core::sc_module_name name, Handler on_action, std::function<void()> on_batch_end);

  /// Runs `a` at absolute time `at` (clamped to now).
  void schedule(sim::Picos at, const Action& a);
  std::size_t pending() const { return q_.size(); }
  std::uint64_t dispatched() const { return dispatched_; }

 private:
  struct Item {
    sim::Picos at;
    std::uint64_t seq;
    Action action;
    bool operator>(const Item& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  void run();
  void arm(sim::Picos at, sim::Picos now);

  Handler on_action_;
  std::function<void()> on_batch_end_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> q_;
  std::uint64_t seq_ = 0;
  std::uint64_t dispatched_ = 0;
  sim::Picos armed_at_ = ~sim::Picos{0};
  bool running_ = false;
  sc_core::sc_event wake_;
};

}  // namespace nvme
