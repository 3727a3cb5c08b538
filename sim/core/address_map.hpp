// The guest physical address map. Values follow common x86 practice (a PC's
// 32-bit MMIO hole below 4 GiB, the LAPIC MSI window at 0xFEE00000).
//
//   0x0000_0000 .. RAM (low part, at most 3 GiB)
//   0xC000_0000 .. 0xDFFF_FFFF  32-bit MMIO window for BARs (512 MiB)
//   0xE000_0000 .. 0xEFFF_FFFF  ECAM configuration window (256 buses x 1 MiB)
//   0xFEE0_0000 .. 0xFEEF_FFFF  MSI window (writes here are interrupt messages)
//   0x1_0000_0000 ..            RAM above 3 GiB continues here
//   0x80_0000_0000 ..           64-bit MMIO window for BARs (64 GiB)
#pragma once

#include <cstdint>

namespace sim::addr {

constexpr std::uint64_t kRamLowLimit = 0xC000'0000ULL;
constexpr std::uint64_t kMmio32Base = 0xC000'0000ULL;
constexpr std::uint64_t kMmio32Size = 0x2000'0000ULL;
constexpr std::uint64_t kEcamBase = 0xE000'0000ULL;
constexpr std::uint64_t kEcamSize = 0x1000'0000ULL;
constexpr std::uint64_t kMsiBase = 0xFEE0'0000ULL;
constexpr std::uint64_t kMsiSize = 0x10'0000ULL;
constexpr std::uint64_t kHighRamBase = 0x1'0000'0000ULL;
constexpr std::uint64_t kMmio64Base = 0x80'0000'0000ULL;
constexpr std::uint64_t kMmio64Size = 0x10'0000'0000ULL;

constexpr bool in(std::uint64_t a, std::uint64_t base, std::uint64_t size) { return a >= base && a - base < size; }

}  // namespace sim::addr
