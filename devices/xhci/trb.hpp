// Transfer Request Blocks (xHCI 1.2 §4.11, §6.4): the 16-byte unit of every
// ring, their types, fields and the completion codes of events.
#pragma once

#include <cstdint>

namespace xhci {

enum class TrbType : std::uint8_t {
  // Transfer ring (§6.4.1)
  normal = 1,
  setup_stage = 2,
  data_stage = 3,
  status_stage = 4,
  isoch = 5,
  link = 6,
  event_data = 7,
  no_op = 8,
  // Command ring (§6.4.3)
  enable_slot = 9,
  disable_slot = 10,
  address_device = 11,
  configure_endpoint = 12,
  evaluate_context = 13,
  reset_endpoint = 14,
  stop_endpoint = 15,
  set_tr_dequeue_pointer = 16,
  reset_device = 17,
  force_event = 18,
  negotiate_bandwidth = 19,
  set_latency_tolerance_value = 20,
  get_port_bandwidth = 21,
  force_header = 22,
  no_op_command = 23,
  // Event ring (§6.4.2)
  transfer_event = 32,
  command_completion_event = 33,
  port_status_change_event = 34,
  bandwidth_request_event = 35,
  doorbell_event = 36,
  host_controller_event = 37,
  device_notification_event = 38,
  mfindex_wrap_event = 39,
};
const char* to_string(TrbType t);

/// Completion codes (§6.4.5, Table 6-90).
enum class CompletionCode : std::uint8_t {
  invalid = 0,
  success = 1,
  data_buffer_error = 2,
  babble_detected = 3,
  usb_transaction_error = 4,
  trb_error = 5,
  stall_error = 6,
  resource_error = 7,
  bandwidth_error = 8,
  no_slots_available = 9,
  invalid_stream_type = 10,
  slot_not_enabled = 11,
  endpoint_not_enabled = 12,
  short_packet = 13,
  ring_underrun = 14,
  ring_overrun = 15,
  vf_event_ring_full = 16,
  parameter_error = 17,
  bandwidth_overrun = 18,
  context_state_error = 19,
  no_ping_response = 20,
  event_ring_full = 21,
  incompatible_device = 22,
  missed_service = 23,
  command_ring_stopped = 24,
  command_aborted = 25,
  stopped = 26,
  stopped_length_invalid = 27,
  stopped_short_packet = 28,
  max_exit_latency_too_large = 29,
  isoch_buffer_overrun = 31,
  event_lost = 32,
  undefined_error = 33,
  invalid_stream_id = 34,
  secondary_bandwidth_error = 35,
  split_transaction_error = 36,
};
const char* to_string(CompletionCode c);

constexpr unsigned kTrbSize = 16;

// Control dword (DW3) bits shared by several TRB types.
constexpr std::uint32_t kTrbCycle = 1u << 0;
constexpr std::uint32_t kTrbToggleCycle = 1u << 1;  // Link TRB: TC
constexpr std::uint32_t kTrbEnt = 1u << 1;          // Evaluate Next TRB
constexpr std::uint32_t kTrbIsp = 1u << 2;          // Interrupt on Short Packet
constexpr std::uint32_t kTrbEventDataFlag = 1u << 2;  // Transfer Event: ED
constexpr std::uint32_t kTrbNoSnoop = 1u << 3;
constexpr std::uint32_t kTrbChain = 1u << 4;
constexpr std::uint32_t kTrbIoc = 1u << 5;
constexpr std::uint32_t kTrbIdt = 1u << 6;          // Immediate Data
constexpr std::uint32_t kTrbBsr = 1u << 9;          // Address Device: Block Set Address Request
constexpr std::uint32_t kTrbDeconfigure = 1u << 9;  // Configure Endpoint: DC
constexpr std::uint32_t kTrbTsp = 1u << 9;          // Reset Endpoint: Transfer State Preserve
constexpr std::uint32_t kTrbBei = 1u << 9;          // Block Event Interrupt
constexpr std::uint32_t kTrbDirIn = 1u << 16;       // Data/Status Stage: DIR
constexpr std::uint32_t kTrbSuspend = 1u << 23;     // Stop Endpoint: SP

// Setup Stage TRB Transfer Type (TRT, §6.4.1.2.1).
constexpr unsigned kTrtNoData = 0, kTrtOut = 2, kTrtIn = 3;

struct Trb {
  std::uint32_t d[4] = {0, 0, 0, 0};

  std::uint64_t parameter() const { return d[0] | (std::uint64_t{d[1]} << 32); }
  void set_parameter(std::uint64_t v) {
    d[0] = static_cast<std::uint32_t>(v);
    d[1] = static_cast<std::uint32_t>(v >> 32);
  }
  std::uint32_t status() const { return d[2]; }
  std::uint32_t control() const { return d[3]; }
  TrbType type() const { return static_cast<TrbType>((d[3] >> 10) & 0x3F); }
  unsigned raw_type() const { return (d[3] >> 10) & 0x3F; }
  void set_type(TrbType t) { d[3] = (d[3] & ~(0x3Fu << 10)) | (static_cast<std::uint32_t>(t) << 10); }
  bool cycle() const { return d[3] & kTrbCycle; }
  void set_cycle(bool c) { d[3] = c ? (d[3] | kTrbCycle) : (d[3] & ~kTrbCycle); }
  bool flag(std::uint32_t f) const { return (d[3] & f) != 0; }

  std::uint8_t slot_id() const { return static_cast<std::uint8_t>(d[3] >> 24); }
  std::uint8_t endpoint_id() const { return static_cast<std::uint8_t>((d[3] >> 16) & 0x1F); }
  /// TRB Transfer Length (17 bits) of Normal, Data Stage, Setup Stage TRBs.
  std::uint32_t transfer_length() const { return d[2] & 0x1FFFF; }
  unsigned interrupter_target() const { return d[2] >> 22; }
  unsigned trt() const { return (d[3] >> 16) & 0x3; }
};
static_assert(sizeof(Trb) == kTrbSize);

// Event TRB builders (§6.4.2).
Trb transfer_event(std::uint64_t trb_pointer, std::uint32_t residual, CompletionCode cc, std::uint8_t slot,
                   std::uint8_t endpoint_id, bool event_data);
Trb command_completion_event(std::uint64_t command_pointer, CompletionCode cc, std::uint8_t slot,
                             std::uint32_t parameter = 0);
Trb port_status_change_event(std::uint8_t port_id);
Trb host_controller_event(CompletionCode cc);
Trb mfindex_wrap_event();

}  // namespace xhci
