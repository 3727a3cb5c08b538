#include "devices/pci/msix.hpp"

#include <stdexcept>

namespace pci {

void MsixCapability::install(ConfigSpace& cs, unsigned table_size, unsigned table_bir, std::uint32_t table_offset,
                             unsigned pba_bir, std::uint32_t pba_offset) {
  if (table_size == 0 || table_size > 2048) throw std::invalid_argument("MSI-X table size must be 1..2048");
  if (table_bir >= kNumBars || pba_bir >= kNumBars || (table_offset & 7) || (pba_offset & 7))
    throw std::invalid_argument("bad MSI-X table or PBA location");
  entries_.assign(table_size, Entry{});
  pba_.assign((table_size + 63) / 64, 0);
  table_bir_ = table_bir;
  pba_bir_ = pba_bir;
  table_offset_ = table_offset;
  pba_offset_ = pba_offset;
  offset_ = cs.add_capability(kCapIdMsix, 12);
  cs.set16(offset_ + kMsixMessageControl, static_cast<std::uint16_t>(table_size - 1));
  cs.set_wmask16(offset_ + kMsixMessageControl, kMsixControlEnable | kMsixControlFunctionMask);
  cs.set32(offset_ + kMsixTable, table_offset | table_bir);
  cs.set32(offset_ + kMsixPba, pba_offset | pba_bir);
}

bool MsixCapability::pending(unsigned v) const { return v < entries_.size() && ((pba_[v / 64] >> (v % 64)) & 1); }

void MsixCapability::set_pending(unsigned v, bool on) {
  if (v >= entries_.size()) return;
  const std::uint64_t bit = 1ULL << (v % 64);
  pba_[v / 64] = on ? (pba_[v / 64] | bit) : (pba_[v / 64] & ~bit);
}

std::uint32_t MsixCapability::word(unsigned index) const {
  const Entry& e = entries_[index / 4];
  switch (index % 4) {
    case 0: return e.addr_lo;
    case 1: return e.addr_hi;
    case 2: return e.data;
    default: return e.vector_control;
  }
}

void MsixCapability::set_word(unsigned index, std::uint32_t v) {
  Entry& e = entries_[index / 4];
  switch (index % 4) {
    case 0: e.addr_lo = v & ~3u; break;  // Message Address is dword aligned
    case 1: e.addr_hi = v; break;
    case 2: e.data = v; break;
    default: e.vector_control = v & kMsixVectorControlMask; break;  // other bits reserved
  }
}

bool MsixCapability::table_read(std::uint32_t offset, unsigned size, std::uint64_t& value) const {
  if ((size != 4 && size != 8) || offset % size != 0 || offset + size > table_bytes()) return false;
  value = word(offset / 4);
  if (size == 8) value |= std::uint64_t{word(offset / 4 + 1)} << 32;
  return true;
}

bool MsixCapability::table_write(std::uint32_t offset, unsigned size, std::uint64_t value) {
  if ((size != 4 && size != 8) || offset % size != 0 || offset + size > table_bytes()) return false;
  set_word(offset / 4, static_cast<std::uint32_t>(value));
  if (size == 8) set_word(offset / 4 + 1, static_cast<std::uint32_t>(value >> 32));
  return true;
}

bool MsixCapability::pba_read(std::uint32_t offset, unsigned size, std::uint64_t& value) const {
  if ((size != 4 && size != 8) || offset % size != 0 || offset + size > pba_bytes()) return false;
  const std::uint64_t q = pba_[offset / 8];
  value = size == 8 ? q : ((offset % 8) ? q >> 32 : q & 0xFFFF'FFFFu);
  return true;
}

}  // namespace pci
