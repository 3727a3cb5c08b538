#include "devices/pci/pci_test_device.hpp"

#include <algorithm>
#include <bit>

namespace pci {

namespace {
std::uint64_t msix_bar_size(unsigned vectors, std::uint32_t* pba_offset) {
  const std::uint32_t table = vectors * kMsixEntrySize;
  *pba_offset = table <= 0x800 ? 0x800 : table;
  const std::uint64_t pba = ((vectors + 63) / 64) * 8;
  return std::max<std::uint64_t>(4096, std::bit_ceil(*pba_offset + pba));
}
}  // namespace

PciTestDevice::PciTestDevice(sc_core::sc_module_name name, sim::Trace& trace, const PciTestParams& params)
    : PciFunction(name, trace, params.link), params_(params), buffer_(4096), rng_(params.seed, basename()) {
  cs_.set_ids(params.vendor_id, params.device_id, 0xFF, 0x00, 0x00, 0x01);  // class FFh: no defined class
  cs_.set8(kInterruptPin, 1);                                               // INTA#
  cs_.define_bar(0, params.bar0_64bit ? BarKind::mem64 : BarKind::mem32, params.bar0_size, false);
  install_pcie();
  if (params.msi_vectors) install_msi(params.msi_vectors, params.msi_per_vector_mask);
  if (params.msix_vectors) {
    std::uint32_t pba_offset = 0;
    const std::uint64_t size = msix_bar_size(params.msix_vectors, &pba_offset);
    cs_.define_bar(2, params.bar2_64bit ? BarKind::mem64 : BarKind::mem32, size, params.bar2_64bit);
    install_msix(params.msix_vectors, 2, 0, 2, pba_offset);
  }
  SC_HAS_PROCESS(PciTestDevice);
  SC_THREAD(engine);
}

std::uint64_t PciTestDevice::bar_read(unsigned bar, std::uint64_t off, unsigned size) {
  if (bar != 0) return 0;
  std::uint64_t v = 0;
  switch (off) {
    case kId: v = kIdValue; break;
    case kVersion: v = kVersionValue; break;
    case kScratch: v = scratch_; break;
    case kDmaSrc: v = src_; break;
    case kDmaDst: v = dst_; break;
    case kDmaLen: v = len_; break;
    case kDmaVector: v = vector_; break;
    case kDmaStatus: v = status_; break;
    case kIntStatus: v = int_status_; break;
    case kCompleted: v = completed_; break;
    default: v = 0; break;  // reserved registers read as zero
  }
  if (size < 8 && (off == kDmaSrc || off == kDmaDst)) v &= 0xFFFF'FFFFu;
  if (off == kDmaSrc + 4) v = src_ >> 32;
  if (off == kDmaDst + 4) v = dst_ >> 32;
  return v;
}

void PciTestDevice::bar_write(unsigned bar, std::uint64_t off, unsigned size, std::uint64_t v) {
  if (bar != 0) return;
  const auto lo32 = [](std::uint64_t& r, std::uint64_t x) { r = (r & ~0xFFFF'FFFFULL) | (x & 0xFFFF'FFFFu); };
  const auto hi32 = [](std::uint64_t& r, std::uint64_t x) { r = (r & 0xFFFF'FFFFULL) | (x << 32); };
  switch (off) {
    case kScratch: scratch_ = static_cast<std::uint32_t>(v); break;
    case kDmaSrc: size == 8 ? void(src_ = v) : lo32(src_, v); break;
    case kDmaSrc + 4: hi32(src_, v); break;
    case kDmaDst: size == 8 ? void(dst_ = v) : lo32(dst_, v); break;
    case kDmaDst + 4: hi32(dst_, v); break;
    case kDmaLen: len_ = static_cast<std::uint32_t>(v); break;
    case kDmaVector: vector_ = static_cast<std::uint32_t>(v); break;
    case kDmaCmd:
      if (!(v & kCmdStart)) break;
      if (status_ & kStatusBusy) {
        trace_.warn(component(), "dma.start_while_busy");
        break;
      }
      irq_on_done_ = v & kCmdIrq;
      status_ = kStatusBusy;
      start_.notify(sc_core::SC_ZERO_TIME);
      break;
    case kIntStatus:
      int_status_ &= ~static_cast<std::uint32_t>(v);
      update_intx();
      break;
    case kIntRaise:
      int_status_ |= kIntSoftware;
      signal_interrupt(static_cast<unsigned>(v));
      break;
    default:
      trace_.warn(component(), "mmio.write_ignored", {{"offset", sim::Hex{off}}, {"value", sim::Hex{v}}});
      break;
  }
}

void PciTestDevice::update_intx() {
  if (!msi_.enabled(cs_) && !msix_.enabled(cs_)) set_intx(int_status_ != 0);
}

void PciTestDevice::engine() {
  for (;;) {
    sc_core::wait(start_);
    const std::uint64_t src = src_, dst = dst_;
    const std::uint32_t len = len_;
    trace_.info(component(), "dma.start", {{"src", sim::Hex{src}}, {"dst", sim::Hex{dst}}, {"length", len}});
    bool ok = len > 0 && len <= kMaxDmaLen;
    if (!ok) trace_.warn(component(), "dma.bad_length", {{"length", len}});
    for (std::uint32_t done = 0; ok && done < len;) {
      const std::uint32_t chunk = std::min<std::uint32_t>(len - done, static_cast<std::uint32_t>(buffer_.size()));
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      ok = dma_read(src + done, buffer_.data(), chunk, delay) == DmaStatus::ok;
      if (ok) {
        delay += sim::to_sc(sim::transfer_time(chunk, params_.dma_bytes_per_second));
        if (params_.dma_jitter) delay += sim::to_sc(rng_.range(0, params_.dma_jitter));
        ok = dma_write(dst + done, buffer_.data(), chunk, delay) == DmaStatus::ok;
      }
      sc_core::wait(delay);
      done += chunk;
    }
    status_ = ok ? kStatusDone : (kStatusDone | kStatusError);
    int_status_ |= ok ? kIntDmaDone : kIntDmaError;
    if (ok) ++completed_;
    trace_.info(component(), "dma.done", {{"ok", ok}, {"length", len}});
    if (irq_on_done_) signal_interrupt(vector_);
    update_intx();
  }
}

}  // namespace pci
