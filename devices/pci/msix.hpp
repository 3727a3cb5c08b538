// MSI-X (PCI 3.0 §6.8.2): the capability in configuration space, and the
// table and Pending Bit Array that live in a memory BAR.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/pci/config_space.hpp"
#include "devices/pci/msi.hpp"

namespace pci {

class MsixCapability {
 public:
  /// Adds the capability. The table has `table_size` entries (1..2048) at
  /// `table_offset` in BAR `table_bir`; the PBA at `pba_offset` in `pba_bir`.
  /// Offsets are 8-byte aligned (the low 3 bits hold the BIR).
  void install(ConfigSpace& cs, unsigned table_size, unsigned table_bir, std::uint32_t table_offset,
               unsigned pba_bir, std::uint32_t pba_offset);

  bool present() const { return offset_ != 0; }
  std::uint16_t offset() const { return offset_; }
  bool touches(std::uint16_t off, unsigned len) const { return present() && off < offset_ + 12 && off + len > offset_; }

  unsigned table_size() const { return static_cast<unsigned>(entries_.size()); }
  unsigned table_bir() const { return table_bir_; }
  std::uint32_t table_offset() const { return table_offset_; }
  unsigned pba_bir() const { return pba_bir_; }
  std::uint32_t pba_offset() const { return pba_offset_; }
  /// Bytes the table and the PBA occupy in their BARs.
  std::uint32_t table_bytes() const { return table_size() * kMsixEntrySize; }
  std::uint32_t pba_bytes() const { return ((table_size() + 63) / 64) * 8; }

  // Inline: asked on every completion and interrupt.
  bool enabled(const ConfigSpace& cs) const {
    return present() && (cs.get16(offset_ + kMsixMessageControl) & kMsixControlEnable);
  }
  bool function_masked(const ConfigSpace& cs) const {
    return present() && (cs.get16(offset_ + kMsixMessageControl) & kMsixControlFunctionMask);
  }
  bool entry_masked(unsigned v) const {
    return v >= entries_.size() || (entries_[v].vector_control & kMsixVectorControlMask);
  }
  MsiMessage message(unsigned v) const {
    if (v >= entries_.size()) return {};
    const Entry& e = entries_[v];
    return MsiMessage{e.addr_lo | (std::uint64_t{e.addr_hi} << 32), e.data};
  }
  bool pending(unsigned vector) const;
  void set_pending(unsigned vector, bool on);

  /// BAR accesses that fall in the table or the PBA. `offset` is relative to
  /// the start of the table (PBA). Software uses aligned dword or qword
  /// accesses (§6.8.2.9); returns false for any other access, which the
  /// caller reports. A table write may unmask a vector: the caller then
  /// delivers what is pending.
  bool table_read(std::uint32_t offset, unsigned size, std::uint64_t& value) const;
  bool table_write(std::uint32_t offset, unsigned size, std::uint64_t value);
  bool pba_read(std::uint32_t offset, unsigned size, std::uint64_t& value) const;

 private:
  struct Entry {
    std::uint32_t addr_lo = 0, addr_hi = 0, data = 0;
    std::uint32_t vector_control = kMsixVectorControlMask;  // masked after reset
  };
  std::uint32_t word(unsigned index) const;
  void set_word(unsigned index, std::uint32_t v);

  std::uint16_t offset_ = 0;
  unsigned table_bir_ = 0, pba_bir_ = 0;
  std::uint32_t table_offset_ = 0, pba_offset_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::uint64_t> pba_;
};

}  // namespace pci
