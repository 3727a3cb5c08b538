#include "drivers/pcid/enable.hpp"

#include <algorithm>
#include <bit>

#include "drivers/pcid/regs.hpp"

namespace pcid {

void disable_msi(const Ecam& ecam, const Function& f) {
  if (!f.msi.present) return;
  const auto at = static_cast<std::uint16_t>(f.msi.offset + regs::kMsiMessageControl);
  const std::uint16_t control = ecam.read16(f.bdf, at);
  ecam.write16(f.bdf, at, static_cast<std::uint16_t>(control & ~(regs::kMsiControlEnable | regs::kMsiControlMmeMask)));
}

void disable_msix(const Ecam& ecam, const Function& f) {
  if (!f.msix.present) return;
  const auto at = static_cast<std::uint16_t>(f.msix.offset + regs::kMsixMessageControl);
  const std::uint16_t control = ecam.read16(f.bdf, at);
  ecam.write16(f.bdf, at,
               static_cast<std::uint16_t>(control & ~(regs::kMsixControlEnable | regs::kMsixControlFunctionMask)));
}

unsigned set_max_payload(const Ecam& ecam, Function& f) {
  if (!f.pcie.present) return f.pcie.max_payload;
  const unsigned bytes = std::min(f.pcie.max_payload_supported, kRootPortMaxPayload);
  const auto code = static_cast<unsigned>(std::countr_zero(bytes / 128));
  const auto at = static_cast<std::uint16_t>(f.pcie.offset + regs::kPcieDeviceControl);
  const std::uint16_t control = ecam.read16(f.bdf, at);
  ecam.write16(f.bdf, at,
               static_cast<std::uint16_t>((control & ~regs::kPcieDevCtlMaxPayloadMask) |
                                          (code << regs::kPcieDevCtlMaxPayloadShift)));
  const std::uint16_t back = ecam.read16(f.bdf, at);
  f.pcie.max_payload =
      regs::payload_bytes((back & regs::kPcieDevCtlMaxPayloadMask) >> regs::kPcieDevCtlMaxPayloadShift);
  return f.pcie.max_payload;
}

void enable_function(const Ecam& ecam, Function& f) {
  if (!f.is_endpoint()) return;
  disable_msi(ecam, f);
  disable_msix(ecam, f);
  set_max_payload(ecam, f);
  std::uint16_t command = ecam.read16(f.bdf, regs::kCommand);
  command |= regs::kCommandBusMaster;
  if (f.all_bars_assigned()) command |= regs::kCommandMemorySpace;
  ecam.write16(f.bdf, regs::kCommand, command);
  const std::uint16_t back = ecam.read16(f.bdf, regs::kCommand);
  f.enabled = (back & regs::kCommandBusMaster) && (back & regs::kCommandMemorySpace);
}

}  // namespace pcid
