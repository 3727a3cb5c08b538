#include "drivers/pcid/features.hpp"

#include <bit>

#include "drivers/pcid/regs.hpp"

namespace pcid {

namespace {

std::uint16_t msi_control_at(const Function& f) {
  return static_cast<std::uint16_t>(f.msi.offset + regs::kMsiMessageControl);
}
std::uint16_t msix_control_at(const Function& f) {
  return static_cast<std::uint16_t>(f.msix.offset + regs::kMsixMessageControl);
}

void update16(const Ecam& ecam, Bdf bdf, std::uint16_t at, std::uint16_t clear, std::uint16_t set) {
  const std::uint16_t v = ecam.read16(bdf, at);
  ecam.write16(bdf, at, static_cast<std::uint16_t>((v & ~clear) | set));
}

hal::Result<void> enable_msi(const Ecam& ecam, const Function& f) {
  if (!f.msi.present) return hal::Error(hal::errc::nodev, "no MSI capability");
  if (f.msix.present) update16(ecam, f.bdf, msix_control_at(f), regs::kMsixControlEnable, 0);  // never both (§6.8.2)
  update16(ecam, f.bdf, msi_control_at(f), 0, regs::kMsiControlEnable);
  return hal::ok();
}

hal::Result<void> enable_msix(const Ecam& ecam, const Function& f) {
  if (!f.msix.present) return hal::Error(hal::errc::nodev, "no MSI-X capability");
  if (f.msi.present) update16(ecam, f.bdf, msi_control_at(f), regs::kMsiControlEnable, 0);  // never both
  update16(ecam, f.bdf, msix_control_at(f), 0, regs::kMsixControlEnable);
  return hal::ok();
}

}  // namespace

hal::Result<void> set_feature(const Ecam& ecam, const Function& f, std::uint64_t feature, bool on) {
  switch (static_cast<Feature>(feature)) {
    case Feature::msi:
      if (on) return enable_msi(ecam, f);
      if (!f.msi.present) return hal::Error(hal::errc::nodev, "no MSI capability");
      update16(ecam, f.bdf, msi_control_at(f), regs::kMsiControlEnable, 0);
      return hal::ok();
    case Feature::msix:
      if (on) return enable_msix(ecam, f);
      if (!f.msix.present) return hal::Error(hal::errc::nodev, "no MSI-X capability");
      update16(ecam, f.bdf, msix_control_at(f), regs::kMsixControlEnable, 0);
      return hal::ok();
    case Feature::intx_disable:
      update16(ecam, f.bdf, regs::kCommand, on ? 0 : regs::kCommandInterruptDisable,
               on ? regs::kCommandInterruptDisable : 0);
      return hal::ok();
  }
  return hal::Error(hal::errc::inval, "unknown feature");
}

hal::Result<std::uint64_t> set_msi_message(const Ecam& ecam, const Function& f, std::uint64_t address,
                                           std::uint64_t data, std::uint64_t vectors) {
  if (!f.msi.present) return hal::Error(hal::errc::nodev, "no MSI capability");
  if (vectors == 0 || vectors > f.msi.capable_vectors || !std::has_single_bit(vectors))
    return hal::Error(hal::errc::inval, "MSI vectors must be a power of two up to the capable count");
  if (address & 0x3) return hal::Error(hal::errc::inval, "MSI address not dword aligned");
  if (!f.msi.is64 && (address >> 32) != 0) return hal::Error(hal::errc::inval, "64-bit MSI address on a 32-bit MSI");
  if (data > 0xFFFF || (data & (vectors - 1)) != 0)
    return hal::Error(hal::errc::inval, "MSI data: 16 bits, low log2(vectors) bits zero");
  const Bdf b = f.bdf;
  ecam.write32(b, static_cast<std::uint16_t>(f.msi.offset + regs::kMsiMessageAddress), static_cast<std::uint32_t>(address));
  if (f.msi.is64)
    ecam.write32(b, static_cast<std::uint16_t>(f.msi.offset + regs::kMsiMessageUpperAddress),
                 static_cast<std::uint32_t>(address >> 32));
  ecam.write16(b, f.msi.data_offset(), static_cast<std::uint16_t>(data));
  const auto mme = static_cast<std::uint16_t>(std::countr_zero(vectors));
  update16(ecam, b, msi_control_at(f), regs::kMsiControlMmeMask,
           static_cast<std::uint16_t>(mme << regs::kMsiControlMmeShift));
  return vectors;
}

hal::Result<std::uint64_t> set_msi_mask(const Ecam& ecam, const Function& f, std::uint64_t bits) {
  if (!f.msi.present) return hal::Error(hal::errc::nodev, "no MSI capability");
  if (!f.msi.per_vector_mask) return hal::Error(hal::errc::opnotsupp, "MSI without per-vector masking");
  const std::uint64_t implemented = f.msi.capable_vectors >= 32 ? 0xFFFF'FFFFULL : ((1ULL << f.msi.capable_vectors) - 1);
  if (bits & ~implemented) return hal::Error(hal::errc::inval, "MSI mask bit above the capable vectors");
  ecam.write32(f.bdf, f.msi.mask_offset(), static_cast<std::uint32_t>(bits));
  return std::uint64_t{ecam.read32(f.bdf, f.msi.mask_offset())};
}

hal::Result<void> set_msix_function_mask(const Ecam& ecam, const Function& f, std::uint64_t on) {
  if (!f.msix.present) return hal::Error(hal::errc::nodev, "no MSI-X capability");
  if (on > 1) return hal::Error(hal::errc::inval, "function mask: 0 or 1");
  update16(ecam, f.bdf, msix_control_at(f), on ? 0 : regs::kMsixControlFunctionMask,
           on ? regs::kMsixControlFunctionMask : 0);
  return hal::ok();
}

}  // namespace pcid
