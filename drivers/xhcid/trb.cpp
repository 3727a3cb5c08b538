#include "drivers/xhcid/trb.hpp"

#include "drivers/hal/error.hpp"
#include "drivers/xhcid/protocol.hpp"

namespace xhcid {

const char* to_string(TrbType t) {
  switch (t) {
    case TrbType::normal: return "Normal";
    case TrbType::setup_stage: return "Setup Stage";
    case TrbType::data_stage: return "Data Stage";
    case TrbType::status_stage: return "Status Stage";
    case TrbType::isoch: return "Isoch";
    case TrbType::link: return "Link";
    case TrbType::event_data: return "Event Data";
    case TrbType::no_op: return "No Op";
    case TrbType::enable_slot: return "Enable Slot";
    case TrbType::disable_slot: return "Disable Slot";
    case TrbType::address_device: return "Address Device";
    case TrbType::configure_endpoint: return "Configure Endpoint";
    case TrbType::evaluate_context: return "Evaluate Context";
    case TrbType::reset_endpoint: return "Reset Endpoint";
    case TrbType::stop_endpoint: return "Stop Endpoint";
    case TrbType::set_tr_dequeue_pointer: return "Set TR Dequeue Pointer";
    case TrbType::reset_device: return "Reset Device";
    case TrbType::no_op_command: return "No Op Command";
    case TrbType::transfer_event: return "Transfer Event";
    case TrbType::command_completion_event: return "Command Completion Event";
    case TrbType::port_status_change_event: return "Port Status Change Event";
    case TrbType::bandwidth_request_event: return "Bandwidth Request Event";
    case TrbType::doorbell_event: return "Doorbell Event";
    case TrbType::host_controller_event: return "Host Controller Event";
    case TrbType::device_notification_event: return "Device Notification Event";
    case TrbType::mfindex_wrap_event: return "MFINDEX Wrap Event";
  }
  return "unknown TRB type";
}

const char* to_string(CompletionCode c) {
  switch (c) {
    case CompletionCode::invalid: return "Invalid";
    case CompletionCode::success: return "Success";
    case CompletionCode::data_buffer_error: return "Data Buffer Error";
    case CompletionCode::babble_detected: return "Babble Detected Error";
    case CompletionCode::usb_transaction_error: return "USB Transaction Error";
    case CompletionCode::trb_error: return "TRB Error";
    case CompletionCode::stall_error: return "Stall Error";
    case CompletionCode::resource_error: return "Resource Error";
    case CompletionCode::bandwidth_error: return "Bandwidth Error";
    case CompletionCode::no_slots_available: return "No Slots Available Error";
    case CompletionCode::invalid_stream_type: return "Invalid Stream Type Error";
    case CompletionCode::slot_not_enabled: return "Slot Not Enabled Error";
    case CompletionCode::endpoint_not_enabled: return "Endpoint Not Enabled Error";
    case CompletionCode::short_packet: return "Short Packet";
    case CompletionCode::ring_underrun: return "Ring Underrun";
    case CompletionCode::ring_overrun: return "Ring Overrun";
    case CompletionCode::vf_event_ring_full: return "VF Event Ring Full Error";
    case CompletionCode::parameter_error: return "Parameter Error";
    case CompletionCode::bandwidth_overrun: return "Bandwidth Overrun Error";
    case CompletionCode::context_state_error: return "Context State Error";
    case CompletionCode::no_ping_response: return "No Ping Response Error";
    case CompletionCode::event_ring_full: return "Event Ring Full Error";
    case CompletionCode::incompatible_device: return "Incompatible Device Error";
    case CompletionCode::missed_service: return "Missed Service Error";
    case CompletionCode::command_ring_stopped: return "Command Ring Stopped";
    case CompletionCode::command_aborted: return "Command Aborted";
    case CompletionCode::stopped: return "Stopped";
    case CompletionCode::stopped_length_invalid: return "Stopped - Length Invalid";
    case CompletionCode::stopped_short_packet: return "Stopped - Short Packet";
    case CompletionCode::max_exit_latency_too_large: return "Max Exit Latency Too Large Error";
  }
  return "unknown completion code";
}

int errno_of(CompletionCode c) {
  switch (c) {
    case CompletionCode::success:
    case CompletionCode::short_packet: return 0;
    case CompletionCode::stall_error: return proto::kEpipe;  // the endpoint halted
    case CompletionCode::no_slots_available: return hal::errc::nospc;
    case CompletionCode::slot_not_enabled:
    case CompletionCode::endpoint_not_enabled: return hal::errc::nodev;
    case CompletionCode::parameter_error:
    case CompletionCode::trb_error:
    case CompletionCode::context_state_error: return hal::errc::inval;
    case CompletionCode::stopped:
    case CompletionCode::stopped_length_invalid:
    case CompletionCode::stopped_short_packet:
    case CompletionCode::command_aborted:
    case CompletionCode::command_ring_stopped: return hal::errc::canceled;
    case CompletionCode::bandwidth_error:
    case CompletionCode::resource_error: return hal::errc::nomem;
    default: return hal::errc::io;
  }
}

namespace {
Trb typed(TrbType t, std::uint32_t flags = 0) {
  Trb trb;
  trb.set_type(t);
  trb.d[3] |= flags;
  return trb;
}
std::uint32_t slot_field(unsigned slot) { return (slot & 0xFFu) << 24; }
std::uint32_t ep_field(unsigned dci) { return (dci & 0x1Fu) << 16; }
std::uint32_t length_field(std::uint32_t length, unsigned td_size) {
  return (length & 0x1FFFF) | ((td_size > kMaxTdSize ? kMaxTdSize : td_size) << 17);  // interrupter target 0
}
}  // namespace

Trb setup_stage_trb(const std::array<std::uint8_t, 8>& setup, Trt trt) {
  Trb t = typed(TrbType::setup_stage, kTrbIdt | (std::uint32_t{static_cast<std::uint8_t>(trt)} << 16));
  t.d[0] = std::uint32_t{setup[0]} | (std::uint32_t{setup[1]} << 8) | (std::uint32_t{setup[2]} << 16) |
           (std::uint32_t{setup[3]} << 24);
  t.d[1] = std::uint32_t{setup[4]} | (std::uint32_t{setup[5]} << 8) | (std::uint32_t{setup[6]} << 16) |
           (std::uint32_t{setup[7]} << 24);
  t.d[2] = 8;
  return t;
}

Trb data_stage_trb(std::uint64_t buffer, std::uint32_t length, bool in, unsigned td_size) {
  Trb t = typed(TrbType::data_stage, kTrbIsp | (in ? kTrbDirIn : 0));
  t.set_parameter(buffer);
  t.d[2] = length_field(length, td_size);
  return t;
}

Trb status_stage_trb(bool in) { return typed(TrbType::status_stage, kTrbIoc | (in ? kTrbDirIn : 0)); }

Trb normal_trb(std::uint64_t buffer, std::uint32_t length, unsigned td_size) {
  Trb t = typed(TrbType::normal, kTrbIsp);
  t.set_parameter(buffer);
  t.d[2] = length_field(length, td_size);
  return t;
}

Trb link_trb(std::uint64_t segment, bool toggle_cycle) {
  Trb t = typed(TrbType::link, toggle_cycle ? kTrbToggleCycle : 0);
  t.set_parameter(segment & ~0xFULL);
  return t;
}

unsigned td_size(std::uint64_t td_length, std::uint64_t through_this_trb, unsigned max_packet, bool last) {
  if (last || max_packet == 0 || through_this_trb >= td_length) return 0;
  const std::uint64_t packets = (td_length - through_this_trb + max_packet - 1) / max_packet;
  return packets > kMaxTdSize ? kMaxTdSize : static_cast<unsigned>(packets);
}

Trb enable_slot_trb(unsigned slot_type) { return typed(TrbType::enable_slot, (slot_type & 0x1Fu) << 16); }
Trb disable_slot_trb(unsigned slot) { return typed(TrbType::disable_slot, slot_field(slot)); }

Trb address_device_trb(std::uint64_t input_context, unsigned slot, bool bsr) {
  Trb t = typed(TrbType::address_device, slot_field(slot) | (bsr ? kTrbBsr : 0));
  t.set_parameter(input_context);
  return t;
}

Trb configure_endpoint_trb(std::uint64_t input_context, unsigned slot, bool deconfigure) {
  Trb t = typed(TrbType::configure_endpoint, slot_field(slot) | (deconfigure ? kTrbDeconfigure : 0));
  if (!deconfigure) t.set_parameter(input_context);
  return t;
}

Trb evaluate_context_trb(std::uint64_t input_context, unsigned slot) {
  Trb t = typed(TrbType::evaluate_context, slot_field(slot));
  t.set_parameter(input_context);
  return t;
}

Trb reset_endpoint_trb(unsigned slot, unsigned dci, bool transfer_state_preserve) {
  return typed(TrbType::reset_endpoint, slot_field(slot) | ep_field(dci) | (transfer_state_preserve ? kTrbTsp : 0));
}

Trb stop_endpoint_trb(unsigned slot, unsigned dci) { return typed(TrbType::stop_endpoint, slot_field(slot) | ep_field(dci)); }

Trb set_tr_dequeue_pointer_trb(unsigned slot, unsigned dci, std::uint64_t dequeue, bool dcs) {
  Trb t = typed(TrbType::set_tr_dequeue_pointer, slot_field(slot) | ep_field(dci));
  t.set_parameter((dequeue & ~0xFULL) | (dcs ? 1u : 0u));  // SCT = 0: no streams
  return t;
}

Trb reset_device_trb(unsigned slot) { return typed(TrbType::reset_device, slot_field(slot)); }
Trb no_op_command_trb() { return typed(TrbType::no_op_command); }

}  // namespace xhcid
