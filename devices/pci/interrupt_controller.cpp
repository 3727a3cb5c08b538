#include "devices/pci/interrupt_controller.hpp"

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
  const std::uint64_t at = sc_core::sc_time_stamp().value() + delay.value();
  queue_.emplace(std::make_pair(at, seq_++), std::move(irq));
  wake_.notify(sc_core::sc_time::from_value(queue_.begin()->first.first - sc_core::sc_time_stamp().value()));
}

void InterruptController::deliver_due() {
  const std::uint64_t now = sc_core::sc_time_stamp().value();
  while (!queue_.empty() && queue_.begin()->first.first <= now) {
    Interrupt irq = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    ++counts_[std::size_t{irq.cpu} * 256 + irq.vector];
    ++total_;
    trace_.info("irqc", "irq", {{"cpu", irq.cpu}, {"vector", irq.vector}, {"source", irq.source}});
    if (handler_) handler_(irq);
  }
  if (!queue_.empty()) wake_.notify(sc_core::sc_time::from_value(queue_.begin()->first.first - now));
}

std::uint64_t InterruptController::delivered(unsigned cpu, unsigned vector) const {
  if (cpu >= cpus_ || vector > 255) return 0;
  return counts_[std::size_t{cpu} * 256 + vector];
}

}  // namespace pci
