// Configuration-space registers pcid uses, named as the PCI Local Bus
// Specification 3.0 (chapter 6) and the PCI Express Base Specification name
// them. pcid's own copy: driver code never includes devices/ (the driver rule).
#pragma once

#include <cstdint>

namespace pcid::regs {

// Type 0 header (PCI 3.0 §6.1).
inline constexpr std::uint16_t kVendorId = 0x00;
inline constexpr std::uint16_t kDeviceId = 0x02;
inline constexpr std::uint16_t kCommand = 0x04;
inline constexpr std::uint16_t kStatus = 0x06;
inline constexpr std::uint16_t kRevisionId = 0x08;  // dword: revision, prog-if, subclass, class
inline constexpr std::uint16_t kHeaderType = 0x0E;
inline constexpr std::uint16_t kBar0 = 0x10;
inline constexpr std::uint16_t kBarEnd = 0x28;  // one past BAR5
inline constexpr std::uint16_t kSubsystemVendorId = 0x2C;
inline constexpr std::uint16_t kSubsystemId = 0x2E;
inline constexpr std::uint16_t kExpansionRom = 0x30;
inline constexpr std::uint16_t kCapabilitiesPointer = 0x34;
inline constexpr std::uint16_t kInterruptLine = 0x3C;
inline constexpr std::uint16_t kInterruptPin = 0x3D;
inline constexpr std::uint16_t kHeaderEnd = 0x40;  // capabilities live at and above this offset
inline constexpr std::uint16_t kStandardSpaceEnd = 0x100;

inline constexpr std::uint16_t kVendorAbsent = 0xFFFF;  // what a read of an absent function returns
inline constexpr std::uint8_t kHeaderTypeMask = 0x7F;
inline constexpr std::uint8_t kHeaderTypeMultiFunction = 0x80;
inline constexpr std::uint8_t kHeaderTypeEndpoint = 0x00;

// Command register (§6.2.2).
inline constexpr std::uint16_t kCommandIoSpace = 1u << 0;
inline constexpr std::uint16_t kCommandMemorySpace = 1u << 1;
inline constexpr std::uint16_t kCommandBusMaster = 1u << 2;
inline constexpr std::uint16_t kCommandInterruptDisable = 1u << 10;

// Status register (§6.2.3).
inline constexpr std::uint16_t kStatusCapabilitiesList = 1u << 4;

// Base Address Registers (§6.2.5.1).
inline constexpr std::uint32_t kBarIoSpace = 1u << 0;
inline constexpr std::uint32_t kBarMemTypeMask = 0x3u << 1;
inline constexpr std::uint32_t kBarMemType32 = 0x0u << 1;
inline constexpr std::uint32_t kBarMemType64 = 0x2u << 1;
inline constexpr std::uint32_t kBarPrefetchable = 1u << 3;
inline constexpr std::uint32_t kBarMemAddressMask = ~0xFu;

// Capability IDs (PCI Code and ID Assignment Specification).
inline constexpr std::uint8_t kCapIdMsi = 0x05;
inline constexpr std::uint8_t kCapIdPciExpress = 0x10;
inline constexpr std::uint8_t kCapIdMsix = 0x11;
inline constexpr std::uint16_t kCapNext = 0x01;  // Next Capability Pointer, from the capability
inline constexpr std::uint8_t kCapPointerMask = 0xFC;

// MSI capability (§6.8.1), offsets from the capability.
inline constexpr std::uint16_t kMsiMessageControl = 0x02;
inline constexpr std::uint16_t kMsiMessageAddress = 0x04;
inline constexpr std::uint16_t kMsiMessageUpperAddress = 0x08;  // 64-bit form only
inline constexpr std::uint16_t kMsiMessageData32 = 0x08;         // 32-bit form
inline constexpr std::uint16_t kMsiMessageData64 = 0x0C;         // 64-bit form
inline constexpr std::uint16_t kMsiMaskBits32 = 0x0C;
inline constexpr std::uint16_t kMsiMaskBits64 = 0x10;
inline constexpr std::uint16_t kMsiControlEnable = 1u << 0;
inline constexpr unsigned kMsiControlMmcShift = 1;  // Multiple Message Capable, bits 3:1
inline constexpr unsigned kMsiControlMmeShift = 4;  // Multiple Message Enable, bits 6:4
inline constexpr std::uint16_t kMsiControlMmeMask = 0x7u << kMsiControlMmeShift;
inline constexpr std::uint16_t kMsiControl64Bit = 1u << 7;
inline constexpr std::uint16_t kMsiControlPerVectorMask = 1u << 8;

// MSI-X capability (§6.8.2).
inline constexpr std::uint16_t kMsixMessageControl = 0x02;
inline constexpr std::uint16_t kMsixTable = 0x04;  // Table Offset / Table BIR
inline constexpr std::uint16_t kMsixPba = 0x08;    // PBA Offset / PBA BIR
inline constexpr std::uint16_t kMsixControlTableSizeMask = 0x07FF;
inline constexpr std::uint16_t kMsixControlFunctionMask = 1u << 14;
inline constexpr std::uint16_t kMsixControlEnable = 1u << 15;
inline constexpr std::uint32_t kMsixBirMask = 0x7;

// PCI Express capability (PCIe Base 4.0 §7.5.3), offsets from the capability.
inline constexpr std::uint16_t kPcieDeviceCapabilities = 0x04;
inline constexpr std::uint16_t kPcieDeviceControl = 0x08;
inline constexpr std::uint32_t kPcieDevCapMaxPayloadMask = 0x7;  // Max_Payload_Size Supported, bits 2:0
inline constexpr unsigned kPcieDevCtlMaxPayloadShift = 5;        // Max_Payload_Size, bits 7:5
inline constexpr std::uint16_t kPcieDevCtlMaxPayloadMask = 0x7u << kPcieDevCtlMaxPayloadShift;

/// Max_Payload_Size encodings: 0 = 128 B ... 5 = 4096 B.
constexpr unsigned payload_bytes(unsigned code) { return 128u << (code > 5 ? 5 : code); }

}  // namespace pcid::regs
