#include "drivers/pcid/enumerate.hpp"

#include "drivers/pcid/regs.hpp"

namespace pcid {

bool function_present(const Ecam& ecam, Bdf bdf) {
  const std::uint16_t vendor = ecam.read16(bdf, regs::kVendorId);
  return vendor != regs::kVendorAbsent && vendor != 0;
}

Function read_function(const Ecam& ecam, Bdf bdf) {
  Function f;
  f.bdf = bdf;
  f.vendor_id = ecam.read16(bdf, regs::kVendorId);
  f.device_id = ecam.read16(bdf, regs::kDeviceId);
  const std::uint32_t class_rev = ecam.read32(bdf, regs::kRevisionId);
  f.revision = static_cast<std::uint8_t>(class_rev);
  f.prog_if = static_cast<std::uint8_t>(class_rev >> 8);
  f.subclass = static_cast<std::uint8_t>(class_rev >> 16);
  f.class_code = static_cast<std::uint8_t>(class_rev >> 24);
  f.header_type = ecam.read8(bdf, regs::kHeaderType) & regs::kHeaderTypeMask;
  if (f.is_endpoint()) {
    f.subsystem_vendor_id = ecam.read16(bdf, regs::kSubsystemVendorId);
    f.subsystem_id = ecam.read16(bdf, regs::kSubsystemId);
  }
  f.interrupt_line = ecam.read8(bdf, regs::kInterruptLine);
  f.interrupt_pin = ecam.read8(bdf, regs::kInterruptPin);
  return f;
}

std::vector<Function> enumerate_bus0(const Ecam& ecam) {
  std::vector<Function> found;
  for (unsigned dev = 0; dev < kDevicesPerBus; ++dev) {
    const Bdf f0{0, static_cast<std::uint8_t>(dev), 0};
    if (!function_present(ecam, f0)) continue;
    const bool multi = ecam.read8(f0, regs::kHeaderType) & regs::kHeaderTypeMultiFunction;
    for (unsigned fn = 0; fn < (multi ? kFunctionsPerDevice : 1u); ++fn) {
      const Bdf bdf{0, static_cast<std::uint8_t>(dev), static_cast<std::uint8_t>(fn)};
      if (fn != 0 && !function_present(ecam, bdf)) continue;
      found.push_back(read_function(ecam, bdf));
    }
  }
  return found;
}

}  // namespace pcid
