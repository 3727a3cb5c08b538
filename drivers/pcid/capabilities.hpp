// The capability list (PCI 3.0 §6.7): from the Capabilities Pointer (0x34)
// through each Next Capability Pointer. The walk is guarded: it stops after
// 48 entries (all that fit between 0x40 and 0x100), at a pointer into the
// header, or at an offset already visited, and marks the list broken.
// Reads the MSI (§6.8.1), MSI-X (§6.8.2) and PCI Express (PCIe §7.5.3)
// capabilities it finds.
#pragma once

#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

inline constexpr unsigned kCapabilityWalkLimit = 48;

/// Fills f.capabilities, f.msi, f.msix and f.pcie.
void walk_capabilities(const Ecam& ecam, Function& f);

/// The offset of the first capability with `id` in f.capabilities, or 0.
std::uint16_t find_capability(const Function& f, std::uint8_t id);

}  // namespace pcid
