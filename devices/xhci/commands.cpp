// Command TRBs (xHCI 1.2 §4.6) and their completion codes.
#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

namespace {
constexpr std::uint32_t bit(unsigned n) { return 1u << n; }
}  // namespace

DeviceSlot* XhciController::enabled_slot(std::uint8_t slot) {
  if (slot == 0 || slot > p_.max_slots || !slots_[slot].enabled) return nullptr;
  return &slots_[slot];
}

CompletionCode XhciController::execute_command(const Trb& t, std::uint8_t& slot) {
  switch (t.type()) {
    case TrbType::no_op_command: slot = 0; return CompletionCode::success;
    case TrbType::enable_slot: return cmd_enable_slot(slot);
    case TrbType::disable_slot: return cmd_disable_slot(slot);
    case TrbType::address_device: return cmd_address_device(t, slot);
    case TrbType::configure_endpoint: return cmd_configure_endpoint(t, slot);
    case TrbType::evaluate_context: return cmd_evaluate_context(t, slot);
    case TrbType::reset_endpoint: return cmd_reset_endpoint(t, slot);
    case TrbType::stop_endpoint: return cmd_stop_endpoint(t, slot);
    case TrbType::set_tr_dequeue_pointer: return cmd_set_tr_dequeue(t, slot);
    case TrbType::reset_device: return cmd_reset_device(slot);
    default:
      // Not a command this controller implements (or not a command TRB).
      trace_.warn(component(), "cmd.trb_error", {{"type", t.raw_type()}});
      slot = 0;
      return CompletionCode::trb_error;
  }
}

CompletionCode XhciController::cmd_enable_slot(std::uint8_t& slot) {
  const unsigned limit = config_ & kConfigMaxSlotsEnMask;  // CONFIG.MaxSlotsEn
  for (unsigned i = 1; i <= limit; ++i) {
    if (slots_[i].enabled) continue;
    slots_[i] = DeviceSlot{};
    slots_[i].enabled = true;
    slot = static_cast<std::uint8_t>(i);
    return CompletionCode::success;
  }
  slot = 0;
  return CompletionCode::no_slots_available;
}

CompletionCode XhciController::cmd_disable_slot(std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  for (unsigned dci = 1; dci <= kMaxEndpoints; ++dci) queue_.cancel(s->eps[dci].ticket);
  *s = DeviceSlot{};
  return CompletionCode::success;
}

bool XhciController::read_input_context(std::uint64_t addr, std::vector<std::uint32_t>& ctx) {
  ctx.assign(layout_.input_context_bytes() / 4, 0);
  if (addr == 0 || (addr & 0xF)) return false;
  return dma_.read(addr, ctx.data(), layout_.input_context_bytes());
}

bool XhciController::write_output_context(DeviceSlot& s, bool all_endpoints, unsigned only_dci) {
  if (s.output_context == 0) return true;
  std::uint32_t dw[8];
  s.ctx.encode(dw);
  if (!dma_.write(s.output_context + layout_.device_slot(), dw, sizeof dw)) return false;
  for (unsigned dci = 1; dci <= kMaxEndpoints; ++dci) {
    if (!all_endpoints && dci != only_dci) continue;
    Endpoint& ep = s.eps[dci];
    ep.ctx.ep_state = ep.state;
    ep.ctx.tr_dequeue_pointer = ep.ring.dequeue();
    ep.ctx.dcs = ep.ring.cycle();
    ep.ctx.encode(dw);
    if (!dma_.write(s.output_context + layout_.device_endpoint(dci), dw, sizeof dw)) return false;
  }
  return true;
}

void XhciController::disable_endpoint(DeviceSlot& s, unsigned dci) {
  Endpoint& ep = s.eps[dci];
  queue_.cancel(ep.ticket);
  ep = Endpoint{};
}

namespace {
// §6.2.3, §4.6.6: what an endpoint context must hold to be added.
bool valid_endpoint_context(const EndpointContext& e, unsigned dci) {
  if (e.ep_type == EpType::not_valid || e.max_packet_size == 0) return false;
  if (e.tr_dequeue_pointer == 0) return false;
  const bool in = dci & 1;
  switch (e.ep_type) {
    case EpType::control: return true;
    case EpType::isoch_out:
    case EpType::bulk_out:
    case EpType::interrupt_out: return !in;
    default: return in;
  }
}
}  // namespace

CompletionCode XhciController::cmd_address_device(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  const bool bsr = t.flag(kTrbBsr);
  // §4.6.5: BSR=1 only from Enabled; BSR=0 from Enabled or Default.
  if (s->ctx.slot_state != SlotState::disabled_enabled &&
      (bsr || s->ctx.slot_state != SlotState::default_state))
    return CompletionCode::context_state_error;
  std::vector<std::uint32_t> in;
  if (!read_input_context(t.parameter() & ~0xFULL, in)) {
    if (!dma_error_) trace_.warn(component(), "cmd.bad_input_context", {{"address", sim::Hex{t.parameter()}}});
    return dma_error_ ? CompletionCode::success : CompletionCode::parameter_error;
  }
  const auto icc = InputControlContext::decode(&in[layout_.input_control() / 4]);
  if ((icc.add_flags & 3u) != 3u) return CompletionCode::parameter_error;  // A0 and A1
  SlotContext sc = SlotContext::decode(&in[layout_.input_slot() / 4]);
  EndpointContext ep0 = EndpointContext::decode(&in[layout_.input_endpoint(1) / 4]);
  if (sc.root_hub_port_number < 1 || sc.root_hub_port_number > ports_.size() || ep0.ep_type != EpType::control ||
      ep0.max_packet_size == 0 || ep0.tr_dequeue_pointer == 0) {
    trace_.warn(component(), "cmd.address_device_bad_context",
                {{"port", sc.root_hub_port_number}, {"ep_type", static_cast<unsigned>(ep0.ep_type)}});
    return CompletionCode::parameter_error;
  }
  std::uint64_t out = 0;
  if (dcbaap_ == 0 || !dma_.read(dcbaap_ + 8ULL * slot, &out, 8)) return CompletionCode::success;  // HSE follows
  if (out == 0 || (out & 0x3F)) {
    trace_.warn(component(), "cmd.bad_output_context", {{"slot", slot}, {"address", sim::Hex{out}}});
    return CompletionCode::parameter_error;
  }
  Port& port = ports_[sc.root_hub_port_number - 1];
  if (!port.connected() || !port.ped) return CompletionCode::usb_transaction_error;
  s->port = sc.root_hub_port_number;
  s->device = port.device;
  s->output_context = out;
  s->ctx = sc;
  s->ctx.speed = port.speed;
  s->ctx.context_entries = 1;
  Endpoint& e = s->eps[1];
  e = Endpoint{};
  e.ctx = ep0;
  e.state = EpState::running;
  e.ring.set(ep0.tr_dequeue_pointer, ep0.dcs);
  if (bsr) {
    s->ctx.slot_state = SlotState::default_state;
    s->ctx.usb_device_address = 0;
  } else {
    // The controller assigns the address and sends SET_ADDRESS (§4.3.4).
    usb::SetupPacket set_address{0x00, usb::kSetAddress, slot, 0, 0};
    const usb::ControlResult r = s->device->control(set_address, {});
    usb::Urb u;
    if (capture_) {
      u.id = next_urb_++;
      u.type = usb::EndpointType::control;
      u.setup = set_address;
      capture_->submit(u, {}, sim::now());
      capture_->complete(u, r.status == usb::Status::ack ? usb::kUrbOk : usb::kUrbStall, 0, {}, sim::now());
    }
    if (r.status != usb::Status::ack) {
      s->ctx.slot_state = SlotState::default_state;
      write_output_context(*s, false, 1);
      return CompletionCode::usb_transaction_error;
    }
    s->ctx.slot_state = SlotState::addressed;
    s->ctx.usb_device_address = slot;
    s->address = slot;
  }
  write_output_context(*s, false, 1);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_configure_endpoint(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  if (s->ctx.slot_state != SlotState::addressed && s->ctx.slot_state != SlotState::configured)
    return CompletionCode::context_state_error;
  if (t.flag(kTrbDeconfigure)) {  // §4.6.6: DC=1 disables every endpoint but EP0
    for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci) disable_endpoint(*s, dci);
    s->ctx.slot_state = SlotState::addressed;
    s->ctx.context_entries = 1;
    write_output_context(*s, true);
    return CompletionCode::success;
  }
  std::vector<std::uint32_t> in;
  if (!read_input_context(t.parameter() & ~0xFULL, in))
    return dma_error_ ? CompletionCode::success : CompletionCode::parameter_error;
  const auto icc = InputControlContext::decode(&in[0]);
  // Validate every added context before changing anything (§4.6.6).
  for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci) {
    if (!(icc.add_flags & bit(dci))) continue;
    const auto e = EndpointContext::decode(&in[layout_.input_endpoint(dci) / 4]);
    if (!valid_endpoint_context(e, dci)) {
      trace_.warn(component(), "cmd.bad_endpoint_context",
                  {{"slot", slot}, {"dci", dci}, {"ep_type", static_cast<unsigned>(e.ep_type)},
                   {"mps", e.max_packet_size}});
      return CompletionCode::parameter_error;
    }
  }
  for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci)
    if (icc.drop_flags & bit(dci)) disable_endpoint(*s, dci);
  for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci) {
    if (!(icc.add_flags & bit(dci))) continue;
    disable_endpoint(*s, dci);
    Endpoint& e = s->eps[dci];
    e.ctx = EndpointContext::decode(&in[layout_.input_endpoint(dci) / 4]);
    e.state = EpState::running;
    e.ring.set(e.ctx.tr_dequeue_pointer, e.ctx.dcs);
  }
  unsigned last = 1;
  for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci)
    if (s->eps[dci].state != EpState::disabled) last = dci;
  if (icc.add_flags & 1u) {
    const auto sc = SlotContext::decode(&in[layout_.input_slot() / 4]);
    s->ctx.interrupter_target = sc.interrupter_target;
    s->ctx.max_exit_latency = sc.max_exit_latency;
  }
  s->ctx.context_entries = static_cast<std::uint8_t>(last);
  s->ctx.slot_state = last > 1 ? SlotState::configured : SlotState::addressed;
  write_output_context(*s, true);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_evaluate_context(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  if (s->ctx.slot_state == SlotState::disabled_enabled) return CompletionCode::context_state_error;
  std::vector<std::uint32_t> in;
  if (!read_input_context(t.parameter() & ~0xFULL, in))
    return dma_error_ ? CompletionCode::success : CompletionCode::parameter_error;
  const auto icc = InputControlContext::decode(&in[0]);
  // §4.6.7: only the Slot Context (A0) and EP0 (A1) are evaluated.
  if (icc.add_flags & ~3u) return CompletionCode::parameter_error;
  if (icc.add_flags & 1u) {
    const auto sc = SlotContext::decode(&in[layout_.input_slot() / 4]);
    s->ctx.interrupter_target = sc.interrupter_target;
    s->ctx.max_exit_latency = sc.max_exit_latency;
  }
  if (icc.add_flags & 2u) {
    const auto e = EndpointContext::decode(&in[layout_.input_endpoint(1) / 4]);
    if (e.max_packet_size == 0) return CompletionCode::parameter_error;
    s->eps[1].ctx.max_packet_size = e.max_packet_size;
  }
  write_output_context(*s, false, 1);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_reset_endpoint(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  const unsigned dci = t.endpoint_id();
  if (dci == 0) return CompletionCode::trb_error;
  Endpoint& ep = s->eps[dci];
  if (ep.state == EpState::disabled) return CompletionCode::endpoint_not_enabled;
  if (ep.state != EpState::halted) return CompletionCode::context_state_error;  // §4.6.8
  ep.state = EpState::stopped;
  write_output_context(*s, false, dci);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_stop_endpoint(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  const unsigned dci = t.endpoint_id();
  if (dci == 0) return CompletionCode::trb_error;
  Endpoint& ep = s->eps[dci];
  if (ep.state == EpState::disabled) return CompletionCode::endpoint_not_enabled;
  if (ep.state != EpState::running) return CompletionCode::context_state_error;  // §4.6.9
  stop_endpoint_transfers(*s, slot, dci);
  ep.state = EpState::stopped;
  write_output_context(*s, false, dci);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_set_tr_dequeue(const Trb& t, std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  const unsigned dci = t.endpoint_id();
  if (dci == 0) return CompletionCode::trb_error;
  Endpoint& ep = s->eps[dci];
  if (ep.state == EpState::disabled) return CompletionCode::endpoint_not_enabled;
  if (ep.state != EpState::stopped && ep.state != EpState::error) return CompletionCode::context_state_error;
  const std::uint64_t ptr = t.parameter() & ~0xFULL;
  if (ptr == 0) return CompletionCode::parameter_error;
  ep.ring.set(ptr, (t.parameter() & 1) != 0);
  ep.td.clear();
  ep.waiting = false;
  write_output_context(*s, false, dci);
  return CompletionCode::success;
}

CompletionCode XhciController::cmd_reset_device(std::uint8_t slot) {
  DeviceSlot* s = enabled_slot(slot);
  if (!s) return CompletionCode::slot_not_enabled;
  if (s->ctx.slot_state == SlotState::disabled_enabled) return CompletionCode::context_state_error;
  for (unsigned dci = 2; dci <= kMaxEndpoints; ++dci) disable_endpoint(*s, dci);
  // §4.6.11: the slot returns to Default, address 0, only EP0 remains.
  s->ctx.slot_state = SlotState::default_state;
  s->ctx.usb_device_address = 0;
  s->ctx.context_entries = 1;
  s->address = 0;
  write_output_context(*s, true);
  return CompletionCode::success;
}

}  // namespace xhci
