#include "devices/pci/config_space.hpp"

#include <bit>
#include <stdexcept>

namespace pci {

ConfigSpace::ConfigSpace() {
  // Command: the bits a PCIe endpoint implements (I/O Space is hardwired to 0:
  // no function here has I/O BARs).
  set_wmask16(kCommand, kCommandMemorySpace | kCommandBusMaster | kCommandParityErrorResponse |
                            kCommandSerrEnable | kCommandInterruptDisable);
  set_w1cmask16(kStatus, kStatusRw1cMask);
  set_wmask8(kCacheLineSize, 0xFF);
  set_wmask8(kInterruptLine, 0xFF);
}

void ConfigSpace::set16(std::uint16_t o, std::uint16_t v) {
  data_[o] = static_cast<std::uint8_t>(v);
  data_[o + 1] = static_cast<std::uint8_t>(v >> 8);
}

void ConfigSpace::set32(std::uint16_t o, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) data_[o + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void ConfigSpace::set_wmask16(std::uint16_t o, std::uint16_t m) {
  wmask_[o] = static_cast<std::uint8_t>(m);
  wmask_[o + 1] = static_cast<std::uint8_t>(m >> 8);
}

void ConfigSpace::set_wmask32(std::uint16_t o, std::uint32_t m) {
  for (int i = 0; i < 4; ++i) wmask_[o + i] = static_cast<std::uint8_t>(m >> (8 * i));
}

void ConfigSpace::set_w1cmask16(std::uint16_t o, std::uint16_t m) {
  w1cmask_[o] = static_cast<std::uint8_t>(m);
  w1cmask_[o + 1] = static_cast<std::uint8_t>(m >> 8);
}

void ConfigSpace::set_w1cmask32(std::uint16_t o, std::uint32_t m) {
  for (int i = 0; i < 4; ++i) w1cmask_[o + i] = static_cast<std::uint8_t>(m >> (8 * i));
}

std::uint32_t ConfigSpace::read(std::uint16_t offset, unsigned size) const {
  std::uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const unsigned o = offset + i;
    if (o < kConfigSpaceSize) v |= std::uint32_t{data_[o]} << (8 * i);
  }
  return v;
}

void ConfigSpace::write(std::uint16_t offset, unsigned size, std::uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    const unsigned o = offset + i;
    if (o >= kConfigSpaceSize) break;
    const auto b = static_cast<std::uint8_t>(value >> (8 * i));
    const std::uint8_t w = wmask_[o];
    const std::uint8_t c = w1cmask_[o];
    std::uint8_t nv = static_cast<std::uint8_t>((data_[o] & ~w) | (b & w));
    nv = static_cast<std::uint8_t>(nv & ~(b & c));  // RW1C: writing 1 clears
    data_[o] = nv;
  }
}

void ConfigSpace::set_ids(std::uint16_t vendor, std::uint16_t device, std::uint8_t class_code, std::uint8_t subclass,
                          std::uint8_t prog_if, std::uint8_t revision) {
  set16(kVendorId, vendor);
  set16(kDeviceId, device);
  set8(kClassCode, class_code);
  set8(kSubclass, subclass);
  set8(kClassProgIf, prog_if);
  set8(kRevisionId, revision);
  set16(kSubsystemVendorId, vendor);
  set16(kSubsystemId, device);
}

void ConfigSpace::set_multifunction(bool mf) {
  set8(kHeaderType, static_cast<std::uint8_t>((get8(kHeaderType) & 0x7F) | (mf ? kHeaderTypeMultiFunction : 0)));
}

void ConfigSpace::define_bar(unsigned index, BarKind kind, std::uint64_t size, bool prefetchable) {
  if (index >= kNumBars || kind == BarKind::none) throw std::invalid_argument("bad BAR index or kind");
  if (kind == BarKind::mem64 && index + 1 >= kNumBars) throw std::invalid_argument("64-bit BAR needs two slots");
  if (size < 16 || !std::has_single_bit(size)) throw std::invalid_argument("BAR size must be a power of two >= 16");
  if (kind == BarKind::mem32 && size > (1ULL << 31)) throw std::invalid_argument("32-bit BAR too large");
  if (bar_kind_[index] != BarKind::none) throw std::invalid_argument("BAR slot already used");
  const auto off = static_cast<std::uint16_t>(kBar0 + 4 * index);
  const std::uint64_t addr_mask = ~(size - 1);
  std::uint32_t flags = prefetchable ? kBarPrefetchable : 0;
  if (kind == BarKind::mem64) flags |= kBarMemType64;
  set32(off, flags);
  set_wmask32(off, static_cast<std::uint32_t>(addr_mask) & kBarMemAddressMask);
  bar_kind_[index] = kind;
  bar_size_[index] = size;
  if (kind == BarKind::mem64) {
    set32(off + 4, 0);
    set_wmask32(off + 4, static_cast<std::uint32_t>(addr_mask >> 32));
    bar_kind_[index + 1] = BarKind::none;
  }
}

BarInfo ConfigSpace::bar(unsigned index) const {
  BarInfo b;
  if (index >= kNumBars || bar_kind_[index] == BarKind::none) return b;
  b.kind = bar_kind_[index];
  b.size = bar_size_[index];
  const auto off = static_cast<std::uint16_t>(kBar0 + 4 * index);
  const std::uint32_t lo = get32(off);
  b.prefetchable = lo & kBarPrefetchable;
  b.address = lo & kBarMemAddressMask;
  if (b.kind == BarKind::mem64) b.address |= std::uint64_t{get32(off + 4)} << 32;
  return b;
}

std::uint16_t ConfigSpace::add_capability(std::uint8_t id, std::uint16_t size) {
  const std::uint16_t at = next_cap_;
  if (at + size > kExtendedCapStart) throw std::invalid_argument("capabilities overflow the standard config space");
  set8(at, id);
  set8(at + 1, 0);
  if (last_cap_ == 0)
    set8(kCapabilitiesPointer, static_cast<std::uint8_t>(at));
  else
    set8(last_cap_ + 1, static_cast<std::uint8_t>(at));
  set16(kStatus, get16(kStatus) | kStatusCapabilitiesList);
  last_cap_ = at;
  next_cap_ = static_cast<std::uint16_t>((at + size + 3) & ~3u);
  return at;
}

std::optional<std::uint16_t> ConfigSpace::find_capability(std::uint8_t id) const {
  if (!(get16(kStatus) & kStatusCapabilitiesList)) return std::nullopt;
  std::uint16_t p = get8(kCapabilitiesPointer) & 0xFC;
  for (int guard = 0; p != 0 && guard < 48; ++guard) {  // 48 = (256 - 64) / 4: a loop cannot trap us
    if (get8(p) == id) return p;
    p = get8(p + 1) & 0xFC;
  }
  return std::nullopt;
}

}  // namespace pci
