// The pci-test device's register file and copy engine, emulated for driver
// tests (the real model, devices/pci/pci_test_device, needs SystemC). Same
// registers, capabilities and BAR layout; the copy happens at once when
// started, advances the machine clock by its length (1 byte/ns) and raises
// its interrupt source. Faults can be injected.
#pragma once

#include <cstdint>

#include "tests/drivers/fake_machine.hpp"

namespace fake {

struct PciTestOptions {
  unsigned msi_vectors = 1;  // 0: no MSI capability
  bool msi_per_vector_mask = true;
  unsigned msix_vectors = 4;  // 0: no MSI-X capability
  bool bar0_64bit = false;
  bool bar2_64bit = true;
};

class FakePciTest : public FakeFunction {
 public:
  static constexpr std::uint32_t kId = 0x00, kVersion = 0x04, kScratch = 0x08, kDmaSrc = 0x10, kDmaDst = 0x18,
                                 kDmaLen = 0x20, kDmaVector = 0x24, kDmaCmd = 0x28, kDmaStatus = 0x2C,
                                 kIntStatus = 0x30, kIntRaise = 0x34, kCompleted = 0x38;

  explicit FakePciTest(const PciTestOptions& o = {});

  // Faults.
  bool corrupt_data = false;   // flip a byte of every copy's destination
  bool fail_dma = false;       // end every copy with DONE | ERROR
  bool raise_interrupt = true;  // false: never signal completion

  std::uint32_t completed = 0;
  std::uint32_t int_status = 0;

 protected:
  std::uint64_t reg_read(unsigned bar, std::uint64_t offset, unsigned width) override;
  void reg_write(unsigned bar, std::uint64_t offset, unsigned width, std::uint64_t value) override;

 private:
  void run_copy(bool irq);
  std::uint64_t src_ = 0, dst_ = 0;
  std::uint32_t len_ = 0, vector_ = 0, status_ = 0, scratch_reg_ = 0;
};

}  // namespace fake
