#include <algorithm>

#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

namespace {
XhciParams sanitise(XhciParams p) {
  p.usb2_ports = std::min(p.usb2_ports, 127u);
  p.usb3_ports = std::min(p.usb3_ports, 127u);
  if (p.usb2_ports + p.usb3_ports == 0) p.usb2_ports = 1;
  p.max_slots = std::clamp(p.max_slots, 1u, 255u);
  p.interrupters = std::clamp(p.interrupters, 1u, 64u);
  p.msix_vectors = std::clamp(p.msix_vectors, 1u, 64u);
  p.context_size = p.context_size == 64 ? 64 : 32;
  p.scratchpad_buffers = std::min(p.scratchpad_buffers, 1023u);
  p.erst_max = std::min(p.erst_max, 15u);
  return p;
}
}  // namespace

XhciController::XhciController(sc_core::sc_module_name name, sim::Trace& trace, const XhciParams& params)
    : PciFunction(name, trace, params.link),
      p_(sanitise(params)),
      layout_{p_.context_size},
      queue_("queue"),
      dma_(*this),
      slots_(p_.max_slots + 1) {
  // Class 0Ch (serial bus), subclass 03h (USB), programming interface 30h (xHCI).
  cs_.set_ids(p_.vendor_id, p_.device_id, 0x0C, 0x03, 0x30, 0x01);
  cs_.set8(pci::kInterruptPin, 1);
  cs_.set8(0x60, 0x30);  // SBRN: USB 3.0 (xHCI 1.2 §5.2.3)
  cs_.define_bar(0, pci::BarKind::mem64, kBar0Size, false);
  install_pcie();
  install_msix(p_.msix_vectors, 0, kMsixTableOffset, 0, kMsixPbaOffset);

  for (unsigned i = 0; i < p_.usb2_ports + p_.usb3_ports; ++i) {
    Port port;
    port.number = i + 1;
    port.usb3 = i >= p_.usb2_ports;
    port.pp = !p_.port_power_control;
    ports_.push_back(port);
  }
  for (unsigned i = 0; i < p_.interrupters; ++i) {
    Interrupter::Hooks h;
    h.interrupts_enabled = [this] { return (usbcmd_ & kCmdInte) != 0; };
    h.set_eint = [this] { usbsts_ |= kStsEint; };
    h.raise = [this](unsigned index) { signal_interrupt(index % p_.msix_vectors); };
    h.host_system_error = [this](const char* why) { host_system_error(why); };
    interrupters_.push_back(std::make_unique<Interrupter>(i, queue_, trace_, component(), std::move(h)));
  }
  usbsts_ = kStsHch;
}

XhciController::~XhciController() = default;

// ---------------------------------------------------------------------------
// DMA: every failure is a Host System Error (§4.10.2.6).

bool XhciController::DmaPort::read(std::uint64_t addr, void* dst, std::uint64_t len) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const bool ok = c_.dma_read(addr, dst, len, d) == pci::DmaStatus::ok;
  cost_ += d.value();
  if (!ok) c_.dma_error_ = true;
  return ok;
}

bool XhciController::DmaPort::write(std::uint64_t addr, const void* src, std::uint64_t len) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const bool ok = c_.dma_write(addr, src, len, d) == pci::DmaStatus::ok;
  cost_ += d.value();
  if (!ok) c_.dma_error_ = true;
  return ok;
}

void XhciController::host_system_error(const char* why) {
  ++hse_count_;
  trace_.warn(component(), "xhci.host_system_error", {{"reason", why}});
  usbsts_ |= kStsHse;
  // §5.4.2: the controller clears R/S to stop executing scheduled work.
  usbcmd_ &= ~kCmdRunStop;
  halt();
}

// ---------------------------------------------------------------------------
// Run, halt, reset (§4.2, §5.4.1)

void XhciController::write_usbcmd(std::uint32_t v) {
  const std::uint32_t old = usbcmd_;
  if (v & kCmdHcReset) {
    if (!(usbsts_ & kStsHch)) trace_.warn(component(), "xhci.reset_while_running");
    hc_reset();
    return;
  }
  if (v & kCmdLhcrst) trace_.warn(component(), "xhci.light_reset_unsupported");  // HCCPARAMS1.LHRC = 0
  usbcmd_ = v & kCmdWritable;
  if ((v & kCmdCss) || (v & kCmdCrs)) trace_.debug(component(), "xhci.save_restore_ignored");
  if (!(old & kCmdRunStop) && (usbcmd_ & kCmdRunStop)) {
    if (usbsts_ & kStsCnr) {
      trace_.warn(component(), "xhci.run_while_not_ready");
      usbcmd_ &= ~kCmdRunStop;
      return;
    }
    queue_.after(p_.timing.start_time, [this] {
      if (usbcmd_ & kCmdRunStop) start();
    });
  } else if ((old & kCmdRunStop) && !(usbcmd_ & kCmdRunStop)) {
    queue_.after(p_.timing.halt_time, [this] {
      if (!(usbcmd_ & kCmdRunStop)) halt();
    });
  }
  if ((old ^ usbcmd_) & kCmdInte)
    for (auto& i : interrupters_) i->reevaluate();
}

void XhciController::start() {
  if (!(usbsts_ & kStsHch)) return;
  if (!read_scratchpads()) return;
  usbsts_ &= ~kStsHch;
  mf_run_start_ = sim::now();
  trace_.info(component(), "xhci.run");
  report_port_changes();
  if (crr_) command_doorbell();
}

void XhciController::halt() {
  if (usbsts_ & kStsHch) return;
  mf_accum_ += sim::now() - mf_run_start_;
  usbsts_ |= kStsHch;
  crr_ = false;  // §5.4.5: CRR clears when R/S is cleared
  queue_.cancel(cmd_ticket_);
  cmd_busy_ = false;
  for (auto& s : slots_)
    for (auto& ep : s.eps) {
      queue_.cancel(ep.ticket);
      ep.busy = ep.waiting = false;
    }
  trace_.info(component(), "xhci.halted");
}

void XhciController::hc_reset() {
  trace_.info(component(), "xhci.hcrst");
  // Hotplug and link training belong to the bus, not the controller: only
  // the controller's own work is cancelled.
  queue_.cancel(cmd_ticket_);
  for (auto& s : slots_)
    for (auto& ep : s.eps) queue_.cancel(ep.ticket);
  for (auto& port : ports_)
    if (port.pr || port.wpr || port.pls == Pls::resume) queue_.cancel(port.timer);
  usbcmd_ = 0;
  usbsts_ = kStsHch | kStsCnr;
  dnctrl_ = config_ = 0;
  dcbaap_ = 0;
  mf_accum_ = mf_run_start_ = 0;
  scratchpads_.clear();
  cmd_ring_ = TrbRing{};
  crr_ = cmd_busy_ = cmd_stop_ = false;
  cmd_ticket_ = EventQueue::Ticket{};
  for (auto& i : interrupters_) i->reset();
  for (auto& s : slots_) s = DeviceSlot{};
  for (auto& port : ports_) {
    port.change = 0;
    port.pr = port.wpr = false;
    port.pmsc = port.li = port.hlpmc = 0;
    port.wake = 0;
    port.pp = !p_.port_power_control;
    port.bus_free_at = 0;
    if (!port.connected()) {
      port.ped = false;
      port.pls = port.pp ? Pls::rx_detect : Pls::disabled;
      continue;
    }
    // The connection is new to software after a reset (§4.19.1).
    port.change |= kPortCsc;
    if (port.usb3) {
      port.ped = true;
      port.pls = Pls::u0;
    } else {
      port.ped = false;
      port.pls = Pls::polling;
    }
  }
  // CNR stays set for the modelled reset time, HCRST with it (§5.4.1).
  usbcmd_ |= kCmdHcReset;
  queue_.after(p_.timing.reset_time, [this] {
    usbcmd_ &= ~kCmdHcReset;
    usbsts_ &= ~kStsCnr;
    trace_.info(component(), "xhci.ready");
  });
}

bool XhciController::read_scratchpads() {
  scratchpads_.clear();
  if (p_.scratchpad_buffers == 0) return true;
  std::uint64_t array = 0;
  dma_error_ = false;
  // §4.20: DCBAA entry 0 points to the Scratchpad Buffer Array.
  if (dcbaap_ == 0 || !dma_.read(dcbaap_, &array, 8) || array == 0 || (array & 0x3F)) {
    host_system_error("no scratchpad buffer array in DCBAA[0]");
    return false;
  }
  scratchpads_.resize(p_.scratchpad_buffers);
  if (!dma_.read(array, scratchpads_.data(), 8ULL * p_.scratchpad_buffers)) {
    host_system_error("scratchpad buffer array unreadable");
    return false;
  }
  for (const std::uint64_t b : scratchpads_) {
    if (b == 0 || (b & 0xFFF)) {
      host_system_error("scratchpad buffer not page aligned");
      return false;
    }
  }
  dma_.take_cost();
  trace_.debug(component(), "xhci.scratchpads", {{"count", p_.scratchpad_buffers}, {"array", sim::Hex{array}}});
  return true;
}

sim::Picos XhciController::mfindex_time() const {
  return mf_accum_ + ((usbsts_ & kStsHch) ? 0 : sim::now() - mf_run_start_);
}

void XhciController::post_event(unsigned index, const Trb& ev, bool interrupt) {
  if (usbsts_ & kStsHch) {
    trace_.debug(component(), "event.while_halted", {{"type", to_string(ev.type())}});
    return;
  }
  if (index >= interrupters_.size()) {
    trace_.warn(component(), "event.bad_interrupter_target", {{"target", index}});
    index = 0;
  }
  interrupters_[index]->post(dma_, ev, interrupt);
}

}  // namespace xhci
