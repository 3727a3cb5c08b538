// The interrupt controller: turns MSI/MSI-X messages (memory writes into the
// 0xFEE00000 window) into (CPU, vector) interrupts, in the x86 format
// (Intel SDM vol. 3, §10.11): address bits 19:12 are the destination APIC ID,
// data bits 7:0 the vector, bits 10:8 the delivery mode. CPU n has APIC ID n.
// A message arriving with a link delay is delivered when it lands, in
// (time, arrival order): two messages never swap.
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/trace.hpp"

namespace pci {

struct Interrupt {
  unsigned cpu = 0;
  unsigned vector = 0;
  std::string source;  // the component that sent it
  std::uint64_t address = 0;
  std::uint32_t data = 0;
};

class InterruptController : public sc_core::sc_module {
 public:
  using Handler = std::function<void(const Interrupt&)>;

  InterruptController(sc_core::sc_module_name name, sim::Trace& trace, unsigned cpus);

  /// A memory write into the MSI window; delivered after `delay`.
  void message(std::uint64_t address, std::uint32_t data, const std::string& source, sc_core::sc_time delay);

  /// Who receives interrupts (the kernel model). Without a handler they are
  /// only traced and counted.
  void set_handler(Handler h) { handler_ = std::move(h); }

  unsigned cpus() const { return cpus_; }
  std::uint64_t delivered(unsigned cpu, unsigned vector) const;
  std::uint64_t delivered_total() const { return total_; }
  std::uint64_t dropped() const { return dropped_; }

  /// The message address and data that target (cpu, vector), fixed delivery,
  /// edge triggered: what a kernel programs into MSI/MSI-X.
  static std::uint64_t message_address(unsigned cpu) { return 0xFEE0'0000ULL | (std::uint64_t{cpu & 0xFF} << 12); }
  static std::uint32_t message_data(unsigned vector) { return vector & 0xFF; }

 private:
  void deliver_due();

  sim::Trace& trace_;
  unsigned cpus_;
  Handler handler_;
  void arm(std::uint64_t at);

  struct Pending {
    std::uint64_t at;  // delivery time, ps
    Interrupt irq;
  };
  // In delivery order: (time, arrival). Messages nearly always land in
  // arrival order (they share one link), so insertion scans from the back
  // and is an append in practice; no allocation per message once warm.
  std::deque<Pending> queue_;
  sc_core::sc_event wake_;
  std::uint64_t armed_at_ = ~std::uint64_t{0};  // when wake_ is notified for; ~0: not notified
  std::vector<std::uint64_t> counts_;  // cpus x 256
  std::uint64_t total_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace pci
