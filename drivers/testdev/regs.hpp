// The pci-test device's registers (docs/devices/pci.md, "The pci-test
// device"): a DMA copy engine in BAR0; the MSI-X table in the BAR its MSI-X
// capability names. testdev's own copy (the driver rule).
#pragma once

#include <cstdint>

namespace testdev::regs {

inline constexpr std::uint16_t kVendorId = 0x1234;
inline constexpr std::uint16_t kDeviceId = 0xD51F;

// BAR0.
inline constexpr std::uint32_t kId = 0x00;          // RO "pcst"
inline constexpr std::uint32_t kVersion = 0x04;     // RO
inline constexpr std::uint32_t kScratch = 0x08;     // RW
inline constexpr std::uint32_t kDmaSrc = 0x10;      // RW 64-bit
inline constexpr std::uint32_t kDmaDst = 0x18;      // RW 64-bit
inline constexpr std::uint32_t kDmaLen = 0x20;      // RW bytes, 1 .. 1 MiB
inline constexpr std::uint32_t kDmaVector = 0x24;   // RW interrupt source raised on completion
inline constexpr std::uint32_t kDmaCmd = 0x28;      // WO
inline constexpr std::uint32_t kDmaStatus = 0x2C;   // RO
inline constexpr std::uint32_t kIntStatus = 0x30;   // RW1C
inline constexpr std::uint32_t kIntRaise = 0x34;    // WO
inline constexpr std::uint32_t kCompleted = 0x38;   // RO
inline constexpr std::uint32_t kRegistersEnd = 0x3C;

inline constexpr std::uint32_t kIdValue = 0x74736370;
inline constexpr std::uint32_t kCmdStart = 1u << 0;
inline constexpr std::uint32_t kCmdIrq = 1u << 1;
inline constexpr std::uint32_t kStatusBusy = 1u << 0;
inline constexpr std::uint32_t kStatusDone = 1u << 1;
inline constexpr std::uint32_t kStatusError = 1u << 2;
inline constexpr std::uint32_t kIntDmaDone = 1u << 0;
inline constexpr std::uint32_t kIntDmaError = 1u << 1;
inline constexpr std::uint32_t kIntSoftware = 1u << 2;
inline constexpr std::uint32_t kMaxDmaLen = 1u << 20;

// An MSI-X table entry (PCI 3.0 §6.8.2.6).
inline constexpr std::uint32_t kMsixEntrySize = 16;
inline constexpr std::uint32_t kMsixEntryAddrLo = 0x0;
inline constexpr std::uint32_t kMsixEntryAddrHi = 0x4;
inline constexpr std::uint32_t kMsixEntryData = 0x8;
inline constexpr std::uint32_t kMsixEntryVectorControl = 0xC;
inline constexpr std::uint32_t kMsixVectorControlMask = 1u << 0;

}  // namespace testdev::regs
