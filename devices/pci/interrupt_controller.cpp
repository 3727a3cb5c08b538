#include "devices/pci/interrupt_controller.hpp"

#include <iterator>

namespace pci {

InterruptController::InterruptController(sc_core::sc_module_name name, sim::Trace& trace, unsigned cpus)
    : sc_module(name), trace_(trace), cpus_(cpus), counts_(std::size_t{cpus} * 256, 0) {
  SC_HAS_PROCESS(InterruptController);
  SC_METHOD(deliver_due);
  sensitive << wake_;
  dont_initialize();
}

void InterruptController::message(std::uint64_t address, std::uint32_t data, const std::string& source,
                                  sc_core::sc_time delay) {
  Interrupt irq;
  irq.cpu = static_cast<unsigned>((address >> 12) & 0xFF);
  irq.vector = data & 0xFF;
  irq.source = source;
  irq.address = address;
  irq.data = data;
  const unsigned mode = (data >> 8) & 0x7;
  const char* problem = nullptr;
  if (mode != 0 && mode != 1) problem = "unsupported delivery mode";  // only fixed and lowest priority
  else if (irq.vector < 16) problem = "illegal vector";               // SDM §10.5.3: vectors 0-15 are reserved
  else if (irq.cpu >= cpus_) problem = "no such destination APIC";
  if (problem) {
    ++dropped_;
    trace_.warn("irqc", "msi.dropped",
                {{"source", source}, {"address", sim::Hex{address}}, {"data", sim::Hex{data}}, {"reason", problem}});
    return;
  }
  const std::uint64_t at = sim::now() + delay.value();
  // After every message due at or before `at` (equal times keep arrival order).
  auto pos = queue_.end();
  while (pos != queue_.begin() && std::prev(pos)->at > at) --pos;
  queue_.insert(pos, Pending{at, std::move(irq)});
  arm(at);
}

// Notifies wake_ for `at` unless it already is for that time or earlier: the
// notification SystemC would keep is the same (IEEE 1666 §5.10.8: an earlier
// pending notification wins, a later one is cancelled), without the call.
void InterruptController::arm(std::uint64_t at) {
  if (at >= armed_at_) return;
  armed_at_ = at;
  wake_.notify(sim::to_sc(at - sim::now()));
}

void InterruptController::deliver_due() {
  armed_at_ = ~std::uint64_t{0};  // wake_ fired
  const std::uint64_t now = sim::now();
  while (!queue_.empty() && queue_.front().at <= now) {
    Interrupt irq = std::move(queue_.front().irq);
    queue_.pop_front();
    ++counts_[std::size_t{irq.cpu} * 256 + irq.vector];
    ++total_;
    trace_.info("irqc", "irq", {{"cpu", irq.cpu}, {"vector", irq.vector}, {"source", irq.source}});
    if (handler_) handler_(irq);
  }
  if (!queue_.empty()) arm(queue_.front().at);
}

std::uint64_t InterruptController::delivered(unsigned cpu, unsigned vector) const {
  if (cpu >= cpus_ || vector > 255) return 0;
  return counts_[std::size_t{cpu} * 256 + vector];
}

}  // namespace pci
