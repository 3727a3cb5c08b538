#include "drivers/testdev/copy_engine.hpp"

#include <cstring>
#include <string>

#include "drivers/testdev/regs.hpp"

namespace testdev {

std::uint8_t pattern_byte(unsigned n, std::size_t i) {
  return static_cast<std::uint8_t>((i * 131u) ^ (i >> 8) ^ (n * 0x3Du) ^ 0xA5u);
}

namespace {

void fill(const hal::DmaBuffer& src, const hal::DmaBuffer& dst, unsigned n) {
  for (std::size_t i = 0; i < src.size; ++i) {
    src.data[i] = pattern_byte(n, i);
    dst.data[i] = static_cast<std::uint8_t>(~src.data[i]);
  }
}

void write64(const hal::Mmio& regs, std::uint32_t reg, std::uint64_t v) {
  regs.write32(reg, static_cast<std::uint32_t>(v));
  regs.write32(reg + 4, static_cast<std::uint32_t>(v >> 32));
}

void start_copy(const hal::Mmio& regs, const hal::DmaBuffer& src, const hal::DmaBuffer& dst) {
  write64(regs, regs::kDmaSrc, src.phys);
  write64(regs, regs::kDmaDst, dst.phys);
  regs.write32(regs::kDmaLen, static_cast<std::uint32_t>(src.size));
  regs.write32(regs::kDmaVector, 0);
  regs.write32(regs::kDmaCmd, regs::kCmdStart | regs::kCmdIrq);
}

/// Acknowledges the interrupt and checks what the device says.
hal::Result<void> finish_copy(const hal::Mmio& regs, unsigned n) {
  const std::uint32_t int_status = regs.read32(regs::kIntStatus);
  regs.write32(regs::kIntStatus, int_status);  // RW1C
  const std::uint32_t status = regs.read32(regs::kDmaStatus);
  const std::string which = "copy " + std::to_string(n);
  if ((int_status & regs::kIntDmaError) || (status & regs::kStatusError))
    return hal::Error(hal::errc::io, which + ": the device reported a DMA error");
  if (!(int_status & regs::kIntDmaDone) || !(status & regs::kStatusDone))
    return hal::Error(hal::errc::proto, which + ": interrupt without DMA done");
  return hal::ok();
}

hal::Result<void> verify(const hal::DmaBuffer& src, const hal::DmaBuffer& dst, unsigned n) {
  if (std::memcmp(src.data, dst.data, src.size) == 0) return hal::ok();
  std::size_t i = 0;
  while (i < src.size && src.data[i] == dst.data[i]) ++i;
  return hal::Error(hal::errc::io, "copy " + std::to_string(n) + ": data mismatch at byte " + std::to_string(i));
}

}  // namespace

hal::Task<hal::Result<CopyStats>> run_copies(hal::Sys& sys, const hal::Mmio& regs, const hal::IrqVector& irq,
                                             const Options& options) {
  const hal::Result<hal::DmaBuffer> src = sys.physalloc(options.size);
  if (!src) co_return src.error().with_context("source buffer");
  const hal::Result<hal::DmaBuffer> dst = sys.physalloc(options.size);
  if (!dst) co_return dst.error().with_context("destination buffer");
  const hal::DmaBuffer s = src->slice(0, options.size), d = dst->slice(0, options.size);
  const std::uint32_t completed_before = regs.read32(regs::kCompleted);
  CopyStats stats;
  for (unsigned n = 0; n < options.copies; ++n) {
    fill(s, d, n);
    const std::uint64_t t0 = sys.now_ns();
    start_copy(regs, s, d);
    const hal::Result<std::uint64_t> fired = co_await hal::wait_irq(sys, irq);
    if (!fired) co_return fired.error().with_context("copy " + std::to_string(n) + ": wait for the interrupt");
    stats.total_ns += sys.now_ns() - t0;
    const hal::Result<void> done = finish_copy(regs, n);
    if (!done) co_return done.error();
    const hal::Result<void> same = verify(s, d, n);
    if (!same) co_return same.error();
    ++stats.copies;
    stats.bytes += options.size;
  }
  const std::uint32_t completed = regs.read32(regs::kCompleted) - completed_before;
  if (completed != options.copies)
    co_return hal::Error(hal::errc::io, "COMPLETED counted " + std::to_string(completed) + " copies, expected " +
                                            std::to_string(options.copies));
  co_return stats;
}

}  // namespace testdev
