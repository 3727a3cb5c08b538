#include "tests/drivers/fake_pci_test.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace fake {

FakePciTest::FakePciTest(const PciTestOptions& o) : FakeFunction(0x1234, 0xD51F, 0xFF, 0x00, 0x00) {
  cs.set8(pci::kInterruptPin, 1);
  cs.define_bar(0, o.bar0_64bit ? pci::BarKind::mem64 : pci::BarKind::mem32, 4096, false);
  add_pcie(256);
  if (o.msi_vectors) add_msi(o.msi_vectors, o.msi_per_vector_mask);
  if (o.msix_vectors) {
    const std::uint32_t table = o.msix_vectors * pci::kMsixEntrySize;
    const std::uint32_t pba_offset = table <= 0x800 ? 0x800 : table;
    const std::uint64_t size =
        std::max<std::uint64_t>(4096, std::bit_ceil(std::uint64_t{pba_offset} + ((o.msix_vectors + 63) / 64) * 8));
    cs.define_bar(2, o.bar2_64bit ? pci::BarKind::mem64 : pci::BarKind::mem32, size, o.bar2_64bit);
    add_msix(o.msix_vectors, 2, 0, 2, pba_offset);
  }
}

std::uint64_t FakePciTest::reg_read(unsigned bar, std::uint64_t off, unsigned width) {
  if (bar != 0) return 0;
  switch (off) {
    case kId: return 0x74736370;
    case kVersion: return 0x00010000;
    case kScratch: return scratch_reg_;
    case kDmaSrc: return width == 8 ? src_ : (src_ & 0xFFFF'FFFFu);
    case kDmaSrc + 4: return src_ >> 32;
    case kDmaDst: return width == 8 ? dst_ : (dst_ & 0xFFFF'FFFFu);
    case kDmaDst + 4: return dst_ >> 32;
    case kDmaLen: return len_;
    case kDmaVector: return vector_;
    case kDmaStatus: return status_;
    case kIntStatus: return int_status;
    case kCompleted: return completed;
    default: return 0;
  }
}

void FakePciTest::reg_write(unsigned bar, std::uint64_t off, unsigned width, std::uint64_t v) {
  if (bar != 0) return;
  const auto lo = [](std::uint64_t& r, std::uint64_t x) { r = (r & ~0xFFFF'FFFFULL) | (x & 0xFFFF'FFFFu); };
  const auto hi = [](std::uint64_t& r, std::uint64_t x) { r = (r & 0xFFFF'FFFFULL) | (x << 32); };
  switch (off) {
    case kScratch: scratch_reg_ = static_cast<std::uint32_t>(v); break;
    case kDmaSrc: width == 8 ? void(src_ = v) : lo(src_, v); break;
    case kDmaSrc + 4: hi(src_, v); break;
    case kDmaDst: width == 8 ? void(dst_ = v) : lo(dst_, v); break;
    case kDmaDst + 4: hi(dst_, v); break;
    case kDmaLen: len_ = static_cast<std::uint32_t>(v); break;
    case kDmaVector: vector_ = static_cast<std::uint32_t>(v); break;
    case kDmaCmd:
      if (v & 1) run_copy(v & 2);
      break;
    case kIntStatus: int_status &= ~static_cast<std::uint32_t>(v); break;
    case kIntRaise:
      int_status |= 4;
      signal_interrupt(static_cast<unsigned>(v));
      break;
    default: break;
  }
}

void FakePciTest::run_copy(bool irq) {
  bool ok = !fail_dma && len_ > 0 && len_ <= (1u << 20) && cs.bus_master_enabled();
  std::uint8_t* s = ok ? machine->ram(src_, len_) : nullptr;
  std::uint8_t* d = ok ? machine->ram(dst_, len_) : nullptr;
  ok = ok && s && d;
  if (ok) {
    std::memmove(d, s, len_);
    if (corrupt_data) d[len_ / 2] ^= 0x40;
  }
  machine->now_ns += len_ + 500;
  status_ = ok ? 2u : 6u;
  int_status |= ok ? 1u : 2u;
  if (ok) ++completed;
  if (irq && raise_interrupt) signal_interrupt(vector_);
}

}  // namespace fake
