// The configuration space of one PCI function: 4 KiB of registers with a
// per-bit write mask (read-only vs read-write) and a per-bit RW1C mask. The
// BAR sizing protocol falls out of the write masks, as on real hardware: the
// low bits of a BAR are read-only zero, so writing all ones reads back the
// size mask (PCI 3.0 §6.2.5.1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "devices/pci/pci_regs.hpp"

namespace pci {

enum class BarKind : std::uint8_t { none, mem32, mem64 };

/// What a BAR decodes: its kind, size, and the address software assigned.
struct BarInfo {
  BarKind kind = BarKind::none;
  bool prefetchable = false;
  std::uint64_t size = 0;
  std::uint64_t address = 0;  // as currently programmed
};

class ConfigSpace {
 public:
  ConfigSpace();

  /// Guest-visible accesses. `size` is 1, 2 or 4 and the access must not
  /// cross a dword (the caller checks alignment). Out-of-range reads give 0.
  std::uint32_t read(std::uint16_t offset, unsigned size) const;
  void write(std::uint16_t offset, unsigned size, std::uint32_t value);

  /// Set-up accessors: write the register value directly, ignoring masks.
  void set8(std::uint16_t offset, std::uint8_t v) { data_[offset] = v; }
  void set16(std::uint16_t offset, std::uint16_t v);
  void set32(std::uint16_t offset, std::uint32_t v);
  std::uint8_t get8(std::uint16_t offset) const { return data_[offset]; }
  // Inline: the Command register and the MSI-X control are read on every
  // DMA and interrupt.
  std::uint16_t get16(std::uint16_t offset) const {
    return static_cast<std::uint16_t>(data_[offset] | (data_[offset + 1] << 8));
  }
  std::uint32_t get32(std::uint16_t offset) const {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{data_[offset + i]} << (8 * i);
    return v;
  }

  /// Per-bit masks: which bits software may write, which are RW1C.
  void set_wmask8(std::uint16_t offset, std::uint8_t m) { wmask_[offset] = m; }
  void set_wmask16(std::uint16_t offset, std::uint16_t m);
  void set_wmask32(std::uint16_t offset, std::uint32_t m);
  void set_w1cmask16(std::uint16_t offset, std::uint16_t m);
  void set_w1cmask32(std::uint16_t offset, std::uint32_t m);

  /// Identification and header (header type 0).
  void set_ids(std::uint16_t vendor, std::uint16_t device, std::uint8_t class_code, std::uint8_t subclass,
               std::uint8_t prog_if, std::uint8_t revision);
  void set_multifunction(bool mf);

  /// Declares BAR `index` (a mem64 BAR also takes index+1). `size` is a power
  /// of two of at least 16 bytes. Throws std::invalid_argument on a bad set-up.
  void define_bar(unsigned index, BarKind kind, std::uint64_t size, bool prefetchable);
  BarInfo bar(unsigned index) const;

  /// Appends a capability of `size` bytes with the given ID to the list
  /// (standard space, dword aligned) and returns its offset.
  std::uint16_t add_capability(std::uint8_t id, std::uint16_t size);
  /// Walks the capability list like software does; nullopt if absent.
  std::optional<std::uint16_t> find_capability(std::uint8_t id) const;

  std::uint16_t command() const { return get16(kCommand); }
  bool memory_space_enabled() const { return command() & kCommandMemorySpace; }
  bool bus_master_enabled() const { return command() & kCommandBusMaster; }
  /// Sets status bits from the device side (e.g. Received Master Abort).
  void set_status_bits(std::uint16_t bits) { set16(kStatus, get16(kStatus) | bits); }
  void clear_status_bits(std::uint16_t bits) { set16(kStatus, get16(kStatus) & ~bits); }

 private:
  std::array<std::uint8_t, kConfigSpaceSize> data_{};
  std::array<std::uint8_t, kConfigSpaceSize> wmask_{};
  std::array<std::uint8_t, kConfigSpaceSize> w1cmask_{};
  std::array<BarKind, kNumBars> bar_kind_{};
  std::array<std::uint64_t, kNumBars> bar_size_{};
  std::uint16_t next_cap_ = 0x40;  // first free byte after the header
  std::uint16_t last_cap_ = 0;     // offset of the last capability, 0 if none
};

}  // namespace pci
