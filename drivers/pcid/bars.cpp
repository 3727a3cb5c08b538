#include "drivers/pcid/bars.hpp"

#include <algorithm>
#include <bit>

#include "drivers/pcid/regs.hpp"

namespace pcid {

namespace {

std::uint16_t bar_reg(unsigned index) { return static_cast<std::uint16_t>(regs::kBar0 + 4 * index); }

/// Runs `fn` with memory and I/O decode off, then restores the Command register.
template <class Fn>
void with_decode_off(const Ecam& ecam, Bdf bdf, Fn&& fn) {
  const std::uint16_t command = ecam.read16(bdf, regs::kCommand);
  ecam.write16(bdf, regs::kCommand,
               static_cast<std::uint16_t>(command & ~(regs::kCommandMemorySpace | regs::kCommandIoSpace)));
  fn();
  ecam.write16(bdf, regs::kCommand, command);
}

/// Writes all ones to a BAR register, reads the mask back, restores it.
std::uint32_t probe_mask(const Ecam& ecam, Bdf bdf, std::uint16_t reg) {
  const std::uint32_t original = ecam.read32(bdf, reg);
  ecam.write32(bdf, reg, 0xFFFF'FFFFu);
  const std::uint32_t mask = ecam.read32(bdf, reg);
  ecam.write32(bdf, reg, original);
  return mask;
}

void size_one(const Ecam& ecam, Function& f, unsigned& i) {
  const std::uint16_t reg = bar_reg(i);
  const std::uint32_t original = ecam.read32(f.bdf, reg);
  Bar& bar = f.bars[i];
  if (original & regs::kBarIoSpace) {
    const std::uint32_t mask = probe_mask(ecam, f.bdf, reg) & ~0x3u;
    if (mask == 0) return;
    bar.type = BarType::io;
    bar.size = (~std::uint64_t{mask} + 1) & 0xFFFF'FFFFu;
    return;
  }
  const std::uint32_t type = original & regs::kBarMemTypeMask;
  if (type != regs::kBarMemType32 && type != regs::kBarMemType64) return;  // reserved encodings
  const bool is64 = type == regs::kBarMemType64;
  if (is64 && i + 1 >= kNumBars) return;  // a 64-bit BAR in the last slot is malformed
  std::uint64_t mask = probe_mask(ecam, f.bdf, reg) & regs::kBarMemAddressMask;
  if (is64) {
    mask |= std::uint64_t{probe_mask(ecam, f.bdf, static_cast<std::uint16_t>(reg + 4))} << 32;
    ++i;  // the upper half is not a BAR of its own
  }
  if (mask == 0) return;  // not implemented: no writable address bit
  if (!is64) mask |= 0xFFFF'FFFF'0000'0000ULL;
  const std::uint64_t size = ~mask + 1;
  if (size == 0 || !std::has_single_bit(size)) return;  // not a size mask: ignore the BAR
  bar.type = is64 ? BarType::mem64 : BarType::mem32;
  bar.prefetchable = original & regs::kBarPrefetchable;
  bar.size = size;
}

}  // namespace

void size_bars(const Ecam& ecam, Function& f) {
  f.bars = {};
  if (!f.is_endpoint()) return;
  with_decode_off(ecam, f.bdf, [&] {
    for (unsigned i = 0; i < kNumBars; ++i) size_one(ecam, f, i);
  });
}

std::optional<std::uint64_t> BarAllocator::take(const MmioWindow& w, std::uint64_t& next, std::uint64_t size) {
  const std::uint64_t span = std::max(size, kBarMinSpan);
  const std::uint64_t at = (next + span - 1) & ~(span - 1);
  if (at < next || at < w.base || at - w.base > w.size || span > w.size - (at - w.base)) return std::nullopt;
  next = at + span;
  return at;
}

std::optional<std::uint64_t> BarAllocator::allocate(std::uint64_t size, bool is64) {
  if (size == 0 || !std::has_single_bit(size)) return std::nullopt;
  if (is64) {
    if (auto a = take(w64_, next64_, size)) return a;
  }
  return take(w32_, next32_, size);
}

bool program_bar(const Ecam& ecam, const Function& f, unsigned index) {
  const Bar& bar = f.bars[index];
  const std::uint16_t reg = bar_reg(index);
  bool kept = false;
  with_decode_off(ecam, f.bdf, [&] {
    ecam.write32(f.bdf, reg, static_cast<std::uint32_t>(bar.address));
    std::uint64_t back = ecam.read32(f.bdf, reg) & regs::kBarMemAddressMask;
    if (bar.type == BarType::mem64) {
      ecam.write32(f.bdf, static_cast<std::uint16_t>(reg + 4), static_cast<std::uint32_t>(bar.address >> 32));
      back |= std::uint64_t{ecam.read32(f.bdf, static_cast<std::uint16_t>(reg + 4))} << 32;
    }
    kept = back == bar.address;
  });
  return kept;
}

void assign_bars(const Ecam& ecam, std::vector<Function>& functions, BarAllocator& allocator) {
  struct Slot {
    std::size_t function;
    unsigned bar;
  };
  std::vector<Slot> slots;
  for (std::size_t fi = 0; fi < functions.size(); ++fi)
    for (unsigned bi = 0; bi < kNumBars; ++bi)
      if (functions[fi].bars[bi].is_memory()) slots.push_back({fi, bi});
  std::stable_sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) {
    return functions[a.function].bars[a.bar].size > functions[b.function].bars[b.bar].size;
  });
  for (const Slot& s : slots) {
    Function& f = functions[s.function];
    Bar& bar = f.bars[s.bar];
    const std::optional<std::uint64_t> at = allocator.allocate(bar.size, bar.type == BarType::mem64);
    if (!at) continue;
    if (bar.type == BarType::mem32 && *at + bar.size > (1ULL << 32)) continue;
    bar.address = *at;
    bar.assigned = program_bar(ecam, f, s.bar);
    if (!bar.assigned) bar.address = 0;
  }
}

}  // namespace pcid
