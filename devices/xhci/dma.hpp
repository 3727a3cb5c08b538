// The controller's view of host memory: reads and writes by DMA that may
// fail (outside RAM, Bus Master Enable off). The implementation charges the
// PCIe time; rings and contexts only see success or failure.
#pragma once

#include <cstdint>

namespace xhci {

class Dma {
 public:
  virtual ~Dma() = default;
  virtual bool read(std::uint64_t addr, void* dst, std::uint64_t len) = 0;
  virtual bool write(std::uint64_t addr, const void* src, std::uint64_t len) = 0;
};

}  // namespace xhci
