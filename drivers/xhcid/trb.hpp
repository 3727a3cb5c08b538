// Transfer Request Blocks (xHCI 1.2 §4.11, §6.4): the 16-byte unit of the
// command, transfer and event rings; TRB types, completion codes, field
// accessors and builders for every TRB xhcid puts on a ring.
#pragma once

#include <array>
#include <cstdint>

namespace xhcid {

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
};
const char* to_string(CompletionCode c);
/// The errno a failed transfer or command reports to its requester:
/// Stall Error -> EPIPE, USB Transaction Error / Babble -> EIO, ...
int errno_of(CompletionCode c);

inline constexpr unsigned kTrbSize = 16;

// DW3 control bits (§6.4.1, §6.4.3, §6.4.4).
inline constexpr std::uint32_t kTrbCycle = 1u << 0;
inline constexpr std::uint32_t kTrbToggleCycle = 1u << 1;  // Link TRB: TC
inline constexpr std::uint32_t kTrbEnt = 1u << 1;           // Evaluate Next TRB
inline constexpr std::uint32_t kTrbIsp = 1u << 2;           // Interrupt on Short Packet
inline constexpr std::uint32_t kTrbEventData = 1u << 2;     // Transfer Event: ED
inline constexpr std::uint32_t kTrbNoSnoop = 1u << 3;
inline constexpr std::uint32_t kTrbChain = 1u << 4;
inline constexpr std::uint32_t kTrbIoc = 1u << 5;
inline constexpr std::uint32_t kTrbIdt = 1u << 6;           // Immediate Data
inline constexpr std::uint32_t kTrbBsr = 1u << 9;           // Address Device: Block Set Address Request
inline constexpr std::uint32_t kTrbDeconfigure = 1u << 9;   // Configure Endpoint: DC
inline constexpr std::uint32_t kTrbTsp = 1u << 9;           // Reset Endpoint: Transfer State Preserve
inline constexpr std::uint32_t kTrbBei = 1u << 9;           // Block Event Interrupt
inline constexpr std::uint32_t kTrbDirIn = 1u << 16;        // Data/Status Stage: DIR
/// TRB Transfer Length is 17 bits; one TRB's buffer must also not cross a
/// 64 KiB boundary (§6.4.1.1).
inline constexpr std::uint32_t kMaxTrbTransfer = 64 * 1024;
inline constexpr std::uint32_t kMaxTdSize = 31;  // TD Size field, 5 bits (§4.11.2.4)

// Setup Stage TRB Transfer Type (TRT, §6.4.1.2.1).
enum class Trt : std::uint8_t { no_data = 0, out = 2, in = 3 };

struct Trb {
  std::uint32_t d[4] = {0, 0, 0, 0};

  std::uint64_t parameter() const { return d[0] | (std::uint64_t{d[1]} << 32); }
  void set_parameter(std::uint64_t v) {
    d[0] = static_cast<std::uint32_t>(v);
    d[1] = static_cast<std::uint32_t>(v >> 32);
  }
  TrbType type() const { return static_cast<TrbType>((d[3] >> 10) & 0x3F); }
  void set_type(TrbType t) { d[3] = (d[3] & ~(0x3Fu << 10)) | (std::uint32_t{static_cast<std::uint8_t>(t)} << 10); }
  bool cycle() const { return (d[3] & kTrbCycle) != 0; }
  void set_cycle(bool c) { d[3] = c ? (d[3] | kTrbCycle) : (d[3] & ~kTrbCycle); }
  bool flag(std::uint32_t f) const { return (d[3] & f) != 0; }
  void set_flag(std::uint32_t f, bool on = true) { d[3] = on ? (d[3] | f) : (d[3] & ~f); }

  // Event fields (§6.4.2).
  CompletionCode completion_code() const { return static_cast<CompletionCode>(d[2] >> 24); }
  /// Transfer Event: TRB Transfer Length (24 bits) = the residual bytes;
  /// Command Completion Event: the Command Completion Parameter.
  std::uint32_t event_length() const { return d[2] & 0xFFFFFF; }
  std::uint8_t slot_id() const { return static_cast<std::uint8_t>(d[3] >> 24); }
  /// Transfer Event / Reset Endpoint / ...: the Endpoint ID (the DCI).
  std::uint8_t endpoint_id() const { return static_cast<std::uint8_t>((d[3] >> 16) & 0x1F); }
  /// Port Status Change Event: Port ID in bits 31:24 of DW0.
  std::uint8_t port_id() const { return static_cast<std::uint8_t>(d[0] >> 24); }
  /// Normal / Data Stage: TRB Transfer Length (17 bits).
  std::uint32_t transfer_length() const { return d[2] & 0x1FFFF; }
  unsigned td_size() const { return (d[2] >> 17) & 0x1F; }
};
static_assert(sizeof(Trb) == kTrbSize);

// --- Transfer TRBs (§6.4.1) ---------------------------------------------------

/// The 8 setup bytes go in the parameter (IDT = 1, length 8).
Trb setup_stage_trb(const std::array<std::uint8_t, 8>& setup, Trt trt);
Trb data_stage_trb(std::uint64_t buffer, std::uint32_t length, bool in, unsigned td_size);
Trb status_stage_trb(bool in);
Trb normal_trb(std::uint64_t buffer, std::uint32_t length, unsigned td_size);
Trb link_trb(std::uint64_t segment, bool toggle_cycle);
/// TD Size of a TRB (§4.11.2.4): packets still to move after this TRB,
/// capped at 31; 0 on the last TRB of a TD.
unsigned td_size(std::uint64_t td_length, std::uint64_t through_this_trb, unsigned max_packet, bool last);

// --- Command TRBs (§6.4.3) ----------------------------------------------------

Trb enable_slot_trb(unsigned slot_type);
Trb disable_slot_trb(unsigned slot);
Trb address_device_trb(std::uint64_t input_context, unsigned slot, bool bsr);
Trb configure_endpoint_trb(std::uint64_t input_context, unsigned slot, bool deconfigure = false);
Trb evaluate_context_trb(std::uint64_t input_context, unsigned slot);
Trb reset_endpoint_trb(unsigned slot, unsigned dci, bool transfer_state_preserve = false);
Trb stop_endpoint_trb(unsigned slot, unsigned dci);
Trb set_tr_dequeue_pointer_trb(unsigned slot, unsigned dci, std::uint64_t dequeue, bool dcs);
Trb reset_device_trb(unsigned slot);
Trb no_op_command_trb();

}  // namespace xhcid
