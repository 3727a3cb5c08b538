// An in-memory machine for driver tests, without SystemC: RAM, an ECAM
// window over emulated configuration spaces (drvsim_pci's ConfigSpace and
// capability classes), BAR decode gated by Memory Space Enable, MSI-X tables,
// and MSI/MSI-X messages handed to a callback (the fake kernel's irq scheme).
// Every access is synchronous and takes no simulated time, except the
// pci-test copy, which advances the clock by its length at 1 byte/ns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "devices/pci/config_space.hpp"
#include "devices/pci/msi.hpp"
#include "devices/pci/msix.hpp"
#include "devices/pci/pcie_capability.hpp"
#include "drivers/hal/dma.hpp"
#include "drivers/hal/mmio.hpp"

namespace fake {

class FakeMachine;

/// One PCI function. A plain one decodes its BARs as RAM-like scratch space
/// (except the MSI-X table and PBA); derived classes add registers.
class FakeFunction {
 public:
  FakeFunction(std::uint16_t vendor, std::uint16_t device, std::uint8_t class_code, std::uint8_t subclass,
               std::uint8_t prog_if);
  virtual ~FakeFunction() = default;
  FakeFunction(const FakeFunction&) = delete;
  FakeFunction& operator=(const FakeFunction&) = delete;

  pci::ConfigSpace cs;
  pci::MsiCapability msi;
  pci::MsixCapability msix;
  pci::PcieCapability pcie;

  void add_pcie(unsigned max_payload = 256);
  void add_msi(unsigned vectors, bool per_vector_mask) { msi.install(cs, vectors, per_vector_mask); }
  void add_msix(unsigned table_size, unsigned bir, std::uint32_t table_offset, unsigned pba_bir,
                std::uint32_t pba_offset) {
    msix.install(cs, table_size, bir, table_offset, pba_bir, pba_offset);
  }

  std::uint32_t config_read(std::uint16_t offset, unsigned size) const { return cs.read(offset, size); }
  void config_write(std::uint16_t offset, unsigned size, std::uint32_t value);

  /// Which BAR decodes `addr` (only with Memory Space Enable).
  bool claims(std::uint64_t addr, unsigned& bar, std::uint64_t& offset) const;
  std::uint64_t bar_read(unsigned bar, std::uint64_t offset, unsigned width);
  void bar_write(unsigned bar, std::uint64_t offset, unsigned width, std::uint64_t value);

  /// Raises interrupt source `source` through MSI-X, MSI, or nothing (INTx
  /// is not routed); masked vectors become pending.
  void signal_interrupt(unsigned source);

  FakeMachine* machine = nullptr;
  /// BAR registers written while Memory Space Enable was set (sizing or
  /// moving a BAR with decode on is a bus-driver bug).
  unsigned bar_writes_while_decoding = 0;
  unsigned messages_sent = 0;

 protected:
  virtual std::uint64_t reg_read(unsigned bar, std::uint64_t offset, unsigned width);
  virtual void reg_write(unsigned bar, std::uint64_t offset, unsigned width, std::uint64_t value);

 private:
  bool in_msix_table(unsigned bar, std::uint64_t offset) const;
  bool in_msix_pba(unsigned bar, std::uint64_t offset) const;
  void send(std::uint64_t address, std::uint32_t data);
  void deliver_pending();
  std::map<std::pair<unsigned, std::uint64_t>, std::uint64_t> scratch_;  // (bar, offset) -> value
};

class FakeMachine : public hal::MmioBackend {
 public:
  static constexpr std::uint64_t kEcamBase = 0xE000'0000;
  static constexpr std::uint64_t kEcamSize = 256ULL << 20;

  /// Puts a function at 00:dev.fn; keeps function 0's multi-function bit right.
  template <class F, class... Args>
  F& emplace(std::uint8_t dev, std::uint8_t fn, Args&&... args) {
    auto f = std::make_unique<F>(std::forward<Args>(args)...);
    F& ref = *f;
    add(dev, fn, std::move(f));
    return ref;
  }
  void add(std::uint8_t dev, std::uint8_t fn, std::unique_ptr<FakeFunction> f);
  FakeFunction* function(std::uint8_t dev, std::uint8_t fn);

  /// RAM: page-aligned, zeroed, stable.
  hal::DmaBuffer alloc(std::size_t bytes);
  /// The host bytes of [phys, phys+len), or nullptr if not all RAM.
  std::uint8_t* ram(std::uint64_t phys, std::uint64_t len);

  std::uint64_t mmio_read(std::uint64_t phys, unsigned width) override;
  void mmio_write(std::uint64_t phys, unsigned width, std::uint64_t value) override;

  /// An MSI/MSI-X message (a memory write to the MSI window).
  std::function<void(std::uint64_t address, std::uint32_t data)> on_message;

  std::uint64_t now_ns = 0;
  struct ConfigWrite {
    std::uint8_t device, function;
    std::uint16_t offset;
    unsigned size;
    std::uint32_t value;
  };
  std::vector<ConfigWrite> config_writes;
  unsigned master_aborts = 0;

 private:
  bool ecam_decode(std::uint64_t phys, unsigned width, FakeFunction*& f, std::uint16_t& offset, std::uint8_t& dev,
                   std::uint8_t& fn);
  struct Region {
    std::uint64_t phys;
    std::vector<std::uint8_t> bytes;
  };
  std::map<std::pair<std::uint8_t, std::uint8_t>, std::unique_ptr<FakeFunction>> functions_;
  std::vector<std::unique_ptr<Region>> ram_;
  std::uint64_t next_ram_ = 0x10'0000;
};

}  // namespace fake
