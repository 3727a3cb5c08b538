// The controller's own scheduler: callbacks ordered by (time, sequence)
// behind one sc_event and one SC_METHOD, so a controller never spawns a
// thread per transfer and equal-time work runs in a fixed order.
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "sim/core/time.hpp"

namespace xhci {

class EventQueue : public sc_core::sc_module {
 public:
  using Fn = std::function<void()>;
  struct Ticket {
    sim::Picos at = 0;
    std::uint64_t seq = 0;  // 0: nothing scheduled
    bool valid() const { return seq != 0; }
  };

  explicit EventQueue(sc_core::sc_module_name name);

  Ticket at(sim::Picos when, Fn fn);
  Ticket after(sim::Picos delay, Fn fn) { return at(sim::now() + delay, std::move(fn)); }
  /// Drops a scheduled callback; false if it already ran or was dropped.
  bool cancel(Ticket& t);
  void clear() { q_.clear(); }
  std::size_t pending() const { return q_.size(); }

 private:
  void run();
  void rearm();

  std::map<std::pair<sim::Picos, std::uint64_t>, Fn> q_;
  std::uint64_t seq_ = 1;
  sc_core::sc_event wake_;
};

}  // namespace xhci
