// "pci-test": drvsim's DMA test device, in the spirit of QEMU's edu device.
// A copy engine moves LEN bytes from SRC to DST by DMA (read, then write, in
// chunks of at most 4 KiB) and raises an interrupt when done. Used by tests
// and the first scenarios; documented in docs/devices/pci.md.
//
// BAR0 (registers; 32- or 64-bit):
//   0x00 ID          RO   0x74736370 ("pcst")
//   0x04 VERSION     RO   0x00010000
//   0x08 SCRATCH     RW   any value
//   0x10 DMA_SRC     RW   64-bit source address
//   0x18 DMA_DST     RW   64-bit destination address
//   0x20 DMA_LEN     RW   bytes (1 .. 1 MiB)
//   0x24 DMA_VECTOR  RW   interrupt vector raised on completion
//   0x28 DMA_CMD     WO   bit 0 START, bit 1 IRQ on completion
//   0x2C DMA_STATUS  RO   bit 0 BUSY, bit 1 DONE, bit 2 ERROR
//   0x30 INT_STATUS  RW1C bit 0 DMA done, bit 1 DMA error, bit 2 software
//   0x34 INT_RAISE   WO   raise the given vector now (sets INT_STATUS bit 2)
//   0x38 COMPLETED   RO   number of copies completed
// BAR2 (64-bit prefetchable or 32-bit): MSI-X table at 0, PBA at 0x800 (or
// after the table when it is larger).
// INTx follows INT_STATUS != 0 when MSI and MSI-X are both off.
#pragma once

#include <systemc>

#include <cstdint>
#include <vector>

#include "devices/pci/pci_function.hpp"
#include "sim/core/rng.hpp"

namespace pci {

struct PciTestParams {
  std::uint16_t vendor_id = 0x1234;  // unassigned by PCI-SIG; customary for emulated devices
  std::uint16_t device_id = 0xD51F;
  unsigned msi_vectors = 1;          // 0: no MSI capability
  bool msi_per_vector_mask = true;
  unsigned msix_vectors = 4;         // 0: no MSI-X capability
  bool bar0_64bit = false;
  std::uint64_t bar0_size = 4096;
  bool bar2_64bit = true;
  std::uint64_t dma_bytes_per_second = 1'000'000'000;
  sim::Picos dma_jitter = 0;  // extra time per chunk, uniform in [0, dma_jitter]
  std::uint64_t seed = 1;     // scenario seed; the stream is (seed, device name)
  PcieLinkParams link;
};

class PciTestDevice : public PciFunction {
 public:
  // Register offsets in BAR0.
  static constexpr std::uint32_t kId = 0x00, kVersion = 0x04, kScratch = 0x08, kDmaSrc = 0x10, kDmaDst = 0x18,
                                 kDmaLen = 0x20, kDmaVector = 0x24, kDmaCmd = 0x28, kDmaStatus = 0x2C,
                                 kIntStatus = 0x30, kIntRaise = 0x34, kCompleted = 0x38;
  static constexpr std::uint32_t kIdValue = 0x74736370, kVersionValue = 0x00010000;
  static constexpr std::uint32_t kCmdStart = 1, kCmdIrq = 2;
  static constexpr std::uint32_t kStatusBusy = 1, kStatusDone = 2, kStatusError = 4;
  static constexpr std::uint32_t kIntDmaDone = 1, kIntDmaError = 2, kIntSoftware = 4;
  static constexpr std::uint32_t kMaxDmaLen = 1u << 20;

  PciTestDevice(sc_core::sc_module_name name, sim::Trace& trace, const PciTestParams& params);

 protected:
  std::uint64_t bar_read(unsigned bar, std::uint64_t offset, unsigned size) override;
  void bar_write(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value) override;

 private:
  void engine();
  void update_intx();

  PciTestParams params_;
  std::uint32_t scratch_ = 0;
  std::uint64_t src_ = 0, dst_ = 0;
  std::uint32_t len_ = 0, vector_ = 0, status_ = 0, int_status_ = 0;
  bool irq_on_done_ = false;
  std::uint32_t completed_ = 0;
  sc_core::sc_event start_;
  std::vector<std::uint8_t> buffer_;
  sim::RngStream rng_;
};

}  // namespace pci
