#include "drivers/pcid/capabilities.hpp"

#include <set>

#include "drivers/pcid/regs.hpp"

namespace pcid {

namespace {

void read_msi(const Ecam& ecam, Function& f, std::uint16_t at) {
  const std::uint16_t control = ecam.read16(f.bdf, static_cast<std::uint16_t>(at + regs::kMsiMessageControl));
  f.msi.present = true;
  f.msi.offset = at;
  const unsigned mmc = (control >> regs::kMsiControlMmcShift) & 0x7;
  f.msi.capable_vectors = 1u << (mmc > 5 ? 5 : mmc);  // 110b and 111b are reserved
  f.msi.is64 = control & regs::kMsiControl64Bit;
  f.msi.per_vector_mask = control & regs::kMsiControlPerVectorMask;
}

void read_msix(const Ecam& ecam, Function& f, std::uint16_t at) {
  const std::uint16_t control = ecam.read16(f.bdf, static_cast<std::uint16_t>(at + regs::kMsixMessageControl));
  const std::uint32_t table = ecam.read32(f.bdf, static_cast<std::uint16_t>(at + regs::kMsixTable));
  const std::uint32_t pba = ecam.read32(f.bdf, static_cast<std::uint16_t>(at + regs::kMsixPba));
  f.msix.present = true;
  f.msix.offset = at;
  f.msix.table_size = (control & regs::kMsixControlTableSizeMask) + 1u;
  f.msix.table_bar = table & regs::kMsixBirMask;
  f.msix.table_offset = table & ~regs::kMsixBirMask;
  f.msix.pba_bar = pba & regs::kMsixBirMask;
  f.msix.pba_offset = pba & ~regs::kMsixBirMask;
}

void read_pcie(const Ecam& ecam, Function& f, std::uint16_t at) {
  const std::uint32_t devcap = ecam.read32(f.bdf, static_cast<std::uint16_t>(at + regs::kPcieDeviceCapabilities));
  const std::uint16_t devctl = ecam.read16(f.bdf, static_cast<std::uint16_t>(at + regs::kPcieDeviceControl));
  f.pcie.present = true;
  f.pcie.offset = at;
  f.pcie.max_payload_supported = regs::payload_bytes(devcap & regs::kPcieDevCapMaxPayloadMask);
  f.pcie.max_payload = regs::payload_bytes((devctl & regs::kPcieDevCtlMaxPayloadMask) >> regs::kPcieDevCtlMaxPayloadShift);
}

}  // namespace

void walk_capabilities(const Ecam& ecam, Function& f) {
  f.capabilities.clear();
  f.capability_list_broken = false;
  f.msi = {};
  f.msix = {};
  f.pcie = {};
  if (!(ecam.read16(f.bdf, regs::kStatus) & regs::kStatusCapabilitiesList)) return;
  std::set<std::uint16_t> seen;
  std::uint16_t at = ecam.read8(f.bdf, regs::kCapabilitiesPointer) & regs::kCapPointerMask;
  while (at != 0) {
    if (at < regs::kHeaderEnd || seen.count(at) || seen.size() == kCapabilityWalkLimit) {
      f.capability_list_broken = true;
      return;
    }
    seen.insert(at);
    const std::uint8_t id = ecam.read8(f.bdf, at);
    f.capabilities.push_back({id, at});
    // Only the first of each kind counts (a function has at most one).
    if (id == regs::kCapIdMsi && !f.msi.present) read_msi(ecam, f, at);
    if (id == regs::kCapIdMsix && !f.msix.present) read_msix(ecam, f, at);
    if (id == regs::kCapIdPciExpress && !f.pcie.present) read_pcie(ecam, f, at);
    at = ecam.read8(f.bdf, static_cast<std::uint16_t>(at + regs::kCapNext)) & regs::kCapPointerMask;
  }
}

std::uint16_t find_capability(const Function& f, std::uint8_t id) {
  for (const Capability& c : f.capabilities)
    if (c.id == id) return c.offset;
  return 0;
}

}  // namespace pcid
