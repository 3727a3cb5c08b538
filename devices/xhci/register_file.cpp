// BAR0 decode: capability, operational, port, runtime and doorbell
// registers and the extended capabilities (xHCI 1.2 chapter 5, §7).
#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

namespace {
bool is_qword_register(std::uint32_t off, std::uint32_t runtime_end) {
  if (off == kOperationalBase + kCrcr || off == kOperationalBase + kDcbaap) return true;
  if (off >= kRuntimeBase + kInterrupterBase && off < runtime_end) {
    const std::uint32_t r = (off - kRuntimeBase - kInterrupterBase) % kInterrupterStride;
    return r == kErstba || r == kErdp;
  }
  return false;
}
}  // namespace

// Reads of any width: byte, word, dword, qword (§5.1: 64-bit registers read
// as one qword or two dwords). Writes are dwords or qwords.
std::uint64_t XhciController::bar_read(unsigned bar, std::uint64_t offset, unsigned size) {
  if (bar != 0 || offset >= kBar0Size) return ~std::uint64_t{0};
  const auto off = static_cast<std::uint32_t>(offset);
  if (size == 8) return read32(off) | (std::uint64_t{read32(off + 4)} << 32);
  const std::uint32_t dword = read32(off & ~3u);
  const unsigned shift = (off & 3u) * 8;
  const std::uint64_t mask = size >= 4 ? 0xFFFF'FFFFULL : ((1ULL << (8 * size)) - 1);
  return (dword >> shift) & mask;
}

void XhciController::bar_write(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value) {
  if (bar != 0 || offset >= kBar0Size) return;
  const auto off = static_cast<std::uint32_t>(offset);
  if (size < 4 || (off & 3u)) {
    trace_.warn(component(), "mmio.narrow_write", {{"offset", sim::Hex{off}}, {"size", size}});
    return;
  }
  if (size == 8) {
    const std::uint32_t rt_end = kRuntimeBase + kInterrupterBase + kInterrupterStride * p_.interrupters;
    if (!is_qword_register(off, rt_end))
      trace_.debug(component(), "mmio.qword_write", {{"offset", sim::Hex{off}}});
    write32(off, static_cast<std::uint32_t>(value));
    write32(off + 4, static_cast<std::uint32_t>(value >> 32));
    return;
  }
  write32(off, static_cast<std::uint32_t>(value));
}

std::uint32_t XhciController::read32(std::uint32_t off) {
  if (off < kCapLength) return cap_read(off);
  if (off >= kPortRegisterBase && off < kPortRegisterBase + kPortRegisterStride * port_count()) {
    const std::uint32_t rel = off - kPortRegisterBase;
    return port_read(rel / kPortRegisterStride, rel % kPortRegisterStride);
  }
  if (off >= kOperationalBase && off < kOperationalBase + 0x400) return op_read(off - kOperationalBase);
  if (off == kRuntimeBase + kMfIndex) {
    const sim::Picos t = mfindex_time();
    return static_cast<std::uint32_t>((t / p_.timing.microframe) & 0x3FFF);  // §5.5.1
  }
  if (off >= kRuntimeBase + kInterrupterBase &&
      off < kRuntimeBase + kInterrupterBase + kInterrupterStride * p_.interrupters) {
    const std::uint32_t rel = off - kRuntimeBase - kInterrupterBase;
    return interrupters_[rel / kInterrupterStride]->read(rel % kInterrupterStride);
  }
  if (off >= kDoorbellBase && off < kDoorbellBase + 4 * (p_.max_slots + 1)) return 0;  // doorbells read 0
  if (off >= kExtCapBase && off < kExtCapBase + 0x40) return extcap_read(off - kExtCapBase);
  return 0;  // reserved space reads as zero
}

void XhciController::write32(std::uint32_t off, std::uint32_t v) {
  trace_.debug(component(), "mmio.write", {{"offset", sim::Hex{off}}, {"value", sim::Hex{v}}});
  if (off < kCapLength) {
    trace_.warn(component(), "mmio.write_read_only", {{"offset", sim::Hex{off}}});
    return;
  }
  if ((usbsts_ & kStsCnr) && off != kOperationalBase + kUsbCmd && off < kRuntimeBase) {
    // §5.4.2: no register but USBCMD may be written while CNR is set.
    trace_.warn(component(), "mmio.write_while_not_ready", {{"offset", sim::Hex{off}}});
    return;
  }
  if (off >= kPortRegisterBase && off < kPortRegisterBase + kPortRegisterStride * port_count()) {
    const std::uint32_t rel = off - kPortRegisterBase;
    return port_write(rel / kPortRegisterStride, rel % kPortRegisterStride, v);
  }
  if (off >= kOperationalBase && off < kOperationalBase + 0x400) return op_write(off - kOperationalBase, v);
  if (off >= kRuntimeBase + kInterrupterBase &&
      off < kRuntimeBase + kInterrupterBase + kInterrupterStride * p_.interrupters) {
    const std::uint32_t rel = off - kRuntimeBase - kInterrupterBase;
    dma_error_ = false;
    interrupters_[rel / kInterrupterStride]->write(dma_, rel % kInterrupterStride, v);
    dma_.take_cost();
    return;
  }
  if (off >= kDoorbellBase && off < kDoorbellBase + 4 * (p_.max_slots + 1)) {
    const unsigned slot = (off - kDoorbellBase) / 4;
    if (slot == 0) {
      if ((v & 0xFF) != 0) trace_.warn(component(), "doorbell.bad_host_target", {{"value", sim::Hex{v}}});
      else command_doorbell();
    } else {
      endpoint_doorbell(slot, v);
    }
    return;
  }
  if (off >= kExtCapBase && off < kExtCapBase + 0x40) return extcap_write(off - kExtCapBase, v);
  trace_.warn(component(), "mmio.write_ignored", {{"offset", sim::Hex{off}}, {"value", sim::Hex{v}}});
}

std::uint32_t XhciController::cap_read(std::uint32_t off) const {
  const unsigned ports = port_count();
  switch (off) {
    case kCapLengthHciVersion: return kCapLength | (std::uint32_t{kHciVersion} << 16);
    case kHcsParams1: return p_.max_slots | (p_.interrupters << 8) | (ports << 24);
    case kHcsParams2: {
      // IST = 1 (microframes), ERST Max, Max Scratchpad Bufs Hi/Lo, SPR = 0.
      const unsigned sp = p_.scratchpad_buffers;
      return 1u | (p_.erst_max << 4) | (((sp >> 5) & 0x1F) << 21) | ((sp & 0x1F) << 27);
    }
    case kHcsParams3: return 10u | (256u << 16);  // U1 exit 10 us, U2 exit 256 us
    case kHccParams1:
      return kHcc1Ac64 | (p_.context_size == 64 ? kHcc1Csz : 0) | (p_.port_power_control ? kHcc1Ppc : 0) | kHcc1Nss |
             kHcc1Spc | ((kExtCapBase / 4) << 16);
    case kDbOff: return kDoorbellBase;
    case kRtsOff: return kRuntimeBase;
    case kHccParams2: return 0;
    default: return 0;
  }
}

std::uint32_t XhciController::op_read(std::uint32_t off) const {
  switch (off) {
    case kUsbCmd: return usbcmd_;
    case kUsbSts: return usbsts_;
    case kPageSize: return 0x1;  // 4 KiB pages only
    case kDnCtrl: return dnctrl_;
    // §5.4.5: the Command Ring Pointer reads as zero; CRR reflects the ring.
    case kCrcr: return crr_ ? static_cast<std::uint32_t>(kCrcrCrr) : 0u;
    case kCrcr + 4: return 0;
    case kDcbaap: return static_cast<std::uint32_t>(dcbaap_);
    case kDcbaap + 4: return static_cast<std::uint32_t>(dcbaap_ >> 32);
    case kConfig: return config_;
    default: return 0;
  }
}

void XhciController::op_write(std::uint32_t off, std::uint32_t v) {
  switch (off) {
    case kUsbCmd: write_usbcmd(v); break;
    case kUsbSts: usbsts_ &= ~(v & kStsRw1c); break;
    case kDnCtrl: dnctrl_ = v & 0xFFFF; break;
    case kCrcr: write_crcr(false, v); break;
    case kCrcr + 4: write_crcr(true, v); break;
    case kDcbaap: dcbaap_ = (dcbaap_ & ~0xFFFF'FFFFULL) | (v & ~0x3Fu); break;
    case kDcbaap + 4: dcbaap_ = (dcbaap_ & 0xFFFF'FFFFULL) | (std::uint64_t{v} << 32); break;
    case kConfig:
      if (!(usbsts_ & kStsHch)) trace_.warn(component(), "config.write_while_running");
      config_ = v & (kConfigMaxSlotsEnMask | kConfigU3e | kConfigCie);
      if ((config_ & kConfigMaxSlotsEnMask) > p_.max_slots) {
        trace_.warn(component(), "config.max_slots_en_too_large", {{"value", config_ & 0xFF}});
        config_ = (config_ & ~kConfigMaxSlotsEnMask) | p_.max_slots;
      }
      break;
    default: trace_.warn(component(), "mmio.write_ignored", {{"offset", sim::Hex{kOperationalBase + off}}}); break;
  }
}

// Extended capabilities at kExtCapBase:
//   +0x00 USB Legacy Support (ID 1): USBLEGSUP, USBLEGCTLSTS   next +0x10
//   +0x10 Supported Protocol (ID 2), USB 2.0, ports 1..usb2     next +0x10
//   +0x20 Supported Protocol (ID 2), USB 3.x, the USB 3 ports   last
std::uint32_t XhciController::extcap_read(std::uint32_t off) const {
  const auto protocol = [&](bool usb3, bool last, unsigned dw) -> std::uint32_t {
    switch (dw) {
      case 0:
        return kExtCapSupportedProtocol | ((last ? 0u : 4u) << 8) | (usb3 ? 0x0300'0000u : 0x0200'0000u) |
               (usb3 ? 0x0020'0000u : 0u);  // 3.2 / 2.0 (minor revision in bits 23:16)
      case 1: return 0x2042'5355;  // "USB "
      case 2: {
        const unsigned first = usb3 ? p_.usb2_ports + 1 : 1;
        const unsigned count = usb3 ? p_.usb3_ports : p_.usb2_ports;
        return first | (count << 8);  // PSIC = 0: the default speed IDs
      }
      default: return 0;  // Protocol Slot Type 0
    }
  };
  const bool has2 = p_.usb2_ports > 0, has3 = p_.usb3_ports > 0;
  switch (off / 0x10) {
    case 0:
      if (off == 0) return kExtCapLegacySupport | ((has2 || has3 ? 4u : 0u) << 8) | usblegsup_;
      if (off == 4) return usblegctlsts_;
      return 0;
    case 1:
      if (has2) return protocol(false, !has3, (off % 0x10) / 4);
      return has3 ? protocol(true, true, (off % 0x10) / 4) : 0;
    case 2:
      if (has2 && has3) return protocol(true, true, (off % 0x10) / 4);
      return 0;
    default: return 0;
  }
}

void XhciController::extcap_write(std::uint32_t off, std::uint32_t v) {
  if (off == 0) {
    // The BIOS and OS Owned semaphores (§7.1.1); no BIOS here, so the OS
    // just takes ownership.
    usblegsup_ = v & (kUsbLegSupBiosOwned | kUsbLegSupOsOwned);
    trace_.info(component(), "xhci.legacy_ownership", {{"os_owned", (v & kUsbLegSupOsOwned) != 0}});
  } else if (off == 4) {
    usblegctlsts_ = (v & 0xE01F) & ~0xE000u;  // SMI enables; the RW1C status bits are never set
  } else {
    trace_.warn(component(), "extcap.write_read_only", {{"offset", sim::Hex{kExtCapBase + off}}});
  }
}

}  // namespace xhci
