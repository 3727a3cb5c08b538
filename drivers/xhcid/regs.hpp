// xHCI register offsets and bits, named as the xHCI 1.2 specification names
// them (chapter 5, chapter 7). xhcid's own copy: drivers include nothing but
// the standard library and drivers/ (the driver rule).
#pragma once

#include <cstdint>

namespace xhcid::regs {

// Capability registers (§5.3), offsets from the start of BAR0.
inline constexpr std::uint32_t kCapLength = 0x00;   // byte 0; HCIVERSION in bytes 2-3
inline constexpr std::uint32_t kHcsParams1 = 0x04;  // MaxSlots 7:0, MaxIntrs 18:8, MaxPorts 31:24
inline constexpr std::uint32_t kHcsParams2 = 0x08;  // IST 3:0, ERST Max 7:4, Max Scratchpad Bufs Hi 25:21, SPR 26, Lo 31:27
inline constexpr std::uint32_t kHcsParams3 = 0x0C;
inline constexpr std::uint32_t kHccParams1 = 0x10;  // AC64 0, CSZ 2, PPC 3, xECP 31:16
inline constexpr std::uint32_t kDbOff = 0x14;
inline constexpr std::uint32_t kRtsOff = 0x18;
inline constexpr std::uint32_t kHccParams2 = 0x1C;

inline constexpr std::uint32_t kHcc1Ac64 = 1u << 0;
inline constexpr std::uint32_t kHcc1Csz = 1u << 2;
inline constexpr std::uint32_t kHcc1Ppc = 1u << 3;

constexpr unsigned max_slots(std::uint32_t hcsparams1) { return hcsparams1 & 0xFF; }
constexpr unsigned max_intrs(std::uint32_t hcsparams1) { return (hcsparams1 >> 8) & 0x7FF; }
constexpr unsigned max_ports(std::uint32_t hcsparams1) { return hcsparams1 >> 24; }
constexpr unsigned erst_max(std::uint32_t hcsparams2) { return (hcsparams2 >> 4) & 0xF; }
/// Max Scratchpad Buffers: Hi (bits 25:21) << 5 | Lo (bits 31:27), §5.3.4.
constexpr unsigned max_scratchpad_bufs(std::uint32_t hcsparams2) {
  return (((hcsparams2 >> 21) & 0x1F) << 5) | ((hcsparams2 >> 27) & 0x1F);
}
/// xHCI Extended Capabilities Pointer, in dwords from BAR0 (§5.3.6).
constexpr std::uint32_t xecp(std::uint32_t hccparams1) { return (hccparams1 >> 16) * 4; }

// Operational registers (§5.4), offsets from the operational base (CAPLENGTH).
inline constexpr std::uint32_t kUsbCmd = 0x00;
inline constexpr std::uint32_t kUsbSts = 0x04;
inline constexpr std::uint32_t kPageSize = 0x08;
inline constexpr std::uint32_t kDnCtrl = 0x14;
inline constexpr std::uint32_t kCrcr = 0x18;
inline constexpr std::uint32_t kDcbaap = 0x30;
inline constexpr std::uint32_t kConfig = 0x38;
inline constexpr std::uint32_t kPortRegisterBase = 0x400;  // port n (1-based) at 0x400 + 0x10 (n - 1)
inline constexpr std::uint32_t kPortRegisterStride = 0x10;
inline constexpr std::uint32_t kPortSc = 0x0;

// USBCMD (§5.4.1).
inline constexpr std::uint32_t kCmdRunStop = 1u << 0;
inline constexpr std::uint32_t kCmdHcReset = 1u << 1;
inline constexpr std::uint32_t kCmdInte = 1u << 2;
inline constexpr std::uint32_t kCmdHsee = 1u << 3;

// USBSTS (§5.4.2).
inline constexpr std::uint32_t kStsHch = 1u << 0;
inline constexpr std::uint32_t kStsHse = 1u << 2;
inline constexpr std::uint32_t kStsEint = 1u << 3;
inline constexpr std::uint32_t kStsPcd = 1u << 4;
inline constexpr std::uint32_t kStsCnr = 1u << 11;
inline constexpr std::uint32_t kStsHce = 1u << 12;

// CRCR (§5.4.5).
inline constexpr std::uint64_t kCrcrRcs = 1u << 0;
inline constexpr std::uint64_t kCrcrCs = 1u << 1;
inline constexpr std::uint64_t kCrcrCa = 1u << 2;
inline constexpr std::uint64_t kCrcrCrr = 1u << 3;

// PORTSC (§5.4.8).
inline constexpr std::uint32_t kPortCcs = 1u << 0;
inline constexpr std::uint32_t kPortPed = 1u << 1;
inline constexpr std::uint32_t kPortOca = 1u << 3;
inline constexpr std::uint32_t kPortPr = 1u << 4;
inline constexpr unsigned kPortPlsShift = 5;
inline constexpr std::uint32_t kPortPlsMask = 0xFu << kPortPlsShift;
inline constexpr std::uint32_t kPortPp = 1u << 9;
inline constexpr unsigned kPortSpeedShift = 10;
inline constexpr std::uint32_t kPortSpeedMask = 0xFu << kPortSpeedShift;
inline constexpr std::uint32_t kPortPicMask = 0x3u << 14;
inline constexpr std::uint32_t kPortLws = 1u << 16;
inline constexpr std::uint32_t kPortCsc = 1u << 17;
inline constexpr std::uint32_t kPortPec = 1u << 18;
inline constexpr std::uint32_t kPortWrc = 1u << 19;
inline constexpr std::uint32_t kPortOcc = 1u << 20;
inline constexpr std::uint32_t kPortPrc = 1u << 21;
inline constexpr std::uint32_t kPortPlc = 1u << 22;
inline constexpr std::uint32_t kPortCec = 1u << 23;
inline constexpr std::uint32_t kPortWce = 1u << 25;
inline constexpr std::uint32_t kPortWde = 1u << 26;
inline constexpr std::uint32_t kPortWoe = 1u << 27;
inline constexpr std::uint32_t kPortWpr = 1u << 31;
inline constexpr std::uint32_t kPortChangeBits = kPortCsc | kPortPec | kPortWrc | kPortOcc | kPortPrc | kPortPlc | kPortCec;
/// Bits written back unchanged when clearing change bits: everything that is
/// RW and not a trigger. PED (write 1 = disable), PR, WPR and LWS are triggers
/// and must be written 0 (§4.19.1, Table 5-27 "RWS" vs "RW1S/RW1CS").
inline constexpr std::uint32_t kPortPreserveBits = kPortPp | kPortPicMask | kPortWce | kPortWde | kPortWoe;

constexpr unsigned port_speed(std::uint32_t portsc) { return (portsc & kPortSpeedMask) >> kPortSpeedShift; }
constexpr unsigned port_link_state(std::uint32_t portsc) { return (portsc & kPortPlsMask) >> kPortPlsShift; }

// Protocol Speed ID values of the default mapping (§7.2.2.1.1, Table 7-13).
inline constexpr unsigned kPsiFull = 1, kPsiLow = 2, kPsiHigh = 3, kPsiSuper = 4, kPsiSuperPlus = 5;

// Runtime registers (§5.5), offsets from RTSOFF.
inline constexpr std::uint32_t kMfIndex = 0x00;
inline constexpr std::uint32_t kInterrupterBase = 0x20;  // interrupter n at 0x20 + 0x20 n
inline constexpr std::uint32_t kInterrupterStride = 0x20;
inline constexpr std::uint32_t kIman = 0x00;
inline constexpr std::uint32_t kImod = 0x04;
inline constexpr std::uint32_t kErstsz = 0x08;
inline constexpr std::uint32_t kErstba = 0x10;
inline constexpr std::uint32_t kErdp = 0x18;
inline constexpr std::uint32_t kImanIp = 1u << 0;
inline constexpr std::uint32_t kImanIe = 1u << 1;
inline constexpr std::uint64_t kErdpDesiMask = 0x7;
inline constexpr std::uint64_t kErdpEhb = 1u << 3;
/// IMOD Interval counts 250 ns units (§5.5.2.2).
inline constexpr std::uint64_t kImodUnitNs = 250;

// Extended capabilities (§7, Table 7-1).
inline constexpr std::uint8_t kExtCapLegacySupport = 1;
inline constexpr std::uint8_t kExtCapSupportedProtocol = 2;
inline constexpr std::uint32_t kUsbLegSupBiosOwned = 1u << 16;
inline constexpr std::uint32_t kUsbLegSupOsOwned = 1u << 24;

// MSI-X table entry (PCI 3.0 §6.8.2.6-9).
inline constexpr std::uint32_t kMsixEntrySize = 16;
inline constexpr std::uint32_t kMsixEntryAddrLo = 0x0;
inline constexpr std::uint32_t kMsixEntryAddrHi = 0x4;
inline constexpr std::uint32_t kMsixEntryData = 0x8;
inline constexpr std::uint32_t kMsixEntryVectorControl = 0xC;
inline constexpr std::uint32_t kMsixVectorMasked = 1u << 0;

// PCI class code of an xHCI controller (xHCI 1.2 §5.2.1).
inline constexpr std::uint8_t kPciClassSerialBus = 0x0C, kPciSubclassUsb = 0x03, kPciProgIfXhci = 0x30;

}  // namespace xhcid::regs
