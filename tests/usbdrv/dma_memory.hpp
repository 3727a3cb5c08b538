// Heap memory that looks like a DMA buffer (a made-up physical address, a
// real host pointer) for unit tests of ring, context and TRB code.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "drivers/hal/dma.hpp"

namespace usbtest {

class DmaMemory {
 public:
  explicit DmaMemory(std::size_t bytes, std::uint64_t phys = 0x10'0000)
      : mem_(static_cast<std::uint8_t*>(std::aligned_alloc(4096, (bytes + 4095) & ~std::size_t{4095})), &std::free),
        buf_{phys, mem_.get(), bytes} {
    std::fill(mem_.get(), mem_.get() + bytes, std::uint8_t{0});
  }
  const hal::DmaBuffer& buffer() const { return buf_; }

 private:
  std::unique_ptr<std::uint8_t, decltype(&std::free)> mem_;
  hal::DmaBuffer buf_;
};

}  // namespace usbtest
