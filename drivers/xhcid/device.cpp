#include "drivers/xhcid/device.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "drivers/xhcid/regs.hpp"

namespace xhcid {

namespace {

/// Completion codes after which the controller has halted the endpoint
/// (§4.10.2): it stays halted until Reset Endpoint.
bool halts_endpoint(CompletionCode cc) {
  switch (cc) {
    case CompletionCode::stall_error:
    case CompletionCode::usb_transaction_error:
    case CompletionCode::babble_detected:
    case CompletionCode::trb_error: return true;
    default: return static_cast<unsigned>(cc) == 36;  // Split Transaction Error
  }
}

unsigned psi_of(usb::Speed s) {
  switch (s) {
    case usb::Speed::full: return regs::kPsiFull;
    case usb::Speed::low: return regs::kPsiLow;
    case usb::Speed::high: return regs::kPsiHigh;
    case usb::Speed::super: return regs::kPsiSuper;
    case usb::Speed::super_plus: return regs::kPsiSuperPlus;
    case usb::Speed::unknown: break;
  }
  return 0;
}

EpType ep_type_of(const usb::EndpointDescriptor& e) {
  switch (e.type()) {
    case usb::TransferType::bulk: return e.is_in() ? EpType::bulk_in : EpType::bulk_out;
    case usb::TransferType::interrupt: return e.is_in() ? EpType::interrupt_in : EpType::interrupt_out;
    case usb::TransferType::isochronous: return e.is_in() ? EpType::isoch_in : EpType::isoch_out;
    case usb::TransferType::control: return EpType::control;
  }
  return EpType::not_valid;
}

std::string hex4(unsigned v) {
  static const char* digits = "0123456789abcdef";
  std::string s(4, '0');
  for (int i = 3; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xF];
  return s;
}

}  // namespace

std::vector<std::pair<std::uint64_t, std::uint32_t>> split_buffer(std::uint64_t phys, std::uint64_t length) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pieces;
  if (length == 0) {
    pieces.emplace_back(phys, 0);
    return pieces;
  }
  while (length > 0) {
    const std::uint64_t boundary = (phys | (kMaxTrbTransfer - 1)) + 1;
    const std::uint64_t n = std::min(length, boundary - phys);
    pieces.emplace_back(phys, static_cast<std::uint32_t>(n));
    phys += n;
    length -= n;
  }
  return pieces;
}

std::uint8_t xhci_interval(const usb::EndpointDescriptor& e, usb::Speed speed) {
  if (e.type() == usb::TransferType::bulk || e.type() == usb::TransferType::control) return 0;
  const bool fast = speed == usb::Speed::high || speed == usb::Speed::super || speed == usb::Speed::super_plus;
  if (fast || e.type() == usb::TransferType::isochronous) {
    // 2^(bInterval-1) (micro)frames; for full-speed isochronous frames are 8 microframes.
    const unsigned b = std::clamp<unsigned>(e.bInterval, 1, 16) - 1;
    return static_cast<std::uint8_t>(fast ? b : std::min(b + 3, 15u));
  }
  // Full/low-speed interrupt: bInterval in ms; the largest 2^n x 125 us not above it.
  unsigned frames = std::clamp<unsigned>(e.bInterval, 1, 255) * 8, n = 0;
  while ((2u << n) <= frames) ++n;
  return static_cast<std::uint8_t>(std::clamp<unsigned>(n, 3, 10));
}

bool PendingTd::on_event(const Trb& event, proto::Transfer& result) {
  const CompletionCode cc = event.completion_code();
  const std::uint64_t ptr = event.parameter() & ~0xFULL;
  const std::uint32_t residual = event.event_length();
  const Piece* piece = nullptr;
  for (const Piece& p : data)
    if (p.address == ptr) piece = &p;
  const auto moved_through = [&](const Piece& p) {
    return p.offset + (p.length - std::min(residual, p.length));
  };
  if (cc == CompletionCode::success || cc == CompletionCode::short_packet) {
    if (ptr == final_trb) {
      std::uint64_t bytes = total;
      if (short_seen) bytes = short_bytes;
      else if (piece) bytes = moved_through(*piece);
      result = proto::Transfer{0, static_cast<std::uint32_t>(bytes), static_cast<std::uint8_t>(cc)};
      return true;
    }
    if (cc == CompletionCode::short_packet && piece && !short_seen) {
      short_seen = true;
      short_bytes = moved_through(*piece);
    }
    return false;
  }
  const std::uint32_t bytes = piece ? moved_through(*piece) : (short_seen ? short_bytes : 0);
  result = proto::Transfer{errno_of(cc), bytes, static_cast<std::uint8_t>(cc)};
  return true;
}

Device::Device(Controller& hc, unsigned port, usb::Speed speed) : hc_(hc), port_(port), speed_(speed) {}

std::string Device::describe() const {
  return "port " + std::to_string(port_) + " slot " + std::to_string(slot_) + " " + usb::to_string(speed_) +
         " speed " + hex4(device_.idVendor) + ":" + hex4(device_.idProduct);
}

bool Device::interface_has_endpoint(unsigned interface, std::uint8_t endpoint_address) const {
  for (const auto& i : config_.interfaces) {
    if (i.bInterfaceNumber != interface || i.bAlternateSetting != 0) continue;
    for (const auto& e : i.endpoints)
      if (e.bEndpointAddress == endpoint_address) return true;
  }
  return false;
}

hal::Result<void> Device::setup_endpoint(Endpoint& ep, unsigned dci) {
  hal::Result<hal::DmaBuffer> page = hc_.pages().alloc();
  if (!page) return page.error();
  ep.dci = dci;
  ep.page = *page;
  ep.ring = ProducerRing(*page);
  return hal::ok();
}

hal::Task<hal::Result<void>> Device::command_ok(Trb trb, const char* what) {
  const CommandResult r = co_await hc_.command(trb);
  if (!r.ok())
    co_return hal::Error(errno_of(r.code) ? errno_of(r.code) : hal::errc::io,
                         std::string(what) + ": " + to_string(r.code));
  co_return hal::ok();
}

hal::Task<hal::Result<std::uint32_t>> Device::get(const usb::SetupPacket& setup, const char* what) {
  const proto::Transfer t = co_await control(setup, buf_page_.phys);
  if (!t.ok())
    co_return hal::Error(t.error, std::string(what) + ": " + to_string(static_cast<CompletionCode>(t.completion_code)));
  co_return t.bytes;
}

hal::Task<hal::Result<void>> Device::enumerate() {
  const Protocol* protocol = hc_.protocol_of(port_);
  // Enable Slot (§4.3.2), with the Protocol Slot Type of the port's protocol.
  const CommandResult es = co_await hc_.command(enable_slot_trb(protocol ? protocol->slot_type : 0));
  if (!es.ok()) co_return hal::Error(errno_of(es.code), std::string("Enable Slot: ") + to_string(es.code));
  slot_ = es.slot;
  for (hal::DmaBuffer* p : {&out_page_, &in_page_, &buf_page_}) {
    hal::Result<hal::DmaBuffer> page = hc_.pages().alloc();
    if (!page) co_return page.error();
    *p = *page;
  }
  out_ = DeviceContext(out_page_, hc_.context_size());
  in_ = InputContext(in_page_, hc_.context_size());
  hc_.set_device_context(slot_, out_.phys());

  // Address Device (§4.3.3): Slot Context and EP0 with the default max packet size.
  eps_[1] = std::make_unique<Endpoint>();
  Endpoint& ep0 = *eps_[1];
  hal::Result<void> r = setup_endpoint(ep0, 1);
  if (!r) co_return r;
  ep0.type = EpType::control;
  ep0.max_packet = static_cast<std::uint16_t>(usb::default_ep0_max_packet(speed_));
  SlotContext sc;
  sc.speed = static_cast<std::uint8_t>(psi_of(speed_));
  sc.context_entries = 1;
  sc.root_hub_port_number = static_cast<std::uint8_t>(port_);
  EndpointContext c0;
  c0.ep_type = EpType::control;
  c0.max_packet_size = ep0.max_packet;
  c0.cerr = 3;
  c0.tr_dequeue_pointer = ep0.ring.base();
  c0.dcs = ep0.ring.cycle();
  c0.average_trb_length = 8;
  in_.clear();
  in_.set_add_flags(0x3);  // A0 (slot), A1 (EP0)
  in_.set_slot(sc);
  in_.set_endpoint(1, c0);
  r = co_await command_ok(address_device_trb(in_.phys(), slot_, false), "Address Device");
  if (!r) co_return r;

  // The first 8 bytes of the device descriptor give bMaxPacketSize0 (§4.3.4).
  hal::Result<std::uint32_t> n = co_await get(usb::get_descriptor(usb::kDescDevice, 0, 8), "device descriptor (8)");
  if (!n) co_return n.error();
  const hal::Result<std::uint8_t> mps0 =
      usb::parse_max_packet_size0(std::span<const std::uint8_t>(buf_page_.data, std::min<std::uint32_t>(*n, 8)));
  if (!mps0) co_return mps0.error();
  // Evaluate Context (§4.6.7) with the real max packet size of EP0.
  c0.max_packet_size = static_cast<std::uint16_t>(usb::ep0_max_packet(*mps0, speed_));
  in_.clear();
  in_.set_add_flags(0x2);  // A1
  in_.set_endpoint(1, c0);
  r = co_await command_ok(evaluate_context_trb(in_.phys(), slot_), "Evaluate Context");
  if (!r) co_return r;
  ep0.max_packet = c0.max_packet_size;

  // The whole device descriptor, then the configuration set.
  n = co_await get(usb::get_descriptor(usb::kDescDevice, 0, usb::kDeviceDescriptorSize), "device descriptor");
  if (!n) co_return n.error();
  const hal::Result<usb::DeviceDescriptor> dd =
      usb::parse_device_descriptor(std::span<const std::uint8_t>(buf_page_.data, *n));
  if (!dd) co_return dd.error();
  device_ = *dd;
  descriptor_bytes_.assign(buf_page_.data, buf_page_.data + usb::kDeviceDescriptorSize);
  n = co_await get(usb::get_descriptor(usb::kDescConfiguration, 0, usb::kConfigurationDescriptorSize),
                   "configuration descriptor (9)");
  if (!n) co_return n.error();
  const hal::Result<std::uint16_t> total =
      usb::parse_total_length(std::span<const std::uint8_t>(buf_page_.data, *n));
  if (!total) co_return total.error();
  if (*total > buf_page_.size) co_return hal::Error(hal::errc::msgsize, "configuration set larger than a page");
  n = co_await get(usb::get_descriptor(usb::kDescConfiguration, 0, *total), "configuration set");
  if (!n) co_return n.error();
  const hal::Result<usb::ConfigurationDescriptor> cfg =
      usb::parse_configuration(std::span<const std::uint8_t>(buf_page_.data, *n));
  if (!cfg) co_return cfg.error();
  config_ = *cfg;
  descriptor_bytes_.insert(descriptor_bytes_.end(), buf_page_.data, buf_page_.data + *n);

  // Configure Endpoint before SET_CONFIGURATION (§4.3.5).
  r = co_await configure_endpoints();
  if (!r) co_return r;
  n = co_await get(usb::set_configuration(config_.bConfigurationValue), "SET_CONFIGURATION");
  if (!n) co_return n.error();
  active_config_ = config_.bConfigurationValue;
  state_ = State::configured;
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Device::configure_endpoints() {
  in_.clear();
  std::uint32_t add = 1;  // A0: the Slot Context (Context Entries changes)
  unsigned last = 1;
  for (const auto& intf : config_.interfaces) {
    if (intf.bAlternateSetting != 0) continue;
    for (const auto& e : intf.endpoints) {
      const unsigned dci = dci_of(e.bEndpointAddress);
      if (e.type() == usb::TransferType::isochronous || e.type() == usb::TransferType::control || eps_[dci]) {
        hc_.sys().log(hal::LogLevel::info, "xhcid.endpoint_skipped",
                      describe() + " endpoint " + std::to_string(e.bEndpointAddress));
        continue;
      }
      eps_[dci] = std::make_unique<Endpoint>();
      Endpoint& ep = *eps_[dci];
      const hal::Result<void> r = setup_endpoint(ep, dci);
      if (!r) co_return r;
      ep.type = ep_type_of(e);
      ep.max_packet = e.max_packet_size();
      ep.max_burst = e.has_companion ? e.bMaxBurst
                                     : (e.type() == usb::TransferType::interrupt && speed_ == usb::Speed::high
                                            ? static_cast<std::uint8_t>((e.wMaxPacketSize >> 11) & 3)
                                            : 0);
      ep.interval = xhci_interval(e, speed_);
      EndpointContext c;
      c.ep_type = ep.type;
      c.max_packet_size = ep.max_packet;
      c.max_burst_size = ep.max_burst;
      c.interval = ep.interval;
      c.cerr = 3;
      c.tr_dequeue_pointer = ep.ring.base();
      c.dcs = ep.ring.cycle();
      const bool periodic = e.type() == usb::TransferType::interrupt;
      c.average_trb_length = periodic ? 1024 : 3072;  // §4.14.1.1 suggestions
      if (periodic)
        c.max_esit_payload = e.has_companion ? e.wBytesPerInterval : std::uint32_t{ep.max_packet} * (ep.max_burst + 1u);
      in_.set_endpoint(dci, c);
      add |= 1u << dci;
      last = std::max(last, dci);
    }
  }
  if (add == 1) co_return hal::ok();  // nothing but EP0
  SlotContext sc;
  sc.speed = static_cast<std::uint8_t>(psi_of(speed_));
  sc.context_entries = static_cast<std::uint8_t>(last);
  sc.root_hub_port_number = static_cast<std::uint8_t>(port_);
  in_.set_slot(sc);
  in_.set_add_flags(add);
  co_return co_await command_ok(configure_endpoint_trb(in_.phys(), slot_), "Configure Endpoint");
}

hal::Task<proto::Transfer> Device::run_td(Endpoint& ep, PendingTd& td) {
  ep.in_flight.push_back(&td);
  struct Forget {  // a task destroyed while waiting leaves no dangling TD
    std::deque<PendingTd*>& q;
    PendingTd* td;
    ~Forget() {
      const auto it = std::find(q.begin(), q.end(), td);
      if (it != q.end()) q.erase(it);
    }
  } forget{ep.in_flight, &td};
  hc_.ring_doorbell(slot_, ep.dci);
  co_return co_await td.done;
}

hal::Task<proto::Transfer> Device::control(const usb::SetupPacket& setup, std::uint64_t data_phys) {
  if (state_ == State::gone || !eps_[1]) co_return proto::Transfer{hal::errc::nodev, 0, 0};
  Endpoint& ep = *eps_[1];
  if (ep.halted) co_return proto::Transfer{proto::kEpipe, 0, 0};
  const bool in = setup.device_to_host();
  const auto pieces = setup.wLength ? split_buffer(data_phys, setup.wLength)
                                    : std::vector<std::pair<std::uint64_t, std::uint32_t>>{};
  const unsigned need = static_cast<unsigned>(pieces.size()) + 2;
  while (ep.ring.free_trbs() < need) {
    co_await ep.room.wait();
    if (state_ == State::gone) co_return proto::Transfer{hal::errc::nodev, 0, 0};
  }
  PendingTd td;
  const Trt trt = setup.wLength == 0 ? Trt::no_data : (in ? Trt::in : Trt::out);
  td.data.reserve(pieces.size());
  std::uint32_t through = 0;
  ep.ring.push(setup_stage_trb(setup.bytes(), trt));
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const bool last = i + 1 == pieces.size();
    const unsigned size = td_size(setup.wLength, through + pieces[i].second, ep.max_packet, last);
    Trb t = i == 0 ? data_stage_trb(pieces[i].first, pieces[i].second, in, size)
                   : normal_trb(pieces[i].first, pieces[i].second, size);
    t.set_flag(kTrbChain, !last);
    td.data.push_back(PendingTd::Piece{ep.ring.push(t), through, pieces[i].second});
    through += pieces[i].second;
  }
  td.final_trb = ep.ring.push(status_stage_trb(!(setup.wLength > 0 && in)));
  td.total = setup.wLength;
  td.trbs = need;
  const proto::Transfer result = co_await run_td(ep, td);
  if (!result.ok() && ep.halted && state_ != State::gone) co_await reset_halted(ep);  // EP0 recovers at once
  co_return result;
}

hal::Task<proto::Transfer> Device::transfer(std::uint8_t endpoint_address, std::uint64_t phys, std::uint64_t length) {
  const unsigned dci = dci_of(endpoint_address);
  if (dci < 2 || dci > kMaxDci || !eps_[dci]) co_return proto::Transfer{hal::errc::inval, 0, 0};
  if (state_ != State::configured) co_return proto::Transfer{hal::errc::nodev, 0, 0};
  Endpoint& ep = *eps_[dci];
  if (ep.halted) co_return proto::Transfer{proto::kEpipe, 0, 0};
  const auto pieces = split_buffer(phys, length);
  if (pieces.size() > ep.ring.capacity()) co_return proto::Transfer{hal::errc::inval, 0, 0};
  while (ep.ring.free_trbs() < pieces.size()) {
    co_await ep.room.wait();
    if (state_ != State::configured) co_return proto::Transfer{hal::errc::nodev, 0, 0};
    if (ep.halted) co_return proto::Transfer{proto::kEpipe, 0, 0};
  }
  PendingTd td;
  td.data.reserve(pieces.size());
  std::uint32_t through = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const bool last = i + 1 == pieces.size();
    Trb t = normal_trb(pieces[i].first, pieces[i].second,
                       td_size(length, through + pieces[i].second, ep.max_packet, last));
    t.set_flag(last ? kTrbIoc : kTrbChain);
    const std::uint64_t a = ep.ring.push(t);
    td.data.push_back(PendingTd::Piece{a, through, pieces[i].second});
    through += pieces[i].second;
    if (last) td.final_trb = a;
  }
  td.total = length;
  td.trbs = static_cast<unsigned>(pieces.size());
  co_return co_await run_td(ep, td);
}

void Device::on_transfer_event(const Trb& e) {
  const unsigned dci = e.endpoint_id();
  Endpoint* ep = dci <= kMaxDci ? eps_[dci].get() : nullptr;
  if (!ep || ep->in_flight.empty() || e.flag(kTrbEventData)) {
    hc_.sys().log(hal::LogLevel::warn, "xhcid.stray_transfer_event",
                  describe() + " dci " + std::to_string(dci) + " " + to_string(e.completion_code()));
    return;
  }
  PendingTd* td = ep->in_flight.front();
  proto::Transfer result;
  if (!td->on_event(e, result)) return;
  ep->in_flight.pop_front();
  ep->ring.release(td->trbs);
  if (!result.ok() && halts_endpoint(e.completion_code())) ep->halted = true;
  td->done.complete(result);
  ep->room.wake_all();
}

void Device::cancel_in_flight(Endpoint& ep, int error) {
  while (!ep.in_flight.empty()) {
    PendingTd* td = ep.in_flight.front();
    ep.in_flight.pop_front();
    td->done.complete(proto::Transfer{error, 0, 0});
  }
  ep.ring.release_all();
  ep.room.wake_all();
}

hal::Task<void> Device::reset_halted(Endpoint& ep) {
  // §4.6.8 Reset Endpoint (Halted -> Stopped), then §4.6.10 Set TR Dequeue
  // Pointer past everything queued: the failed TD and any behind it are dropped.
  const CommandResult re = co_await hc_.command(reset_endpoint_trb(slot_, ep.dci));
  if (!re.ok() && re.code != CompletionCode::context_state_error)
    hc_.sys().log(hal::LogLevel::warn, "xhcid.reset_endpoint_failed", describe() + ": " + to_string(re.code));
  const CommandResult sd =
      co_await hc_.command(set_tr_dequeue_pointer_trb(slot_, ep.dci, ep.ring.enqueue_pointer(), ep.ring.cycle()));
  if (!sd.ok())
    hc_.sys().log(hal::LogLevel::warn, "xhcid.set_tr_dequeue_failed", describe() + ": " + to_string(sd.code));
  cancel_in_flight(ep, hal::errc::canceled);
  ep.halted = false;
}

hal::Task<hal::Result<void>> Device::clear_halt(std::uint8_t endpoint_address) {
  const unsigned dci = dci_of(endpoint_address);
  if (dci < 2 || dci > kMaxDci || !eps_[dci]) co_return hal::Error(hal::errc::inval, "clear halt: no such endpoint");
  if (state_ != State::configured) co_return hal::Error(hal::errc::nodev, "clear halt: device gone");
  Endpoint& ep = *eps_[dci];
  if (ep.halted) co_await reset_halted(ep);
  const proto::Transfer t = co_await control(usb::clear_endpoint_halt(endpoint_address), 0);
  if (!t.ok()) co_return hal::Error(t.error, "CLEAR_FEATURE(ENDPOINT_HALT)");
  co_return hal::ok();
}

hal::Task<void> Device::teardown(int error) {
  const bool had_slot = slot_ != 0 && state_ != State::gone;
  state_ = State::gone;
  if (had_slot) {
    const CommandResult r = co_await hc_.command(disable_slot_trb(slot_));
    if (!r.ok()) hc_.sys().log(hal::LogLevel::warn, "xhcid.disable_slot_failed", describe() + ": " + to_string(r.code));
    hc_.set_device_context(slot_, 0);
  }
  for (auto& ep : eps_) {
    if (!ep) continue;
    cancel_in_flight(*ep, error);
    hc_.pages().free(ep->page);
    ep->page = {};
  }
  for (hal::DmaBuffer* p : {&out_page_, &in_page_, &buf_page_}) {
    hc_.pages().free(*p);
    *p = {};
  }
}

}  // namespace xhcid
