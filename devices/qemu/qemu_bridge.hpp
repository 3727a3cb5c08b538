// The QEMU platform's stand-in for the root complex: the CPU side of drvsim's
// machine (the kernel model's bus) reaches QEMU's PCI functions over qtest.
//
//  - RAM: guest memory, which is QEMU's RAM file mapped shared, so DMA
//    buffers are seen by both sides without copies;
//  - the ECAM window: configuration requests, turned into configuration
//    mechanism #1 accesses (0xCF8/0xCFC) since QEMU's ECAM (MMCONFIG) is not
//    enabled without firmware. Only the functions the scenario names are
//    visible; the rest of QEMU's q35 (host bridge, LPC, AHCI, SMBus) reads as
//    empty slots. Extended configuration space (0x100..0xFFF) is not
//    reachable through 0xCF8 and reads as zero (no extended capabilities);
//  - everything else: memory reads and writes through qtest (BAR MMIO).
//
// Interrupts: QEMU's APIC cannot be observed under qtest. Each MSI-X table
// entry's and the MSI capability's message address is rewritten to a
// mailbox word in guest RAM below 1 MiB (where the kernel allocates
// nothing); reads give software back what it wrote. A thread polls the
// mailboxes every `poll_interval` of simulated time, in a fixed order
// (function, then vector), and sends the message software programmed to
// drvsim's interrupt controller for each mailbox QEMU wrote. QEMU decides
// when to write (masking, pending bits, enable bits are QEMU's), so the
// order in which vectors are seen in one poll is deterministic, the poll a
// message lands in is not.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/qemu/qtest_client.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace qemu {

struct VisibleFunction {
  std::uint8_t device = 0;
  std::uint8_t function = 0;
  std::string name;  // trace component and interrupt source
};

struct BridgeConfig {
  std::vector<VisibleFunction> functions;
  sc_core::sc_time poll_interval = sc_core::sc_time(10, sc_core::SC_US);
  /// While software wrote a register in the last `active_window_ns` of host
  /// time, an idle poll waits up to `host_wait_ns` of host time for QEMU
  /// before simulated time moves on: a QEMU that is slow (or descheduled on a
  /// loaded host) does not see simulated time race past the drivers'
  /// timeouts. Idle machines (drivers waiting on timers) run at full speed.
  std::uint64_t host_wait_ns = 50'000;
  std::uint64_t active_window_ns = 1'000'000'000;
  sc_core::sc_time config_latency = sc_core::sc_time(1, sc_core::SC_US);
  sc_core::sc_time mmio_latency = sc_core::sc_time(1, sc_core::SC_US);
  sc_core::sc_time memory_latency = sc_core::sc_time(80, sc_core::SC_NS);
  std::uint64_t mailbox_base = 0x9'0000;  // conventional RAM below the VGA hole
  std::uint64_t mailbox_bytes = 0x1'0000;
};

class QemuBridge : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<QemuBridge> cpu_socket;

  QemuBridge(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory,
             pci::InterruptController& irqc, QtestClient& qtest, BridgeConfig config);

  /// Configuration access of 1, 2 or 4 bytes to a visible function (what the
  /// ECAM window does); an invisible one reads all ones.
  std::uint32_t config_read(std::uint8_t device, std::uint8_t function, std::uint16_t reg, unsigned size);
  void config_write(std::uint8_t device, std::uint8_t function, std::uint16_t reg, unsigned size, std::uint32_t v);

  std::uint64_t config_accesses() const { return config_accesses_; }
  std::uint64_t mmio_accesses() const { return mmio_accesses_; }
  std::uint64_t interrupts_raised() const { return interrupts_raised_; }
  std::uint64_t polls() const { return polls_; }
  /// The mailbox of MSI-X entry `entry` of visible function `index` (tests).
  std::uint64_t msix_mailbox(std::size_t index, unsigned entry) const;

 private:
  struct Function {
    VisibleFunction id;
    // MSI: capability offset (0: none), 64-bit, and what software wrote.
    std::uint16_t msi_offset = 0;
    bool msi_is64 = false;
    std::array<std::uint8_t, 12> msi_shadow{};  // address lo, [hi], data as written
    std::uint32_t msi_mailbox = 0;
    // MSI-X: table location and what software wrote to each entry's address and data.
    std::uint16_t msix_offset = 0;
    unsigned table_bar = 0;
    std::uint32_t table_offset = 0;
    unsigned table_size = 0;
    std::vector<std::array<std::uint8_t, 12>> msix_shadow;
    std::uint32_t msix_mailbox = 0;  // first mailbox index
    std::uint64_t table_bar_base = 0;  // where software put the table's BAR (0: not yet)
  };

  void cpu_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void ecam_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  void mmio_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  Function* find(std::uint8_t device, std::uint8_t function);
  std::uint32_t raw_config_read(const Function& f, std::uint16_t reg, unsigned size);
  void raw_config_write(const Function& f, std::uint16_t reg, unsigned size, std::uint32_t v);
  void select(const Function& f, std::uint16_t reg);
  void discover(Function& f);
  void refresh_table_bar(Function& f);
  // Intercepted bytes: the driver's view (shadow) and QEMU's view (mailbox).
  bool msi_byte(const Function& f, std::uint16_t reg, std::uint8_t* driver, std::uint8_t* qemu);
  Function* msix_table_at(std::uint64_t addr, unsigned len);
  std::uint64_t mailbox_address(std::uint32_t index) const { return config_.mailbox_base + 4ULL * index; }
  void poll();
  bool scan();
  bool any_mailbox_set() const;

  sim::Trace& trace_;
  sim::GuestMemory& memory_;
  pci::InterruptController& irqc_;
  QtestClient& qtest_;
  BridgeConfig config_;
  std::vector<Function> functions_;
  std::uint32_t mailboxes_ = 0;
  std::uint32_t* mailbox_words_ = nullptr;  // host view of the mailbox area
  std::uint32_t cf8_ = 0;                    // last value written to 0xCF8
  bool cf8_valid_ = false;
  std::chrono::steady_clock::time_point last_write_{};  // host time of the last MMIO write
  std::uint64_t config_accesses_ = 0;
  std::uint64_t mmio_accesses_ = 0;
  std::uint64_t interrupts_raised_ = 0;
  std::uint64_t polls_ = 0;
};

}  // namespace qemu
