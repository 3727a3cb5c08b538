#include "devices/nvme/event_queue.hpp"

namespace nvme {

EventQueue::EventQueue(sc_core::sc_module_name name, Handler on_action, std::function<void()> on_batch_end)
    : sc_module(name), on_action_(std::move(on_action)), on_batch_end_(std::move(on_batch_end)) {
  SC_HAS_PROCESS(EventQueue);
  SC_METHOD(run);
  sensitive << wake_;
  dont_initialize();
}

void EventQueue::schedule(sim::Picos at, const Action& a) {
  const sim::Picos now = sim::now();
  if (at < now) at = now;
  q_.push(Item{at, seq_++, a});
  if (running_ && at == now) return;  // run() picks it up before it returns
  arm(at, now);
}

void EventQueue::arm(sim::Picos at, sim::Picos now) {
  if (at >= armed_at_) return;  // an earlier wake-up is already pending
  armed_at_ = at;
  // A pending later notification is cancelled by this earlier one (IEEE 1666 §5.10.8).
  wake_.notify(sim::to_sc(at - now));
}

void EventQueue::run() {
  armed_at_ = ~sim::Picos{0};
  running_ = true;
  const sim::Picos now = sim::now();
  while (!q_.empty() && q_.top().at <= now) {
    const Action a = q_.top().action;
    q_.pop();
    ++dispatched_;
    on_action_(a);
  }
  running_ = false;
  if (on_batch_end_) on_batch_end_();
  if (!q_.empty()) arm(q_.top().at, now);  // time does not pass in a method
}

}  // namespace nvme
