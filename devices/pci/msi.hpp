// MSI capability (PCI 3.0 §6.8.1), 64-bit address form, optional per-vector
// masking. The registers live in the function's configuration space; this
// class knows their layout and meaning.
#pragma once

#include <cstdint>

#include "devices/pci/config_space.hpp"

namespace pci {

struct MsiMessage {
  std::uint64_t address = 0;
  std::uint32_t data = 0;
};

class MsiCapability {
 public:
  /// Adds the capability. `vectors` is the Multiple Message Capable count:
  /// 1, 2, 4, 8, 16 or 32.
  void install(ConfigSpace& cs, unsigned vectors, bool per_vector_mask);

  bool present() const { return offset_ != 0; }
  std::uint16_t offset() const { return offset_; }
  /// Size of the structure in configuration space.
  std::uint16_t size() const { return per_vector_mask_ ? 0x18 : 0x10; }
  bool touches(std::uint16_t off, unsigned len) const {
    return present() && off < offset_ + size() && off + len > offset_;
  }

  bool enabled(const ConfigSpace& cs) const {  // inline: asked on every completion
    return present() && (cs.get16(offset_ + kMsiMessageControl) & kMsiControlEnable);
  }
  unsigned capable_vectors() const { return capable_; }
  /// 2^MME, limited to what the function is capable of (software must not
  /// write more; if it does, we take the capable count).
  unsigned enabled_vectors(const ConfigSpace& cs) const;
  /// The message for `vector`: the function replaces the low log2(enabled)
  /// bits of Message Data with the vector number (§6.8.3.4).
  MsiMessage message(const ConfigSpace& cs, unsigned vector) const;

  bool per_vector_mask() const { return per_vector_mask_; }
  bool masked(const ConfigSpace& cs, unsigned vector) const;
  bool pending(const ConfigSpace& cs, unsigned vector) const;
  void set_pending(ConfigSpace& cs, unsigned vector, bool on) const;
  std::uint32_t mask_bits(const ConfigSpace& cs) const;
  std::uint32_t pending_bits(const ConfigSpace& cs) const;

 private:
  std::uint16_t offset_ = 0;
  unsigned capable_ = 0;
  bool per_vector_mask_ = false;
};

}  // namespace pci
