// Register offsets and bits, named as the xHCI 1.2 specification names them
// (chapter 5), and drvsim's placement of the register blocks in BAR0.
#pragma once

#include <cstdint>

namespace xhci {

// BAR0 layout (drvsim's choice; software finds it through CAPLENGTH, DBOFF,
// RTSOFF, HCCPARAMS1.xECP and the MSI-X capability, as on real hardware).
constexpr std::uint32_t kCapLength = 0x40;
constexpr std::uint32_t kOperationalBase = kCapLength;
constexpr std::uint32_t kPortRegisterBase = kOperationalBase + 0x400;  // §5.4.8
constexpr std::uint32_t kPortRegisterStride = 0x10;
constexpr std::uint32_t kRuntimeBase = 0x2000;
constexpr std::uint32_t kDoorbellBase = 0x3000;
constexpr std::uint32_t kExtCapBase = 0x3800;
constexpr std::uint32_t kMsixTableOffset = 0x4000;
constexpr std::uint32_t kMsixPbaOffset = 0x5000;
constexpr std::uint64_t kBar0Size = 0x10000;

// Capability registers (§5.3).
constexpr std::uint32_t kCapLengthHciVersion = 0x00;  // CAPLENGTH (byte 0), HCIVERSION (bytes 2-3)
constexpr std::uint32_t kHcsParams1 = 0x04;
constexpr std::uint32_t kHcsParams2 = 0x08;
constexpr std::uint32_t kHcsParams3 = 0x0C;
constexpr std::uint32_t kHccParams1 = 0x10;
constexpr std::uint32_t kDbOff = 0x14;
constexpr std::uint32_t kRtsOff = 0x18;
constexpr std::uint32_t kHccParams2 = 0x1C;
constexpr std::uint16_t kHciVersion = 0x0120;

// HCCPARAMS1 bits (§5.3.6).
constexpr std::uint32_t kHcc1Ac64 = 1u << 0;
constexpr std::uint32_t kHcc1Csz = 1u << 2;
constexpr std::uint32_t kHcc1Ppc = 1u << 3;
constexpr std::uint32_t kHcc1Nss = 1u << 7;
constexpr std::uint32_t kHcc1Spc = 1u << 9;

// Operational registers, offsets from the operational base (§5.4).
constexpr std::uint32_t kUsbCmd = 0x00;
constexpr std::uint32_t kUsbSts = 0x04;
constexpr std::uint32_t kPageSize = 0x08;
constexpr std::uint32_t kDnCtrl = 0x14;
constexpr std::uint32_t kCrcr = 0x18;
constexpr std::uint32_t kDcbaap = 0x30;
constexpr std::uint32_t kConfig = 0x38;

// USBCMD (§5.4.1).
constexpr std::uint32_t kCmdRunStop = 1u << 0;
constexpr std::uint32_t kCmdHcReset = 1u << 1;
constexpr std::uint32_t kCmdInte = 1u << 2;
constexpr std::uint32_t kCmdHsee = 1u << 3;
constexpr std::uint32_t kCmdLhcrst = 1u << 7;
constexpr std::uint32_t kCmdCss = 1u << 8;
constexpr std::uint32_t kCmdCrs = 1u << 9;
constexpr std::uint32_t kCmdEwe = 1u << 10;
constexpr std::uint32_t kCmdEu3s = 1u << 11;
constexpr std::uint32_t kCmdCme = 1u << 13;
constexpr std::uint32_t kCmdWritable = kCmdRunStop | kCmdInte | kCmdHsee | kCmdEwe | kCmdEu3s | kCmdCme;

// USBSTS (§5.4.2).
constexpr std::uint32_t kStsHch = 1u << 0;
constexpr std::uint32_t kStsHse = 1u << 2;
constexpr std::uint32_t kStsEint = 1u << 3;
constexpr std::uint32_t kStsPcd = 1u << 4;
constexpr std::uint32_t kStsSss = 1u << 8;
constexpr std::uint32_t kStsRss = 1u << 9;
constexpr std::uint32_t kStsSre = 1u << 10;
constexpr std::uint32_t kStsCnr = 1u << 11;
constexpr std::uint32_t kStsHce = 1u << 12;
constexpr std::uint32_t kStsRw1c = kStsHse | kStsEint | kStsPcd | kStsSre;

// CRCR (§5.4.5).
constexpr std::uint64_t kCrcrRcs = 1u << 0;
constexpr std::uint64_t kCrcrCs = 1u << 1;
constexpr std::uint64_t kCrcrCa = 1u << 2;
constexpr std::uint64_t kCrcrCrr = 1u << 3;
constexpr std::uint64_t kCrcrPointerMask = ~0x3FULL;

// CONFIG (§5.4.7).
constexpr std::uint32_t kConfigMaxSlotsEnMask = 0xFF;
constexpr std::uint32_t kConfigU3e = 1u << 8;
constexpr std::uint32_t kConfigCie = 1u << 9;

// Port register set, offsets within one set (§5.4.8 - §5.4.11).
constexpr std::uint32_t kPortSc = 0x0;
constexpr std::uint32_t kPortPmsc = 0x4;
constexpr std::uint32_t kPortLi = 0x8;
constexpr std::uint32_t kPortHlpmc = 0xC;

// PORTSC (§5.4.8).
constexpr std::uint32_t kPortCcs = 1u << 0;
constexpr std::uint32_t kPortPed = 1u << 1;
constexpr std::uint32_t kPortOca = 1u << 3;
constexpr std::uint32_t kPortPr = 1u << 4;
constexpr unsigned kPortPlsShift = 5;
constexpr std::uint32_t kPortPlsMask = 0xFu << kPortPlsShift;
constexpr std::uint32_t kPortPp = 1u << 9;
constexpr unsigned kPortSpeedShift = 10;
constexpr std::uint32_t kPortSpeedMask = 0xFu << kPortSpeedShift;
constexpr std::uint32_t kPortPicMask = 0x3u << 14;
constexpr std::uint32_t kPortLws = 1u << 16;
constexpr std::uint32_t kPortCsc = 1u << 17;
constexpr std::uint32_t kPortPec = 1u << 18;
constexpr std::uint32_t kPortWrc = 1u << 19;
constexpr std::uint32_t kPortOcc = 1u << 20;
constexpr std::uint32_t kPortPrc = 1u << 21;
constexpr std::uint32_t kPortPlc = 1u << 22;
constexpr std::uint32_t kPortCec = 1u << 23;
constexpr std::uint32_t kPortCas = 1u << 24;
constexpr std::uint32_t kPortWce = 1u << 25;
constexpr std::uint32_t kPortWde = 1u << 26;
constexpr std::uint32_t kPortWoe = 1u << 27;
constexpr std::uint32_t kPortDr = 1u << 30;
constexpr std::uint32_t kPortWpr = 1u << 31;
constexpr std::uint32_t kPortChangeBits = kPortCsc | kPortPec | kPortWrc | kPortOcc | kPortPrc | kPortPlc | kPortCec;

// Port Link State values (§5.4.8, Table 5-27).
enum class Pls : std::uint8_t {
  u0 = 0,
  u1 = 1,
  u2 = 2,
  u3 = 3,
  disabled = 4,
  rx_detect = 5,
  inactive = 6,
  polling = 7,
  recovery = 8,
  hot_reset = 9,
  compliance = 10,
  test_mode = 11,
  resume = 15
};

// Protocol Speed ID values of the default mapping (§7.2.2.1.1).
constexpr std::uint8_t kPsiFull = 1, kPsiLow = 2, kPsiHigh = 3, kPsiSuper = 4;

// Runtime registers (§5.5).
constexpr std::uint32_t kMfIndex = 0x00;
constexpr std::uint32_t kInterrupterBase = 0x20;
constexpr std::uint32_t kInterrupterStride = 0x20;
constexpr std::uint32_t kIman = 0x00;
constexpr std::uint32_t kImod = 0x04;
constexpr std::uint32_t kErstsz = 0x08;
constexpr std::uint32_t kErstba = 0x10;
constexpr std::uint32_t kErdp = 0x18;
constexpr std::uint32_t kImanIp = 1u << 0;
constexpr std::uint32_t kImanIe = 1u << 1;
constexpr std::uint64_t kErdpEhb = 1u << 3;
constexpr std::uint64_t kErdpDesiMask = 0x7;

// Extended capability IDs (§7, Table 7-1).
constexpr std::uint8_t kExtCapLegacySupport = 1;
constexpr std::uint8_t kExtCapSupportedProtocol = 2;
constexpr std::uint32_t kUsbLegSupBiosOwned = 1u << 16;
constexpr std::uint32_t kUsbLegSupOsOwned = 1u << 24;

}  // namespace xhci
