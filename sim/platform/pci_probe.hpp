// The built-in "pci-probe" program: enumerates bus 0 through ECAM like
// firmware and an OS bus driver would (PCI 3.0 §6.2.5.1 BAR sizing, the
// capability list walk), assigns BARs in the MMIO windows, enables memory
// decode and bus mastering, prints each function, and checks one interrupt
// end to end on each drvsim test device (a DMA copy of
// random data, completed by MSI-X or MSI, the data compared). It stands in for pcid until the
// kernel model runs real driver processes.
#pragma once

#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/platform/platform.hpp"

namespace sim::platform {

struct ProbedBar {
  unsigned index = 0;
  bool is64 = false, prefetchable = false;
  std::uint64_t size = 0, address = 0;
};

struct ProbedFunction {
  std::uint8_t device = 0, function = 0;
  std::uint16_t vendor = 0, device_id = 0;
  std::uint8_t class_code = 0, subclass = 0, prog_if = 0;
  std::vector<ProbedBar> bars;
  std::vector<std::uint8_t> capabilities;  // IDs in list order
  unsigned msi_vectors = 0;
  bool msi_64bit = false, msi_masking = false;
  unsigned msix_vectors = 0, msix_table_bir = 0, msix_pba_bir = 0;
  std::uint32_t msix_table_offset = 0, msix_pba_offset = 0;
  unsigned link_speed = 0, link_width = 0;
  bool interrupt_ok = false;
  bool dma_ok = false;
  Picos irq_latency = 0;
  std::string bdf() const;
};

class PciProbe : public Process {
 public:
  PciProbe(Platform& platform, std::string name, std::vector<std::string> args);
  void main() override;
  bool ok() const override { return ok_; }
  const std::vector<ProbedFunction>& functions() const { return functions_; }

 private:
  std::uint32_t cfg_read(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, unsigned size);
  void cfg_write(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, unsigned size, std::uint32_t v);
  std::uint64_t mmio_read(std::uint64_t addr, unsigned size);
  void mmio_write(std::uint64_t addr, unsigned size, std::uint64_t v);
  void probe_function(std::uint8_t dev, std::uint8_t fn);
  void size_and_assign_bars(ProbedFunction& f);
  void walk_capabilities(ProbedFunction& f);
  void test_interrupt(ProbedFunction& f, unsigned vector);
  void print(const ProbedFunction& f);

  Platform& p_;
  std::string name_;
  std::vector<std::string> args_;
  std::vector<ProbedFunction> functions_;
  std::uint64_t next_mmio32_, next_mmio64_;
  unsigned next_vector_ = 0x40;
  sc_core::sc_event irq_event_;
  unsigned last_irq_vector_ = 0;
  RngStream rng_;
  bool ok_ = true;
};

}  // namespace sim::platform
