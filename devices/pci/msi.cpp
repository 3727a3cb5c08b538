#include "devices/pci/msi.hpp"

#include <bit>
#include <stdexcept>

namespace pci {

namespace {
constexpr std::uint16_t kAddrLo = 0x04;
constexpr std::uint16_t kAddrHi = 0x08;
constexpr std::uint16_t kData = 0x0C;
constexpr std::uint16_t kMask = 0x10;
constexpr std::uint16_t kPending = 0x14;
}  // namespace

void MsiCapability::install(ConfigSpace& cs, unsigned vectors, bool per_vector_mask) {
  if (vectors == 0 || vectors > 32 || !std::has_single_bit(vectors))
    throw std::invalid_argument("MSI vectors must be 1, 2, 4, 8, 16 or 32");
  per_vector_mask_ = per_vector_mask;
  capable_ = vectors;
  offset_ = cs.add_capability(kCapIdMsi, size());
  const auto mmc = static_cast<std::uint16_t>(std::countr_zero(vectors));
  std::uint16_t control = static_cast<std::uint16_t>(mmc << kMsiControlMmcShift) | kMsiControl64Bit;
  if (per_vector_mask) control |= kMsiControlPerVectorMask;
  cs.set16(offset_ + kMsiMessageControl, control);
  cs.set_wmask16(offset_ + kMsiMessageControl, kMsiControlEnable | (0x7u << kMsiControlMmeShift));
  cs.set_wmask32(offset_ + kAddrLo, 0xFFFF'FFFCu);  // dword aligned: bits 1:0 read as zero
  cs.set_wmask32(offset_ + kAddrHi, 0xFFFF'FFFFu);
  cs.set_wmask16(offset_ + kData, 0xFFFF);
  if (per_vector_mask) {
    const std::uint32_t implemented = vectors == 32 ? 0xFFFF'FFFFu : ((1u << vectors) - 1);
    cs.set_wmask32(offset_ + kMask, implemented);  // unimplemented mask bits are RO zero
  }
}

unsigned MsiCapability::enabled_vectors(const ConfigSpace& cs) const {
  if (!present()) return 0;
  const unsigned mme = (cs.get16(offset_ + kMsiMessageControl) >> kMsiControlMmeShift) & 0x7;
  const unsigned n = mme > 5 ? 32 : (1u << mme);  // 110b and 111b are reserved
  return n < capable_ ? n : capable_;
}

MsiMessage MsiCapability::message(const ConfigSpace& cs, unsigned vector) const {
  MsiMessage m;
  m.address = cs.get32(offset_ + kAddrLo) | (std::uint64_t{cs.get32(offset_ + kAddrHi)} << 32);
  const unsigned n = enabled_vectors(cs);
  const std::uint32_t low = n - 1;
  m.data = (cs.get16(offset_ + kData) & ~low) | (vector & low);
  return m;
}

bool MsiCapability::masked(const ConfigSpace& cs, unsigned vector) const {
  return per_vector_mask_ && vector < 32 && ((cs.get32(offset_ + kMask) >> vector) & 1);
}

bool MsiCapability::pending(const ConfigSpace& cs, unsigned vector) const {
  return per_vector_mask_ && vector < 32 && ((cs.get32(offset_ + kPending) >> vector) & 1);
}

void MsiCapability::set_pending(ConfigSpace& cs, unsigned vector, bool on) const {
  if (!per_vector_mask_ || vector >= 32) return;
  std::uint32_t p = cs.get32(offset_ + kPending);
  p = on ? (p | (1u << vector)) : (p & ~(1u << vector));
  cs.set32(offset_ + kPending, p);  // Pending Bits are read-only to software
}

std::uint32_t MsiCapability::mask_bits(const ConfigSpace& cs) const {
  return per_vector_mask_ ? cs.get32(offset_ + kMask) : 0;
}

std::uint32_t MsiCapability::pending_bits(const ConfigSpace& cs) const {
  return per_vector_mask_ ? cs.get32(offset_ + kPending) : 0;
}

}  // namespace pci
