// The pci-test copy engine, driven: a source and a destination DMA buffer, N
// copies, each started with DMA_CMD = START | IRQ and completed by the
// interrupt. After each: INT_STATUS acknowledged (RW1C), DMA_STATUS checked,
// the destination compared with the source. The source gets a fresh pattern
// and the destination its complement before each copy, so every byte must
// have been moved by that copy.
#pragma once

#include <cstdint>

#include "drivers/hal/irq.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/testdev/options.hpp"

namespace testdev {

struct CopyStats {
  unsigned copies = 0;
  std::uint64_t bytes = 0;
  std::uint64_t total_ns = 0;  // from START to the interrupt, summed
  std::uint64_t mean_ns() const { return copies ? total_ns / copies : 0; }
};

/// Byte `i` of copy `n`'s pattern.
std::uint8_t pattern_byte(unsigned n, std::size_t i);

/// Runs the copies; the first failure ends it (EIO: device error or data
/// mismatch; EPROTO: an interrupt without DMA done).
hal::Task<hal::Result<CopyStats>> run_copies(hal::Sys& sys, const hal::Mmio& regs, const hal::IrqVector& irq,
                                             const Options& options);

}  // namespace testdev
