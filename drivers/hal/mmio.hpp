// An MMIO mapping: a driver's window onto device registers (a BAR it was
// granted and mapped with Sys::physmap). Accesses are checked: the offset must
// lie inside the mapping and be naturally aligned for the width, as the CPU
// and PCIe require; a bad access throws ErrorException (EFAULT for out of
// range, EINVAL for misaligned), which fails the task that made it — a driver
// bug, reported, never a silent wild access.
#pragma once

#include <cstdint>

#include "drivers/hal/error.hpp"

namespace hal {

/// What the platform does for an access (the kernel model: a CPU load or
/// store through the root complex; a load stalls the CPU for the round trip).
class MmioBackend {
 public:
  virtual ~MmioBackend() = default;
  virtual std::uint64_t mmio_read(std::uint64_t phys, unsigned width) = 0;
  virtual void mmio_write(std::uint64_t phys, unsigned width, std::uint64_t value) = 0;
};

class Mmio {
 public:
  Mmio() = default;
  Mmio(MmioBackend* backend, std::uint64_t phys, std::uint64_t size) : b_(backend), phys_(phys), size_(size) {}

  bool valid() const { return b_ != nullptr; }
  std::uint64_t phys() const { return phys_; }
  std::uint64_t size() const { return size_; }

  std::uint8_t read8(std::uint64_t off) const { return static_cast<std::uint8_t>(read(off, 1)); }
  std::uint16_t read16(std::uint64_t off) const { return static_cast<std::uint16_t>(read(off, 2)); }
  std::uint32_t read32(std::uint64_t off) const { return static_cast<std::uint32_t>(read(off, 4)); }
  std::uint64_t read64(std::uint64_t off) const { return read(off, 8); }
  void write8(std::uint64_t off, std::uint8_t v) const { write(off, 1, v); }
  void write16(std::uint64_t off, std::uint16_t v) const { write(off, 2, v); }
  void write32(std::uint64_t off, std::uint32_t v) const { write(off, 4, v); }
  void write64(std::uint64_t off, std::uint64_t v) const { write(off, 8, v); }

  /// A window of this mapping (e.g. an MSI-X table inside a BAR).
  Mmio sub(std::uint64_t off, std::uint64_t size) const {
    if (off > size_ || size > size_ - off) throw ErrorException(Error(errc::fault, "mmio: window outside the mapping"));
    return Mmio(b_, phys_ + off, size);
  }

 private:
  void check(std::uint64_t off, unsigned width) const {
    if (!b_) throw ErrorException(Error(errc::badf, "mmio: not mapped"));
    if (off >= size_ || width > size_ - off) throw ErrorException(Error(errc::fault, "mmio: access outside the mapping"));
    if (off % width != 0) throw ErrorException(Error(errc::inval, "mmio: misaligned access"));
  }
  std::uint64_t read(std::uint64_t off, unsigned width) const {
    check(off, width);
    return b_->mmio_read(phys_ + off, width);
  }
  void write(std::uint64_t off, unsigned width, std::uint64_t v) const {
    check(off, width);
    b_->mmio_write(phys_ + off, width, v);
  }

  MmioBackend* b_ = nullptr;
  std::uint64_t phys_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace hal
