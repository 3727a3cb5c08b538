// Transfer rings (xHCI 1.2 §4.10, §4.11.2): doorbells, TD fetch, control
// (Setup/Data/Status stages), bulk and interrupt transfers over the USB
// device model, Transfer Events with their completion codes, and the time
// each transfer holds its port's link.
#include <algorithm>

#include "devices/xhci/timing.hpp"
#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

namespace {
constexpr std::size_t kMaxTdTrbs = 1024;

bool is_data_trb(const Trb& t) { return t.type() == TrbType::normal || t.type() == TrbType::data_stage; }

CompletionCode code_of(usb::Status s) {
  switch (s) {
    case usb::Status::ack:
    case usb::Status::nak: return CompletionCode::success;
    case usb::Status::stall: return CompletionCode::stall_error;
    case usb::Status::error: return CompletionCode::usb_transaction_error;
  }
  return CompletionCode::usb_transaction_error;
}

std::int32_t urb_status(usb::Status s) {
  switch (s) {
    case usb::Status::ack:
    case usb::Status::nak: return usb::kUrbOk;
    case usb::Status::stall: return usb::kUrbStall;
    case usb::Status::error: return usb::kUrbProtocolError;
  }
  return usb::kUrbProtocolError;
}

usb::EndpointType usb_type(EpType t) {
  switch (t) {
    case EpType::control: return usb::EndpointType::control;
    case EpType::isoch_in:
    case EpType::isoch_out: return usb::EndpointType::isochronous;
    case EpType::interrupt_in:
    case EpType::interrupt_out: return usb::EndpointType::interrupt;
    default: return usb::EndpointType::bulk;
  }
}
}  // namespace

void XhciController::endpoint_doorbell(unsigned slot, std::uint32_t v) {
  const unsigned dci = v & 0xFF;
  DeviceSlot* s = enabled_slot(static_cast<std::uint8_t>(slot));
  if (!s || dci < 1 || dci > kMaxEndpoints) {
    trace_.warn(component(), "doorbell.bad_target", {{"slot", slot}, {"value", sim::Hex{v}}});
    return;
  }
  if (!running()) {
    trace_.warn(component(), "doorbell.while_halted", {{"slot", slot}, {"dci", dci}});
    return;
  }
  Endpoint& ep = s->eps[dci];
  switch (ep.state) {
    case EpState::disabled:
      trace_.warn(component(), "doorbell.endpoint_disabled", {{"slot", slot}, {"dci", dci}});
      return;
    case EpState::halted:
    case EpState::error: return;  // §4.8.3: ignored until Reset Endpoint / Set TR Dequeue Pointer
    case EpState::stopped:  // a doorbell restarts a Stopped endpoint
      ep.state = EpState::running;
      write_output_context(*s, false, dci);
      break;
    case EpState::running: break;
  }
  kick(slot, dci, p_.timing.doorbell_latency);
}

void XhciController::kick(unsigned slot, unsigned dci, sim::Picos delay) {
  Endpoint& ep = slots_[slot].eps[dci];
  if (ep.busy || ep.waiting || ep.ticket.valid()) return;
  ep.ticket = queue_.after(delay, [this, slot, dci] {
    slots_[slot].eps[dci].ticket = EventQueue::Ticket{};
    service(slot, dci);
  });
}

bool XhciController::collect_td(Endpoint& ep, std::vector<TdTrb>& td, TrbRing& r, bool control, Fetch& why) {
  r = ep.ring;
  td.clear();
  bool in_data_stage = false;
  for (;;) {
    Trb t;
    std::uint64_t addr = 0;
    why = r.peek(dma_, t, addr);
    if (why != Fetch::ok) {
      if (why == Fetch::bad_link) td.push_back(TdTrb{t, addr, r.cycle()});
      return false;
    }
    td.push_back(TdTrb{t, addr, r.cycle()});
    r.advance();
    if (td.size() > kMaxTdTrbs) {
      why = Fetch::bad_link;
      return false;
    }
    if (!control) {
      if (!t.flag(kTrbChain)) return true;
      continue;
    }
    // A control transfer: Setup TD, optional Data TD, Status TD (§4.11.2.2).
    if (td.size() == 1 && t.type() != TrbType::setup_stage) return true;  // reported as a TRB Error
    if (t.type() == TrbType::data_stage) in_data_stage = true;
    if (t.type() == TrbType::status_stage) return true;
    if (in_data_stage && !t.flag(kTrbChain) && t.type() != TrbType::data_stage && t.type() != TrbType::normal &&
        t.type() != TrbType::event_data)
      return true;
  }
}

void XhciController::service(unsigned slot, unsigned dci) {
  DeviceSlot& s = slots_[slot];
  Endpoint& ep = s.eps[dci];
  if (!running() || !s.enabled || ep.state != EpState::running || ep.busy || ep.waiting) return;
  dma_error_ = false;
  std::vector<TdTrb> td;
  TrbRing after;
  Fetch why = Fetch::ok;
  const bool control = ep.ctx.ep_type == EpType::control;
  if (!collect_td(ep, td, after, control, why)) {
    if (why == Fetch::dma_error) return host_system_error("transfer ring fetch failed");
    if (why == Fetch::empty) return;  // ring empty, or a TD not yet wholly handed over: wait for a doorbell
    trb_error(s, slot, dci, td.empty() ? ep.ring.dequeue() : td.back().address, "malformed transfer ring");
    return;
  }
  ep.td = std::move(td);
  ep.td_after = after;
  if (control)
    run_control(s, slot, dci);
  else
    run_bulk(s, slot, dci);
}

void XhciController::trb_error(DeviceSlot& s, unsigned slot, unsigned dci, std::uint64_t address, const char* why) {
  trace_.warn(component(), "transfer.trb_error",
              {{"slot", slot}, {"dci", dci}, {"address", sim::Hex{address}}, {"reason", why}});
  post_event(0, transfer_event(address, 0, CompletionCode::trb_error, static_cast<std::uint8_t>(slot),
                               static_cast<std::uint8_t>(dci), false),
             true);
  bool cycle = s.eps[dci].ring.cycle();
  for (const TdTrb& t : s.eps[dci].td)
    if (t.address == address) cycle = t.cycle;
  halt_endpoint(s, dci, address);
  s.eps[dci].ring.set(address, cycle);
  write_output_context(s, false, dci);
}

void XhciController::halt_endpoint(DeviceSlot& s, unsigned dci, std::uint64_t dequeue) {
  Endpoint& ep = s.eps[dci];
  bool cycle = ep.ring.cycle();
  for (const TdTrb& t : ep.td)
    if (t.address == dequeue) cycle = t.cycle;
  ep.state = EpState::halted;
  ep.ring.set(dequeue, cycle);
  ep.td.clear();
  ep.waiting = false;
  trace_.info(component(), "endpoint.halted", {{"dci", dci}, {"dequeue", sim::Hex{dequeue}}});
  write_output_context(s, false, dci);
}

bool XhciController::gather(const std::vector<TdTrb>& td, std::size_t first, std::size_t end,
                            std::vector<std::uint8_t>& out) {
  for (std::size_t i = first; i < end; ++i) {
    const Trb& t = td[i].trb;
    if (!is_data_trb(t)) continue;
    const std::uint32_t len = t.transfer_length();
    const std::size_t at = out.size();
    if (t.flag(kTrbIdt)) {  // Immediate Data: up to 8 bytes in the parameter field (§4.11.7)
      const std::uint32_t n = std::min<std::uint32_t>(len, 8);
      out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(t.d), reinterpret_cast<const std::uint8_t*>(t.d) + n);
      continue;
    }
    out.resize(at + len);
    if (len && !dma_.read(t.parameter(), out.data() + at, len)) return false;
  }
  return true;
}

bool XhciController::scatter(const std::vector<TdTrb>& td, std::size_t first, std::size_t end,
                             const std::vector<std::uint8_t>& in) {
  std::size_t pos = 0;
  for (std::size_t i = first; i < end && pos < in.size(); ++i) {
    const Trb& t = td[i].trb;
    if (!is_data_trb(t)) continue;
    const std::size_t n = std::min<std::size_t>(t.transfer_length(), in.size() - pos);
    if (n && !dma_.write(t.parameter(), in.data() + pos, n)) return false;
    pos += n;
  }
  return true;
}

// Transfer Events for the TRBs [first, end) of a TD that moved `moved` bytes
// and ended with `err` (§4.10.1, §4.11.5.2). A short packet is reported on
// its TRB when ISP (or IOC) is set there, and again on the last TRB of the TD
// when that one has IOC (§4.10.1.1).
void XhciController::report_td(DeviceSlot& s, unsigned slot, unsigned dci, const std::vector<TdTrb>& td,
                               std::size_t first, std::size_t end, std::uint64_t moved, CompletionCode err) {
  Endpoint& ep = s.eps[dci];
  const auto ev = [&](std::size_t i, std::uint64_t ptr, std::uint32_t residual, CompletionCode cc, bool ed,
                      bool interrupt) {
    const Trb& t = td[i].trb;
    if (t.flag(kTrbBei) && cc == CompletionCode::success) interrupt = false;
    post_event(t.interrupter_target(),
               transfer_event(ptr, residual, cc, static_cast<std::uint8_t>(slot), static_cast<std::uint8_t>(dci), ed),
               interrupt);
  };
  std::uint64_t left = moved;
  bool short_seen = false;
  for (std::size_t i = first; i < end; ++i) {
    const Trb& t = td[i].trb;
    if (t.type() == TrbType::event_data) {
      if (t.flag(kTrbIoc))
        ev(i, t.parameter(), ep.edtla, short_seen ? CompletionCode::short_packet : CompletionCode::success, true,
           true);
      ep.edtla = 0;
      continue;
    }
    if (short_seen) {
      // After a short packet the controller moves to the end of the TD.
      if (i == end - 1 && t.flag(kTrbIoc)) ev(i, td[i].address, t.transfer_length(), CompletionCode::short_packet,
                                              false, true);
      continue;
    }
    if (!is_data_trb(t)) {
      if (t.flag(kTrbIoc)) ev(i, td[i].address, 0, CompletionCode::success, false, true);
      continue;
    }
    const std::uint32_t len = t.transfer_length();
    const auto chunk = static_cast<std::uint32_t>(std::min<std::uint64_t>(len, left));
    left -= chunk;
    ep.edtla = (ep.edtla + chunk) & 0xFFFFFF;
    const std::uint32_t residual = len - chunk;
    const bool last_data = left == 0 && (chunk < len || [&] {
      for (std::size_t j = i + 1; j < end; ++j)
        if (is_data_trb(td[j].trb)) return false;
      return true;
    }());
    if (err != CompletionCode::success && last_data) {
      ev(i, td[i].address, residual, err, false, true);
      halt_endpoint(s, dci, td[i].address);
      return;
    }
    if (chunk < len) {
      short_seen = true;
      if (t.flag(kTrbIsp) || t.flag(kTrbIoc))
        ev(i, td[i].address, residual, CompletionCode::short_packet, false, true);
      continue;
    }
    if (t.flag(kTrbIoc)) ev(i, td[i].address, 0, CompletionCode::success, false, true);
  }
  if (err != CompletionCode::success) {  // no data TRB to blame: the first TRB of the TD
    ev(first, td[first].address, 0, err, false, true);
    halt_endpoint(s, dci, td[first].address);
  }
}

void XhciController::capture_submit(DeviceSlot& s, Endpoint& ep, unsigned dci, std::uint32_t length,
                                    const std::vector<std::uint8_t>& out, const usb::SetupPacket* setup) {
  if (!capture_ || !capture_->is_open()) return;
  ep.urb_id = next_urb_++;
  usb::Urb u;
  u.id = ep.urb_id;
  u.type = usb_type(ep.ctx.ep_type);
  u.endpoint = setup ? static_cast<std::uint8_t>(setup->device_to_host() ? 0x80 : 0x00) : endpoint_address_of(dci);
  u.device = s.address;
  u.length = length;
  if (setup) u.setup = *setup;
  capture_->submit(u, out, sim::now());
}

void XhciController::capture_complete(DeviceSlot& s, Endpoint& ep, unsigned dci, usb::Status st,
                                      std::uint32_t actual, const std::vector<std::uint8_t>& in,
                                      const usb::SetupPacket* setup, sim::Picos at) {
  if (!capture_ || !capture_->is_open()) return;
  usb::Urb u;
  u.id = ep.urb_id;
  u.type = usb_type(ep.ctx.ep_type);
  u.endpoint = setup ? static_cast<std::uint8_t>(setup->device_to_host() ? 0x80 : 0x00) : endpoint_address_of(dci);
  u.device = s.address;
  if (setup) u.setup = *setup;
  capture_->complete(u, urb_status(st), actual, in, at);
}

void XhciController::run_bulk(DeviceSlot& s, unsigned slot, unsigned dci) {
  Endpoint& ep = s.eps[dci];
  std::uint64_t total = 0;
  for (const TdTrb& t : ep.td) {
    const TrbType ty = t.trb.type();
    if (ty != TrbType::normal && ty != TrbType::event_data && ty != TrbType::no_op)
      return trb_error(s, slot, dci, t.address, ty == TrbType::isoch ? "isochronous TRBs are not modelled"
                                                                     : "TRB type not allowed on this ring");
    if (ty == TrbType::normal) total += t.trb.transfer_length();
  }
  const bool in = dci & 1;
  const auto epnum = static_cast<std::uint8_t>(dci / 2);
  Port* port = s.port ? &ports_[s.port - 1] : nullptr;
  usb::UsbDevice* dev = (port && port->connected() && port->ped && port->device == s.device) ? s.device : nullptr;
  std::vector<std::uint8_t> data;
  usb::Status st = usb::Status::error;
  std::uint64_t moved = 0;
  sim::Picos latency = 0;
  if (!in && !gather(ep.td, 0, ep.td.size(), data)) return host_system_error("transfer buffer read failed");
  if (dev && total == 0 && in) {
    st = usb::Status::ack;  // a zero-length TD
  } else if (dev && in) {
    usb::InResult r = dev->in(epnum, static_cast<std::uint32_t>(total));
    st = r.status;
    latency = r.latency;
    data = std::move(r.data);
    moved = data.size();
  } else if (dev) {
    const usb::OutResult r = dev->out(epnum, data);
    st = r.status;
    latency = r.latency;
    moved = r.accepted;
  }
  if (st == usb::Status::nak && moved == 0) {
    // The device has nothing yet: bulk waits for it to be ready, interrupt
    // endpoints poll again at their service interval (§4.14.2).
    ep.waiting = true;
    const bool periodic = ep.ctx.ep_type == EpType::interrupt_in || ep.ctx.ep_type == EpType::interrupt_out;
    if (periodic) {
      const sim::Picos interval = p_.timing.microframe << std::min<unsigned>(ep.ctx.interval, 15);
      ep.ticket = queue_.after(interval, [this, slot, dci] {
        Endpoint& e = slots_[slot].eps[dci];
        e.ticket = EventQueue::Ticket{};
        e.waiting = false;
        service(slot, dci);
      });
    }
    return;
  }
  if (in && moved && !scatter(ep.td, 0, ep.td.size(), data)) return host_system_error("transfer buffer write failed");
  capture_submit(s, ep, dci, static_cast<std::uint32_t>(total), in ? std::vector<std::uint8_t>{} : data, nullptr);
  const usb::Speed speed = dev ? dev->speed() : usb::Speed::high;
  const sim::Picos now = sim::now();
  const sim::Picos start = std::max(now, port ? port->bus_free_at : now) + latency;
  const sim::Picos bus = bus_time(p_.timing, speed, moved, ep.ctx.max_packet_size, ep.ctx.max_burst_size + 1u);
  if (port) port->bus_free_at = start + bus;
  const sim::Picos done = std::max(start + bus, now + dma_.take_cost());
  const CompletionCode err = code_of(st);
  ep.busy = true;
  ep.complete = [this, slot, dci, moved, err, st, in, data = std::move(data), done] {
    DeviceSlot& sl = slots_[slot];
    Endpoint& e = sl.eps[dci];
    e.busy = false;
    capture_complete(sl, e, dci, st, static_cast<std::uint32_t>(moved), in ? data : std::vector<std::uint8_t>{},
                     nullptr, done);
    const std::vector<TdTrb> td = std::move(e.td);
    e.td = td;
    if (err == CompletionCode::success) e.ring = e.td_after;
    report_td(sl, slot, dci, td, 0, td.size(), moved, err);
    e.td.clear();
    if (e.state == EpState::running) kick(slot, dci, 0);
  };
  ep.ticket = queue_.at(done, [this, slot, dci] {
    Endpoint& e = slots_[slot].eps[dci];
    e.ticket = EventQueue::Ticket{};
    if (!e.complete) return;
    auto fn = std::move(e.complete);  // the closure must outlive its own call
    e.complete = nullptr;
    fn();
  });
}

void XhciController::run_control(DeviceSlot& s, unsigned slot, unsigned dci) {
  Endpoint& ep = s.eps[dci];
  const std::vector<TdTrb>& td = ep.td;
  const Trb& setup_trb = td[0].trb;
  if (setup_trb.type() != TrbType::setup_stage)
    return trb_error(s, slot, dci, td[0].address, "control transfer does not start with a Setup Stage TRB");
  if (!setup_trb.flag(kTrbIdt) || setup_trb.transfer_length() != 8)
    return trb_error(s, slot, dci, td[0].address, "Setup Stage TRB needs IDT and a length of 8");
  const usb::SetupPacket sp = usb::SetupPacket::from_bytes(reinterpret_cast<const std::uint8_t*>(setup_trb.d));
  std::size_t data_first = 1, data_end = 1;
  if (td.size() > 1 && td[1].trb.type() == TrbType::data_stage) {
    data_end = 2;
    while (data_end < td.size() && td[data_end - 1].trb.flag(kTrbChain) &&
           td[data_end].trb.type() != TrbType::status_stage)
      ++data_end;
  }
  if (data_end >= td.size() || td[data_end].trb.type() != TrbType::status_stage)
    return trb_error(s, slot, dci, td[std::min(data_end, td.size() - 1)].address,
                     "control transfer without a Status Stage TRB");
  for (std::size_t i = data_first + 1; i < data_end; ++i) {
    const TrbType ty = td[i].trb.type();
    if (ty != TrbType::normal && ty != TrbType::event_data && ty != TrbType::no_op)
      return trb_error(s, slot, dci, td[i].address, "TRB type not allowed in a Data Stage TD");
  }
  std::uint64_t data_len = 0;
  for (std::size_t i = data_first; i < data_end; ++i)
    if (is_data_trb(td[i].trb)) data_len += td[i].trb.transfer_length();
  const bool has_data = data_end > data_first;
  const bool in = sp.device_to_host();

  Port* port = s.port ? &ports_[s.port - 1] : nullptr;
  usb::UsbDevice* dev = (port && port->connected() && port->ped && port->device == s.device) ? s.device : nullptr;
  std::vector<std::uint8_t> out;
  if (has_data && !in && !gather(td, data_first, data_end, out)) return host_system_error("control data read failed");
  capture_submit(s, ep, dci, static_cast<std::uint32_t>(data_len), out, &sp);
  usb::ControlResult r{usb::Status::error, {}, 0};
  if (dev) r = dev->control(sp, out);
  std::uint64_t moved = 0;
  if (r.status == usb::Status::ack) {
    if (in) {
      if (r.data.size() > data_len) r.data.resize(data_len);
      moved = r.data.size();
      if (moved && !scatter(td, data_first, data_end, r.data)) return host_system_error("control data write failed");
    } else {
      moved = out.size();
    }
  }
  const usb::Speed speed = dev ? dev->speed() : usb::Speed::high;
  const sim::Picos now = sim::now();
  const sim::Picos start = std::max(now, port ? port->bus_free_at : now) + r.latency;
  const sim::Picos bus = control_time(p_.timing, speed, moved, ep.ctx.max_packet_size);
  if (port) port->bus_free_at = start + bus;
  const sim::Picos done = std::max(start + bus, now + dma_.take_cost());
  ep.busy = true;
  ep.complete = [this, slot, dci, sp, r, moved, has_data, data_first, data_end, done] {
    DeviceSlot& sl = slots_[slot];
    Endpoint& e = sl.eps[dci];
    e.busy = false;
    capture_complete(sl, e, dci, r.status, static_cast<std::uint32_t>(moved), r.data, &sp, done);
    const std::vector<TdTrb> tds = e.td;
    const CompletionCode err = code_of(r.status == usb::Status::nak ? usb::Status::error : r.status);
    if (err != CompletionCode::success) {
      // The stall ends the transfer in the data stage, or in the status stage
      // when there is none (USB 2.0 §8.5.3.4).
      const std::size_t at = has_data ? data_first : data_end;
      report_td(sl, slot, dci, tds, at, at + 1, 0, err);
    } else {
      e.ring = e.td_after;
      if (tds[0].trb.flag(kTrbIoc))
        post_event(tds[0].trb.interrupter_target(),
                   transfer_event(tds[0].address, 0, CompletionCode::success, static_cast<std::uint8_t>(slot),
                                  static_cast<std::uint8_t>(dci), false),
                   true);
      if (has_data) report_td(sl, slot, dci, tds, data_first, data_end, moved, CompletionCode::success);
      if (tds[data_end].trb.flag(kTrbIoc))
        post_event(tds[data_end].trb.interrupter_target(),
                   transfer_event(tds[data_end].address, 0, CompletionCode::success, static_cast<std::uint8_t>(slot),
                                  static_cast<std::uint8_t>(dci), false),
                   true);
    }
    e.td.clear();
    if (e.state == EpState::running) kick(slot, dci, 0);
  };
  ep.ticket = queue_.at(done, [this, slot, dci] {
    Endpoint& e = slots_[slot].eps[dci];
    e.ticket = EventQueue::Ticket{};
    if (!e.complete) return;
    auto fn = std::move(e.complete);  // the closure must outlive its own call
    e.complete = nullptr;
    fn();
  });
}

void XhciController::endpoint_ready(usb::UsbDevice* dev, std::uint8_t address) {
  const unsigned dci = dci_of(address);
  for (unsigned slot = 1; slot < slots_.size(); ++slot) {
    DeviceSlot& s = slots_[slot];
    if (!s.enabled || s.device != dev) continue;
    Endpoint& ep = s.eps[dci];
    if (!ep.waiting) continue;
    queue_.cancel(ep.ticket);
    ep.waiting = false;
    kick(slot, dci, 0);
  }
}

// Stop Endpoint (§4.6.9): a TD on the bus completes now; a TD waiting for the
// device is stopped with a Stopped Transfer Event and stays on the ring.
void XhciController::stop_endpoint_transfers(DeviceSlot& s, unsigned slot, unsigned dci) {
  Endpoint& ep = s.eps[dci];
  queue_.cancel(ep.ticket);
  if (ep.busy && ep.complete) {
    auto fn = std::move(ep.complete);
    ep.complete = nullptr;
    fn();
    queue_.cancel(ep.ticket);
    return;
  }
  if (ep.waiting && !ep.td.empty()) {
    const TdTrb& t = ep.td.front();
    post_event(t.trb.interrupter_target(),
               transfer_event(t.address, t.trb.transfer_length(), CompletionCode::stopped,
                              static_cast<std::uint8_t>(slot), static_cast<std::uint8_t>(dci), false),
               true);
    ep.ring.set(t.address, t.cycle);
  }
  ep.waiting = false;
  ep.td.clear();
}

void XhciController::fail_waiting_transfers(unsigned port_index) {
  for (unsigned slot = 1; slot < slots_.size(); ++slot) {
    DeviceSlot& s = slots_[slot];
    if (!s.enabled || s.port != port_index + 1) continue;
    for (unsigned dci = 1; dci <= kMaxEndpoints; ++dci) {
      Endpoint& ep = s.eps[dci];
      if (!ep.waiting || ep.td.empty()) continue;
      queue_.cancel(ep.ticket);
      const std::vector<TdTrb> td = ep.td;
      report_td(s, slot, dci, td, 0, td.size(), 0, CompletionCode::usb_transaction_error);
    }
  }
}

}  // namespace xhci
