// Device, input and endpoint contexts (xHCI 1.2 §6.2). A context is 32 bytes
// or, with HCCPARAMS1.CSZ = 1, 64 bytes (the upper 32 bytes reserved).
#pragma once

#include <cstdint>

namespace xhci {

// Slot State (§6.2.2, Slot Context DW3 bits 31:27).
enum class SlotState : std::uint8_t { disabled_enabled = 0, default_state = 1, addressed = 2, configured = 3 };
// Endpoint State (§6.2.3, Endpoint Context DW0 bits 2:0).
enum class EpState : std::uint8_t { disabled = 0, running = 1, halted = 2, stopped = 3, error = 4 };
// EP Type (§6.2.3, Endpoint Context DW1 bits 5:3).
enum class EpType : std::uint8_t {
  not_valid = 0,
  isoch_out = 1,
  bulk_out = 2,
  interrupt_out = 3,
  control = 4,
  isoch_in = 5,
  bulk_in = 6,
  interrupt_in = 7
};
const char* to_string(SlotState s);
const char* to_string(EpState s);

constexpr unsigned kMaxEndpoints = 31;  // DCI 1..31

struct SlotContext {
  std::uint32_t route_string = 0;
  std::uint8_t speed = 0;  // deprecated in 1.2, still read
  bool mtt = false, hub = false;
  std::uint8_t context_entries = 0;
  std::uint16_t max_exit_latency = 0;
  std::uint8_t root_hub_port_number = 0;
  std::uint8_t number_of_ports = 0;
  std::uint16_t interrupter_target = 0;
  std::uint8_t usb_device_address = 0;
  SlotState slot_state = SlotState::disabled_enabled;

  static SlotContext decode(const std::uint32_t* dw);
  void encode(std::uint32_t* dw) const;  // writes dwords 0..7
};

struct EndpointContext {
  EpState ep_state = EpState::disabled;
  std::uint8_t mult = 0;
  std::uint8_t max_pstreams = 0;
  bool lsa = false;
  std::uint8_t interval = 0;
  std::uint8_t cerr = 0;
  EpType ep_type = EpType::not_valid;
  bool hid = false;
  std::uint8_t max_burst_size = 0;
  std::uint16_t max_packet_size = 0;
  bool dcs = false;
  std::uint64_t tr_dequeue_pointer = 0;  // 16-byte aligned
  std::uint16_t average_trb_length = 0;
  std::uint32_t max_esit_payload = 0;

  static EndpointContext decode(const std::uint32_t* dw);
  void encode(std::uint32_t* dw) const;
};

struct InputControlContext {
  std::uint32_t drop_flags = 0;  // D2..D31 (D0, D1 reserved)
  std::uint32_t add_flags = 0;   // A0..A31
  std::uint8_t configuration_value = 0, interface_number = 0, alternate_setting = 0;
  static InputControlContext decode(const std::uint32_t* dw);
};

/// Byte offsets in a Device Context (slot at index 0, DCI n at index n) and an
/// Input Context (input control at 0, slot at 1, DCI n at n + 1).
struct ContextLayout {
  unsigned size = 32;  // 32 or 64
  unsigned device_slot() const { return 0; }
  unsigned device_endpoint(unsigned dci) const { return dci * size; }
  unsigned input_control() const { return 0; }
  unsigned input_slot() const { return size; }
  unsigned input_endpoint(unsigned dci) const { return (dci + 1) * size; }
  unsigned device_context_bytes() const { return 32 * size; }
  unsigned input_context_bytes() const { return 33 * size; }
};

/// Device Context Index of an endpoint: 1 for EP0, 2n + direction otherwise.
constexpr unsigned dci_of(std::uint8_t endpoint_address) {
  const unsigned n = endpoint_address & 0x0F;
  return n == 0 ? 1u : 2u * n + ((endpoint_address & 0x80) ? 1u : 0u);
}
constexpr std::uint8_t endpoint_address_of(unsigned dci) {
  return dci <= 1 ? 0 : static_cast<std::uint8_t>((dci / 2) | ((dci & 1) ? 0x80 : 0));
}

}  // namespace xhci
