// Root hub ports (xHCI 1.2 §4.19): connect and disconnect, port reset, link
// state changes, and the Port Status Change Events they cause.
#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

unsigned XhciController::free_port(usb::Speed speed) const {
  const bool want3 = speed == usb::Speed::super;
  for (const Port& p : ports_)
    if (p.usb3 == want3 && p.device == nullptr) return p.number;
  return 0;
}

void XhciController::attach(unsigned port, usb::UsbDevice& dev, sim::Picos at) {
  if (port < 1 || port > ports_.size()) {
    trace_.warn(component(), "port.attach_bad_port", {{"port", port}});
    return;
  }
  queue_.at(at, [this, port, &dev] { port_connect(port - 1, dev); });
}

void XhciController::detach(unsigned port, sim::Picos at) {
  if (port < 1 || port > ports_.size()) return;
  queue_.at(at, [this, port] { port_disconnect(port - 1); });
}

void XhciController::port_change(Port& p, std::uint32_t bits) {
  const std::uint32_t before = p.change;
  p.change |= bits;
  if (bits & ~before) usbsts_ |= kStsPcd;
  // §4.19.2: an event on the rising edge of the OR of the change bits.
  if (before == 0 && p.change != 0 && running())
    post_event(0, port_status_change_event(static_cast<std::uint8_t>(p.number)), true);
}

void XhciController::report_port_changes() {
  for (Port& p : ports_)
    if (p.change) post_event(0, port_status_change_event(static_cast<std::uint8_t>(p.number)), true);
}

void XhciController::port_connect(unsigned index, usb::UsbDevice& dev) {
  Port& p = ports_[index];
  if (p.device) port_disconnect(index);
  if ((dev.speed() == usb::Speed::super) != p.usb3) {
    trace_.warn(component(), "port.speed_mismatch",
                {{"port", p.number}, {"device", dev.name()}, {"speed", usb::to_string(dev.speed())}});
    return;
  }
  trace_.info(component(), "port.connect", {{"port", p.number}, {"device", dev.name()},
                                            {"speed", usb::to_string(dev.speed())}});
  const auto finish = [this, index, &dev] {
    Port& q = ports_[index];
    q.device = &dev;
    q.speed = psi_of(dev.speed());
    dev.set_attached(true);
    dev.on_endpoint_ready([this, d = &dev](std::uint8_t ep) { endpoint_ready(d, ep); });
    if (!q.pp) return;  // seen when software powers the port
    if (q.usb3) {
      q.ped = true;  // USB 3 ports enable themselves once the link trains (§4.19.1.2)
      q.pls = Pls::u0;
    } else {
      q.ped = false;
      q.pls = Pls::polling;  // USB 2: Disabled state until software resets the port (§4.19.1.1)
    }
    port_change(q, kPortCsc);
  };
  if (p.usb3)
    p.timer = queue_.after(p_.timing.usb3_link_training, finish);
  else
    finish();
}

void XhciController::port_disconnect(unsigned index) {
  Port& p = ports_[index];
  queue_.cancel(p.timer);
  if (!p.device) return;
  trace_.info(component(), "port.disconnect", {{"port", p.number}, {"device", p.device->name()}});
  p.device->set_attached(false);
  p.device->on_endpoint_ready(nullptr);
  fail_waiting_transfers(index);
  p.device = nullptr;
  p.ped = false;
  p.pr = p.wpr = false;
  p.pls = p.pp ? Pls::rx_detect : Pls::disabled;
  port_change(p, kPortCsc);
}

void XhciController::port_reset(unsigned index, bool warm) {
  Port& p = ports_[index];
  if (!p.connected()) {
    trace_.debug(component(), "port.reset_no_device", {{"port", p.number}});
    return;
  }
  (warm ? p.wpr : p.pr) = true;
  if (!p.usb3) p.ped = false;
  p.pls = p.usb3 ? Pls::hot_reset : p.pls;
  const sim::Picos t = p.usb3 ? p_.timing.usb3_port_reset : p_.timing.usb2_port_reset;
  queue_.cancel(p.timer);
  p.timer = queue_.after(t, [this, index, warm] {
    Port& q = ports_[index];
    q.timer = EventQueue::Ticket{};
    q.pr = q.wpr = false;
    if (!q.connected()) return;
    q.device->bus_reset();
    q.ped = true;
    q.pls = Pls::u0;
    trace_.info(component(), "port.reset_done", {{"port", q.number}, {"warm", warm}});
    port_change(q, kPortPrc | (warm ? kPortWrc : 0u));
  });
}

std::uint32_t XhciController::port_read(unsigned index, std::uint32_t reg) const {
  const Port& p = ports_[index];
  switch (reg) {
    case kPortSc: return p.portsc();
    case kPortPmsc: return p.pmsc;
    case kPortLi: return p.usb3 ? p.li : 0;
    default: return p.hlpmc;
  }
}

void XhciController::port_write(unsigned index, std::uint32_t reg, std::uint32_t v) {
  Port& p = ports_[index];
  if (reg == kPortPmsc) {
    // USB 3: U1/U2 timeouts, FLA; USB 2: L1 fields and Port Test Control.
    p.pmsc = p.usb3 ? (v & 0x0001'FFFF) : (v & 0xF001'FFFF);
    return;
  }
  if (reg == kPortLi) return;  // read-only (Link Error Count is RO in 1.2)
  if (reg == kPortHlpmc) {
    p.hlpmc = p.usb3 ? 0 : (v & 0x3FFF);
    return;
  }
  p.change &= ~(v & kPortChangeBits);  // RW1CS
  p.wake = v & (kPortWce | kPortWde | kPortWoe);
  p.pic = static_cast<std::uint8_t>((v >> 14) & 3);
  if (p_.port_power_control && ((v & kPortPp) != 0) != p.pp) {
    p.pp = (v & kPortPp) != 0;
    trace_.info(component(), "port.power", {{"port", p.number}, {"on", p.pp}});
    if (!p.pp) {
      p.ped = false;
      p.pls = Pls::disabled;
      if (p.device) port_change(p, kPortCsc);
    } else {
      p.pls = Pls::rx_detect;
      if (p.device) {
        p.ped = p.usb3;
        p.pls = p.usb3 ? Pls::u0 : Pls::polling;
        port_change(p, kPortCsc);
      }
    }
  }
  if ((v & kPortPed) && p.ped) {  // writing 1 disables the port
    p.ped = false;
    if (p.usb3) p.pls = Pls::disabled;
    trace_.info(component(), "port.disabled", {{"port", p.number}});
  }
  if ((v & kPortWpr) && p.usb3 && !p.wpr && !p.pr) port_reset(index, true);
  else if ((v & kPortPr) && !p.pr && !p.wpr) port_reset(index, false);
  if (v & kPortLws) {
    const auto target = static_cast<Pls>((v & kPortPlsMask) >> kPortPlsShift);
    if (!p.ped) {
      trace_.warn(component(), "port.link_state_on_disabled_port", {{"port", p.number}});
    } else if (target == Pls::u3 && p.pls == Pls::u0) {
      p.pls = Pls::u3;  // software-initiated suspend: no PLC (§4.19.1.2.4)
    } else if ((target == Pls::u0 || target == Pls::resume) && (p.pls == Pls::u3 || p.pls == Pls::resume)) {
      p.pls = Pls::resume;
      p.timer = queue_.after(p_.timing.port_resume, [this, index] {
        Port& q = ports_[index];
        if (q.pls != Pls::resume) return;
        q.pls = Pls::u0;
        port_change(q, kPortPlc);
      });
    } else if (target != p.pls) {
      trace_.warn(component(), "port.link_state_unsupported",
                  {{"port", p.number}, {"from", static_cast<unsigned>(p.pls)}, {"to", static_cast<unsigned>(target)}});
    }
  }
}

}  // namespace xhci
