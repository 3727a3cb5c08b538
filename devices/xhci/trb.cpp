#include "devices/xhci/trb.hpp"

namespace xhci {

namespace {
std::uint32_t type_bits(TrbType t) { return static_cast<std::uint32_t>(t) << 10; }
std::uint32_t cc_bits(CompletionCode c) { return static_cast<std::uint32_t>(c) << 24; }
}  // namespace

Trb transfer_event(std::uint64_t ptr, std::uint32_t residual, CompletionCode cc, std::uint8_t slot, std::uint8_t ep,
                   bool event_data) {
  Trb t;
  t.set_parameter(ptr);
  t.d[2] = (residual & 0xFFFFFF) | cc_bits(cc);
  t.d[3] = type_bits(TrbType::transfer_event) | (std::uint32_t{ep & 0x1Fu} << 16) | (std::uint32_t{slot} << 24) |
           (event_data ? kTrbEventDataFlag : 0);
  return t;
}

Trb command_completion_event(std::uint64_t ptr, CompletionCode cc, std::uint8_t slot, std::uint32_t parameter) {
  Trb t;
  t.set_parameter(ptr);
  t.d[2] = (parameter & 0xFFFFFF) | cc_bits(cc);
  t.d[3] = type_bits(TrbType::command_completion_event) | (std::uint32_t{slot} << 24);
  return t;
}

Trb port_status_change_event(std::uint8_t port_id) {
  Trb t;
  t.d[0] = std::uint32_t{port_id} << 24;
  t.d[2] = cc_bits(CompletionCode::success);
  t.d[3] = type_bits(TrbType::port_status_change_event);
  return t;
}

Trb host_controller_event(CompletionCode cc) {
  Trb t;
  t.d[2] = cc_bits(cc);
  t.d[3] = type_bits(TrbType::host_controller_event);
  return t;
}

Trb mfindex_wrap_event() {
  Trb t;
  t.d[2] = cc_bits(CompletionCode::success);
  t.d[3] = type_bits(TrbType::mfindex_wrap_event);
  return t;
}

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
    case TrbType::force_event: return "Force Event";
    case TrbType::negotiate_bandwidth: return "Negotiate Bandwidth";
    case TrbType::set_latency_tolerance_value: return "Set Latency Tolerance Value";
    case TrbType::get_port_bandwidth: return "Get Port Bandwidth";
    case TrbType::force_header: return "Force Header";
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
  return "Reserved";
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
    case CompletionCode::isoch_buffer_overrun: return "Isoch Buffer Overrun";
    case CompletionCode::event_lost: return "Event Lost Error";
    case CompletionCode::undefined_error: return "Undefined Error";
    case CompletionCode::invalid_stream_id: return "Invalid Stream ID Error";
    case CompletionCode::secondary_bandwidth_error: return "Secondary Bandwidth Error";
    case CompletionCode::split_transaction_error: return "Split Transaction Error";
  }
  return "Reserved";
}

}  // namespace xhci
