// One PCI Express endpoint function: its configuration space, BAR decode
// gated by Memory Space Enable, DMA gated by Bus Master Enable, and interrupt
// signalling through MSI-X, MSI or INTx, whichever software enabled
// (MSI-X wins over MSI: software must not enable both, PCI 3.0 §6.8.2).
//
// Device models derive from it and implement bar_read/bar_write. Sockets:
//   cfg_socket  (target)    configuration accesses; address = register offset
//   mmio_socket (target)    BAR accesses; address = offset in the BAR, the
//                           BarAccess extension names the BAR. A write's
//                           annotated delay is the initiator's local time
//                           offset (TLM-2.0 loosely timed: a CPU running ahead
//                           of SystemC time posts it without waiting): the
//                           write takes effect at now + delay, through
//                           bar_write_posted() or, when the device does not
//                           take it, bar_write() called at that time.
//   dma_socket  (initiator) memory writes and reads upstream (DMA, MSI)
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "devices/pci/config_space.hpp"
#include "devices/pci/msi.hpp"
#include "devices/pci/msix.hpp"
#include "devices/pci/pcie_capability.hpp"
#include "devices/pci/pcie_link.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/trace.hpp"

namespace pci {

/// Names the BAR of an MMIO access routed by the root complex.
struct BarAccess : tlm::tlm_extension<BarAccess> {
  unsigned bar = 0;
  tlm::tlm_extension_base* clone() const override { return new BarAccess(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { bar = static_cast<const BarAccess&>(other).bar; }
};

struct Bdf {
  std::uint8_t bus = 0, device = 0, function = 0;
  std::string str() const;  // "00:02.0"
  std::uint16_t requester_id() const {
    return static_cast<std::uint16_t>((bus << 8) | (device << 3) | function);
  }
};

enum class DmaStatus { ok, bus_master_disabled, unsupported_request };

class PciFunction : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PciFunction> cfg_socket;
  tlm_utils::simple_target_socket<PciFunction> mmio_socket;
  tlm_utils::simple_initiator_socket<PciFunction> dma_socket;

  PciFunction(sc_core::sc_module_name name, sim::Trace& trace, const PcieLinkParams& link);

  ConfigSpace& config() { return cs_; }
  const ConfigSpace& config() const { return cs_; }
  const MsiCapability& msi() const { return msi_; }
  const MsixCapability& msix() const { return msix_; }
  const PcieLink& link() const { return link_; }
  /// The component name used in the trace (the scenario's device name).
  const std::string& component() const { return component_; }

  void set_bdf(Bdf b) { bdf_ = b; }
  const Bdf& bdf() const { return bdf_; }
  /// Called when anything that changes address decode (BARs, MSE) is written.
  void on_decode_change(std::function<void()> cb) { decode_changed_ = std::move(cb); }

  /// Device-side DMA. Adds the link time to `delay`. A failure is traced and
  /// sets the status bit the spec names; the device decides what its own
  /// protocol reports.
  DmaStatus dma_read(std::uint64_t addr, void* dst, std::uint64_t len, sc_core::sc_time& delay);
  DmaStatus dma_write(std::uint64_t addr, const void* src, std::uint64_t len, sc_core::sc_time& delay);

  /// Raise interrupt source `vector` through MSI-X, MSI or INTx.
  void signal_interrupt(unsigned vector);
  /// Level of the INTx pin (Interrupt Status bit); only when MSI/MSI-X are off.
  void set_intx(bool asserted);

  /// Counters for tests and reports.
  std::uint64_t messages_sent() const { return messages_sent_; }

 protected:
  /// Register access to BAR `bar` at `offset`, `size` bytes (1, 2, 4, 8).
  virtual std::uint64_t bar_read(unsigned bar, std::uint64_t offset, unsigned size) = 0;
  virtual void bar_write(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value) = 0;
  /// A posted write that reaches the function at `arrival`, later than now.
  /// A device that can take it now and make it effective at `arrival` (e.g.
  /// a doorbell whose effect it schedules anyway) does so and returns true;
  /// by default the function keeps the write and calls bar_write() then.
  virtual bool bar_write_posted(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value,
                                sim::Picos arrival) {
    return false;
  }
  /// Told after every configuration write (the registers are updated).
  virtual void config_written(std::uint16_t offset, unsigned size) {}
  /// Extra time the device takes to answer a register access.
  virtual sc_core::sc_time register_access_time() const { return sc_core::SC_ZERO_TIME; }

  /// Capability set-up, in the order they should appear in the list.
  void install_pcie();
  void install_msi(unsigned vectors, bool per_vector_mask);
  void install_msix(unsigned table_size, unsigned table_bir, std::uint32_t table_offset, unsigned pba_bir,
                    std::uint32_t pba_offset);

  sim::Trace& trace_;
  ConfigSpace cs_;
  MsiCapability msi_;
  MsixCapability msix_;
  PcieCapability pcie_;

 private:
  sim::PayloadSlot dma_payload_;  // reused by dma()
  // TLM-2.0 direct memory access to one RAM range (asked for at the first
  // DMA; the root complex never takes it back: RAM does not move). A DMA
  // inside it is a memcpy at the same link and memory time; anything else
  // (MSI, outside RAM, the other range) goes through b_transport.
  tlm::tlm_dmi dmi_;
  bool dmi_asked_ = false, dmi_granted_ = false;
  bool dma_direct(bool is_read, std::uint64_t addr, unsigned char* data, std::uint64_t len, sc_core::sc_time& delay);
  void cfg_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void after_config_write(std::uint16_t offset, unsigned size, std::uint16_t old_command);
  bool msix_bar_access(unsigned bar, std::uint64_t offset, unsigned size, bool write, std::uint64_t& value);
  bool in_msix_structures(unsigned bar, std::uint64_t offset) const;
  void write_now(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value);
  void apply_late_writes();
  void send_message(const MsiMessage& m, unsigned vector, const char* kind);
  void deliver_pending();
  DmaStatus dma(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, std::uint64_t len,
                sc_core::sc_time& delay);

  PcieLinkParams link_params_;
  PcieLink link_;
  Bdf bdf_;
  std::string component_;
  std::function<void()> decode_changed_;
  std::uint64_t messages_sent_ = 0;
  // Posted writes that arrive later than now, in (arrival, issue) order.
  struct LateWrite {
    sim::Picos at;
    unsigned bar;
    std::uint64_t offset;
    unsigned size;
    std::uint64_t value;
  };
  std::deque<LateWrite> late_;
  sc_core::sc_event late_event_;
};

}  // namespace pci
