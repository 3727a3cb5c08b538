// Configuration access through ECAM (PCIe Base §7.2.2, "Enhanced
// Configuration Access Mechanism"): each function's 4 KiB of configuration
// space appears at base + (bus << 20 | device << 15 | function << 12).
// pcid maps bus 0's megabyte of the window it was granted. Accesses are
// naturally aligned bytes, words or dwords, as the root complex requires; a
// bad offset throws hal::ErrorException (EFAULT/EINVAL) from the mapping.
#pragma once

#include <cstdint>

#include "drivers/hal/mmio.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

/// The platform's ECAM window (docs/devices/pci.md) and the part pcid maps.
inline constexpr std::uint64_t kEcamBase = 0xE000'0000;
inline constexpr std::uint64_t kEcamSize = 256ULL << 20;  // 256 buses
inline constexpr std::uint64_t kEcamBusSize = 1ULL << 20;  // 32 devices x 8 functions x 4 KiB
inline constexpr unsigned kDevicesPerBus = 32;
inline constexpr unsigned kFunctionsPerDevice = 8;

class Ecam {
 public:
  Ecam() = default;
  /// `window` maps ECAM from bus 0 (at least kEcamBusSize bytes).
  explicit Ecam(hal::Mmio window) : window_(window) {}

  std::uint8_t read8(Bdf f, std::uint16_t offset) const { return window_.read8(at(f, offset)); }
  std::uint16_t read16(Bdf f, std::uint16_t offset) const { return window_.read16(at(f, offset)); }
  std::uint32_t read32(Bdf f, std::uint16_t offset) const { return window_.read32(at(f, offset)); }
  void write16(Bdf f, std::uint16_t offset, std::uint16_t v) const { window_.write16(at(f, offset), v); }
  void write32(Bdf f, std::uint16_t offset, std::uint32_t v) const { window_.write32(at(f, offset), v); }

  const hal::Mmio& window() const { return window_; }

 private:
  static std::uint64_t at(Bdf f, std::uint16_t offset) {
    return (std::uint64_t{f.bus} << 20) | (std::uint64_t{f.device & 0x1Fu} << 15) |
           (std::uint64_t{f.function & 0x7u} << 12) | (offset & 0xFFFu);
  }
  hal::Mmio window_;
};

}  // namespace pcid
