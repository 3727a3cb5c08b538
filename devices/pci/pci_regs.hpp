// Configuration-space register offsets and bits, named as the PCI Local Bus
// Specification 3.0 (chapter 6) and the PCI Express Base Specification name them.
#pragma once

#include <cstdint>

namespace pci {

// Type 0 header (PCI 3.0 §6.1, figure 6-1).
constexpr std::uint16_t kVendorId = 0x00;
constexpr std::uint16_t kDeviceId = 0x02;
constexpr std::uint16_t kCommand = 0x04;
constexpr std::uint16_t kStatus = 0x06;
constexpr std::uint16_t kRevisionId = 0x08;
constexpr std::uint16_t kClassProgIf = 0x09;
constexpr std::uint16_t kSubclass = 0x0A;
constexpr std::uint16_t kClassCode = 0x0B;
constexpr std::uint16_t kCacheLineSize = 0x0C;
constexpr std::uint16_t kLatencyTimer = 0x0D;
constexpr std::uint16_t kHeaderType = 0x0E;
constexpr std::uint16_t kBist = 0x0F;
constexpr std::uint16_t kBar0 = 0x10;
constexpr std::uint16_t kSubsystemVendorId = 0x2C;
constexpr std::uint16_t kSubsystemId = 0x2E;
constexpr std::uint16_t kExpansionRom = 0x30;
constexpr std::uint16_t kCapabilitiesPointer = 0x34;
constexpr std::uint16_t kInterruptLine = 0x3C;
constexpr std::uint16_t kInterruptPin = 0x3D;
constexpr std::uint16_t kConfigSpaceSize = 4096;  // PCIe extended configuration space
constexpr std::uint16_t kExtendedCapStart = 0x100;
constexpr unsigned kNumBars = 6;

constexpr std::uint8_t kHeaderTypeMultiFunction = 0x80;

// Command register (§6.2.2).
constexpr std::uint16_t kCommandIoSpace = 1u << 0;
constexpr std::uint16_t kCommandMemorySpace = 1u << 1;   // MSE
constexpr std::uint16_t kCommandBusMaster = 1u << 2;     // BME
constexpr std::uint16_t kCommandParityErrorResponse = 1u << 6;
constexpr std::uint16_t kCommandSerrEnable = 1u << 8;
constexpr std::uint16_t kCommandInterruptDisable = 1u << 10;

// Status register (§6.2.3). Bits 8 and 11..15 are RW1C.
constexpr std::uint16_t kStatusInterrupt = 1u << 3;
constexpr std::uint16_t kStatusCapabilitiesList = 1u << 4;
constexpr std::uint16_t kStatusMasterDataParityError = 1u << 8;
constexpr std::uint16_t kStatusSignaledTargetAbort = 1u << 11;
constexpr std::uint16_t kStatusReceivedTargetAbort = 1u << 12;
constexpr std::uint16_t kStatusReceivedMasterAbort = 1u << 13;
constexpr std::uint16_t kStatusSignaledSystemError = 1u << 14;
constexpr std::uint16_t kStatusDetectedParityError = 1u << 15;
constexpr std::uint16_t kStatusRw1cMask = 0xF900;

// Base Address Registers (§6.2.5.1).
constexpr std::uint32_t kBarIoSpace = 1u << 0;
constexpr std::uint32_t kBarMemType64 = 0x2u << 1;
constexpr std::uint32_t kBarMemTypeMask = 0x3u << 1;
constexpr std::uint32_t kBarPrefetchable = 1u << 3;
constexpr std::uint32_t kBarMemAddressMask = ~0xFu;

// Capability IDs (PCI Code and ID Assignment Specification).
constexpr std::uint8_t kCapIdMsi = 0x05;
constexpr std::uint8_t kCapIdPciExpress = 0x10;
constexpr std::uint8_t kCapIdMsix = 0x11;

// MSI capability (§6.8.1), offsets from the capability.
constexpr std::uint16_t kMsiMessageControl = 0x02;
constexpr std::uint16_t kMsiMessageAddress = 0x04;
constexpr std::uint16_t kMsiControlEnable = 1u << 0;
constexpr unsigned kMsiControlMmcShift = 1;   // Multiple Message Capable, bits 3:1
constexpr unsigned kMsiControlMmeShift = 4;   // Multiple Message Enable, bits 6:4
constexpr std::uint16_t kMsiControl64Bit = 1u << 7;
constexpr std::uint16_t kMsiControlPerVectorMask = 1u << 8;

// MSI-X capability (§6.8.2).
constexpr std::uint16_t kMsixMessageControl = 0x02;
constexpr std::uint16_t kMsixTable = 0x04;       // Table Offset / Table BIR
constexpr std::uint16_t kMsixPba = 0x08;         // PBA Offset / PBA BIR
constexpr std::uint16_t kMsixControlTableSizeMask = 0x07FF;
constexpr std::uint16_t kMsixControlFunctionMask = 1u << 14;
constexpr std::uint16_t kMsixControlEnable = 1u << 15;
constexpr std::uint32_t kMsixBirMask = 0x7;
constexpr unsigned kMsixEntrySize = 16;
constexpr std::uint16_t kMsixEntryAddrLo = 0x0;
constexpr std::uint16_t kMsixEntryAddrHi = 0x4;
constexpr std::uint16_t kMsixEntryData = 0x8;
constexpr std::uint16_t kMsixEntryVectorControl = 0xC;
constexpr std::uint32_t kMsixVectorControlMask = 1u << 0;

// PCI Express capability (PCIe Base 4.0 §7.5.3), offsets from the capability.
constexpr std::uint16_t kPcieCapabilities = 0x02;
constexpr std::uint16_t kPcieDeviceCapabilities = 0x04;
constexpr std::uint16_t kPcieDeviceControl = 0x08;
constexpr std::uint16_t kPcieDeviceStatus = 0x0A;
constexpr std::uint16_t kPcieLinkCapabilities = 0x0C;
constexpr std::uint16_t kPcieLinkControl = 0x10;
constexpr std::uint16_t kPcieLinkStatus = 0x12;
constexpr std::uint16_t kPcieDeviceCapabilities2 = 0x24;
constexpr std::uint16_t kPcieLinkCapabilities2 = 0x2C;
constexpr std::uint16_t kPcieCapSize = 0x3C;

}  // namespace pci
