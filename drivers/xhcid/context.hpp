// Device, input and endpoint contexts (xHCI 1.2 §6.2). A context is 32 bytes
// or, with HCCPARAMS1.CSZ = 1, 64 bytes (the upper 32 reserved).
#pragma once

#include <cstdint>

#include "drivers/hal/dma.hpp"

namespace xhcid {

// Slot State (§6.2.2, Slot Context DW3 31:27).
enum class SlotState : std::uint8_t { disabled_enabled = 0, default_state = 1, addressed = 2, configured = 3 };
// Endpoint State (§6.2.3, DW0 2:0).
enum class EpState : std::uint8_t { disabled = 0, running = 1, halted = 2, stopped = 3, error = 4 };
// EP Type (§6.2.3, DW1 5:3, Table 6-9).
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

inline constexpr unsigned kMaxDci = 31;

struct SlotContext {
  std::uint32_t route_string = 0;
  std::uint8_t speed = 0;
  bool mtt = false, hub = false;
  std::uint8_t context_entries = 0;
  std::uint16_t max_exit_latency = 0;
  std::uint8_t root_hub_port_number = 0;
  std::uint8_t number_of_ports = 0;
  std::uint16_t interrupter_target = 0;
  std::uint8_t usb_device_address = 0;
  SlotState slot_state = SlotState::disabled_enabled;

  void encode(std::uint32_t* dw) const;  // dwords 0..7
  static SlotContext decode(const std::uint32_t* dw);
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
  std::uint64_t tr_dequeue_pointer = 0;
  std::uint16_t average_trb_length = 0;
  std::uint32_t max_esit_payload = 0;

  void encode(std::uint32_t* dw) const;
  static EndpointContext decode(const std::uint32_t* dw);
};

/// Device Context Index (§4.5.1): 1 for EP0, 2 × number + direction (IN = 1).
constexpr unsigned dci_of(std::uint8_t endpoint_address) {
  const unsigned n = endpoint_address & 0x0F;
  return n == 0 ? 1u : 2u * n + ((endpoint_address & 0x80) ? 1u : 0u);
}
constexpr std::uint8_t endpoint_address_of(unsigned dci) {
  return dci <= 1 ? 0 : static_cast<std::uint8_t>((dci / 2) | ((dci & 1) ? 0x80 : 0));
}

/// An Input Context (§6.2.5) in DMA memory: Input Control Context, Slot
/// Context, then EP contexts by DCI.
class InputContext {
 public:
  InputContext() = default;
  InputContext(hal::DmaBuffer memory, unsigned context_size);
  static std::size_t bytes(unsigned context_size) { return 33u * context_size; }

  std::uint64_t phys() const { return mem_.phys; }
  void clear();
  void set_add_flags(std::uint32_t add);
  void set_drop_flags(std::uint32_t drop);
  /// Input Control Context DW7 (used with CIC; kept 0 otherwise).
  void set_configuration(std::uint8_t configuration, std::uint8_t interface, std::uint8_t alternate);
  void set_slot(const SlotContext& s);
  void set_endpoint(unsigned dci, const EndpointContext& e);
  SlotContext slot() const;
  EndpointContext endpoint(unsigned dci) const;
  std::uint32_t add_flags() const;
  std::uint32_t drop_flags() const;

 private:
  hal::DmaBuffer mem_;
  unsigned size_ = 32;
};

/// The output Device Context (§6.2.1) the controller writes.
class DeviceContext {
 public:
  DeviceContext() = default;
  DeviceContext(hal::DmaBuffer memory, unsigned context_size);
  static std::size_t bytes(unsigned context_size) { return 32u * context_size; }

  std::uint64_t phys() const { return mem_.phys; }
  void clear();
  SlotContext slot() const;
  EndpointContext endpoint(unsigned dci) const;

 private:
  hal::DmaBuffer mem_;
  unsigned size_ = 32;
};

}  // namespace xhcid
