#include "devices/xhci/event_queue.hpp"

namespace xhci {

EventQueue::EventQueue(sc_core::sc_module_name name) : sc_module(name) {
  SC_HAS_PROCESS(EventQueue);
  SC_METHOD(run);
  sensitive << wake_;
  dont_initialize();
}

EventQueue::Ticket EventQueue::at(sim::Picos when, Fn fn) {
  if (when < sim::now()) when = sim::now();
  const Ticket t{when, seq_++};
  q_.emplace(std::make_pair(t.at, t.seq), std::move(fn));
  rearm();
  return t;
}

bool EventQueue::cancel(Ticket& t) {
  if (!t.valid()) return false;
  const bool erased = q_.erase(std::make_pair(t.at, t.seq)) > 0;
  t = Ticket{};
  return erased;
}

void EventQueue::rearm() {
  if (q_.empty()) return;
  // A later notify never overrides an earlier pending one (IEEE 1666 §5.10.8).
  wake_.notify(sim::to_sc(q_.begin()->first.first - sim::now()));
}

void EventQueue::run() {
  const sim::Picos now = sim::now();
  while (!q_.empty() && q_.begin()->first.first <= now) {
    Fn fn = std::move(q_.begin()->second);
    q_.erase(q_.begin());
    fn();
  }
  rearm();
}

}  // namespace xhci
