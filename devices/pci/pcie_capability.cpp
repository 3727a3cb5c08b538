#include "devices/pci/pcie_capability.hpp"

#include <bit>

namespace pci {

std::uint16_t encode_payload_size(unsigned bytes) {
  if (bytes < 128) return 0;
  const unsigned v = static_cast<unsigned>(std::countr_zero(std::bit_floor(bytes))) - 7;
  return static_cast<std::uint16_t>(v > 5 ? 5 : v);
}

void PcieCapability::install(ConfigSpace& cs, const PcieLinkParams& link) {
  offset_ = cs.add_capability(kCapIdPciExpress, kPcieCapSize);
  // Capability version 2, Device/Port Type 0000b: PCI Express Endpoint.
  cs.set16(offset_ + kPcieCapabilities, 0x0002);
  // Device Capabilities: Max_Payload_Size Supported (bits 2:0).
  cs.set32(offset_ + kPcieDeviceCapabilities, encode_payload_size(link.max_payload));
  // Device Control: Max_Payload_Size (7:5) resets to 128 bytes and
  // Max_Read_Request_Size (14:12) to 512 bytes (§7.5.3.4). Software raises
  // them; the link then uses what is programmed, up to what is supported.
  cs.set16(offset_ + kPcieDeviceControl, static_cast<std::uint16_t>(2u << 12));
  cs.set_wmask16(offset_ + kPcieDeviceControl, 0x7CFF);  // errors, MPS, relaxed ordering, no-snoop, MRRS
  cs.set_w1cmask16(offset_ + kPcieDeviceStatus, 0x000F);
  // Link Capabilities: Max Link Speed (3:0, an index into the Supported Link
  // Speeds Vector), Maximum Link Width (9:4).
  cs.set32(offset_ + kPcieLinkCapabilities, (link.generation & 0xF) | ((link.lanes & 0x3F) << 4));
  cs.set_wmask16(offset_ + kPcieLinkControl, 0x01C3);  // ASPM control, RCB, common clock, extended sync
  // Link Status: Current Link Speed (3:0) and Negotiated Link Width (9:4).
  cs.set16(offset_ + kPcieLinkStatus, static_cast<std::uint16_t>((link.generation & 0xF) | ((link.lanes & 0x3F) << 4)));
  // Link Capabilities 2: Supported Link Speeds Vector (7:1), one bit per generation up to the max.
  std::uint32_t speeds = 0;
  for (unsigned g = 1; g <= link.generation && g <= 7; ++g) speeds |= 1u << g;
  cs.set32(offset_ + kPcieLinkCapabilities2, speeds);
}

unsigned PcieCapability::max_payload(const ConfigSpace& cs) const {
  if (!present()) return 128;
  const unsigned programmed = (cs.get16(offset_ + kPcieDeviceControl) >> 5) & 7;
  const unsigned supported = cs.get32(offset_ + kPcieDeviceCapabilities) & 7;
  const unsigned v = programmed < supported ? programmed : supported;
  return 128u << (v > 5 ? 5 : v);
}

unsigned PcieCapability::max_read_request(const ConfigSpace& cs) const {
  if (!present()) return 512;
  const unsigned v = (cs.get16(offset_ + kPcieDeviceControl) >> 12) & 7;
  return 128u << (v > 5 ? 5 : v);
}

}  // namespace pci
