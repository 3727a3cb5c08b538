// Base Address Registers: sizing (PCI 3.0 §6.2.5.1) and assignment.
//
// Sizing turns memory decode off (clears Memory Space Enable), writes all
// ones to each BAR, reads back the size mask and restores the original
// value, then restores the Command register. 64-bit BARs take two slots.
//
// Assignment: drvsim has no firmware, so pcid gives every memory BAR a
// naturally aligned address: 32-bit BARs from the 32-bit window, 64-bit BARs
// from the 64-bit window (falling back to the 32-bit window when it is full).
// BARs are placed largest first, so natural alignment leaves no holes. Each
// BAR gets at least a whole 4 KiB page of its own: a driver is granted its
// BARs page by page and must not reach another function's registers. I/O BARs
// are recorded but never assigned (the platform has no I/O space).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

/// The platform's MMIO windows (docs/devices/pci.md).
inline constexpr std::uint64_t kMmio32Base = 0xC000'0000;
inline constexpr std::uint64_t kMmio32Size = 0x2000'0000;  // up to the ECAM window
inline constexpr std::uint64_t kMmio64Base = 0x80'0000'0000;
inline constexpr std::uint64_t kMmio64Size = 64ULL << 30;
inline constexpr std::uint64_t kBarMinSpan = 4096;

/// Sizes the BARs of an endpoint into f.bars (addresses left unassigned).
void size_bars(const Ecam& ecam, Function& f);

struct MmioWindow {
  std::uint64_t base = 0;
  std::uint64_t size = 0;
};

/// Hands out naturally aligned ranges of the two windows, first fit upward.
class BarAllocator {
 public:
  BarAllocator() : BarAllocator({kMmio32Base, kMmio32Size}, {kMmio64Base, kMmio64Size}) {}
  BarAllocator(MmioWindow w32, MmioWindow w64) : w32_(w32), w64_(w64), next32_(w32.base), next64_(w64.base) {}

  /// An address for a BAR of `size` bytes (a power of two); nullopt if no
  /// window has room. 64-bit BARs try the 64-bit window first.
  std::optional<std::uint64_t> allocate(std::uint64_t size, bool is64);

 private:
  static std::optional<std::uint64_t> take(const MmioWindow& w, std::uint64_t& next, std::uint64_t size);
  MmioWindow w32_, w64_;
  std::uint64_t next32_, next64_;
};

/// Assigns addresses to every sized memory BAR of `functions`, largest
/// first, and programs them (decode off while writing). A BAR that fits
/// nowhere stays unassigned.
void assign_bars(const Ecam& ecam, std::vector<Function>& functions, BarAllocator& allocator);

/// Writes bar `index`'s address into the function (decode off meanwhile) and
/// reads it back; false if the function did not keep it.
bool program_bar(const Ecam& ecam, const Function& f, unsigned index);

}  // namespace pcid
