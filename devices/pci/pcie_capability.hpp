// The PCI Express Capability structure of an endpoint (PCIe Base §7.5.3):
// device capabilities and control (Max_Payload_Size, Max_Read_Request_Size),
// link capabilities and status (speed, width).
#pragma once

#include <cstdint>

#include "devices/pci/config_space.hpp"
#include "devices/pci/pcie_link.hpp"

namespace pci {

class PcieCapability {
 public:
  void install(ConfigSpace& cs, const PcieLinkParams& link);
  bool present() const { return offset_ != 0; }
  std::uint16_t offset() const { return offset_; }
  bool touches(std::uint16_t off, unsigned len) const {
    return present() && off < offset_ + kPcieCapSize && off + len > offset_;
  }
  /// Max_Payload_Size and Max_Read_Request_Size as software programmed them.
  unsigned max_payload(const ConfigSpace& cs) const;
  unsigned max_read_request(const ConfigSpace& cs) const;

 private:
  std::uint16_t offset_ = 0;
};

/// Encodes 128..4096 as the 3-bit field value 0..5.
std::uint16_t encode_payload_size(unsigned bytes);

}  // namespace pci
