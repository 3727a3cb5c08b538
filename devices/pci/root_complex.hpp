// The PCI Express root complex of bus 0: the host bridge between the CPUs,
// memory and the endpoints.
//
// CPU side (cpu_socket): physical accesses. RAM goes to guest memory; the
// ECAM window becomes configuration requests (PCIe §7.2.2: bus << 20 |
// device << 15 | function << 12 | register); the MMIO windows are decoded
// against the BARs software programmed, for functions whose Memory Space
// Enable is set. An access nothing claims is a master abort: reads return all
// ones, writes are dropped, and the trace says so.
//
// Device side (dma_in): memory requests from endpoints. RAM is read or
// written; a dword write into the MSI window is an interrupt message for the
// interrupt controller; anything else is an Unsupported Request.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_function.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace pci {

class RootComplex : public sc_core::sc_module {
 public:
  // A bus with no functions is a valid machine: zero bindings are allowed.
  using DownSocket = tlm_utils::multi_passthrough_initiator_socket<RootComplex, 32, tlm::tlm_base_protocol_types, 0,
                                                                    sc_core::SC_ZERO_OR_MORE_BOUND>;
  using UpSocket = tlm_utils::multi_passthrough_target_socket<RootComplex, 32, tlm::tlm_base_protocol_types, 0,
                                                              sc_core::SC_ZERO_OR_MORE_BOUND>;
  tlm_utils::simple_target_socket<RootComplex> cpu_socket;
  DownSocket cfg_out;
  DownSocket mmio_out;
  UpSocket dma_in;

  RootComplex(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory, InterruptController& irqc);

  /// Connects a function at bus 0, `device`, `function` (before simulation
  /// starts). Throws std::invalid_argument if the slot is taken or invalid.
  void attach(PciFunction& f, std::uint8_t device, std::uint8_t function);

  const std::vector<PciFunction*>& functions() const { return functions_; }
  PciFunction* function_at(std::uint8_t device, std::uint8_t function) const;

  /// Memory-controller latency charged on every RAM access from a device.
  void set_memory_latency(sc_core::sc_time t) { memory_latency_ = t; }

  std::uint64_t master_aborts() const { return master_aborts_; }
  std::uint64_t unsupported_requests() const { return unsupported_requests_; }

 private:
  struct Window {
    std::uint64_t base, size;
    int index;
    unsigned bar;
  };

  void cpu_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  /// TLM-2.0 direct memory access for the functions' DMA into RAM: the
  /// range of RAM holding the address, read and write, at the memory latency.
  bool dma_direct(int index, tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi);
  void dma_transport(int index, tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void config_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void mmio_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void master_abort(tlm::tlm_generic_payload& p, const char* why);
  void rebuild_windows();
  std::optional<Window> decode(std::uint64_t addr, unsigned len);

  sim::Trace& trace_;
  sim::GuestMemory& memory_;
  InterruptController& irqc_;
  std::vector<PciFunction*> functions_;
  std::map<std::uint16_t, int> by_devfn_;  // (device << 3 | function) -> index
  std::map<std::uint64_t, Window> windows_;  // base -> window; rebuilt when decode changes
  bool windows_dirty_ = true;
  sc_core::sc_time memory_latency_ = sc_core::sc_time(80, sc_core::SC_NS);
  std::uint64_t master_aborts_ = 0;
  std::uint64_t unsupported_requests_ = 0;
};

}  // namespace pci
