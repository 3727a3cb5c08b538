#include "devices/xhci/context.hpp"

namespace xhci {

const char* to_string(SlotState s) {
  switch (s) {
    case SlotState::disabled_enabled: return "Disabled/Enabled";
    case SlotState::default_state: return "Default";
    case SlotState::addressed: return "Addressed";
    case SlotState::configured: return "Configured";
  }
  return "?";
}

const char* to_string(EpState s) {
  switch (s) {
    case EpState::disabled: return "Disabled";
    case EpState::running: return "Running";
    case EpState::halted: return "Halted";
    case EpState::stopped: return "Stopped";
    case EpState::error: return "Error";
  }
  return "?";
}

SlotContext SlotContext::decode(const std::uint32_t* dw) {
  SlotContext s;
  s.route_string = dw[0] & 0xFFFFF;
  s.speed = static_cast<std::uint8_t>((dw[0] >> 20) & 0xF);
  s.mtt = (dw[0] >> 25) & 1;
  s.hub = (dw[0] >> 26) & 1;
  s.context_entries = static_cast<std::uint8_t>(dw[0] >> 27);
  s.max_exit_latency = static_cast<std::uint16_t>(dw[1] & 0xFFFF);
  s.root_hub_port_number = static_cast<std::uint8_t>((dw[1] >> 16) & 0xFF);
  s.number_of_ports = static_cast<std::uint8_t>(dw[1] >> 24);
  s.interrupter_target = static_cast<std::uint16_t>(dw[2] >> 22);
  s.usb_device_address = static_cast<std::uint8_t>(dw[3] & 0xFF);
  s.slot_state = static_cast<SlotState>((dw[3] >> 27) & 0x1F);
  return s;
}

void SlotContext::encode(std::uint32_t* dw) const {
  dw[0] = (route_string & 0xFFFFF) | (std::uint32_t{speed & 0xFu} << 20) | (mtt ? 1u << 25 : 0) |
          (hub ? 1u << 26 : 0) | (std::uint32_t{context_entries & 0x1Fu} << 27);
  dw[1] = max_exit_latency | (std::uint32_t{root_hub_port_number} << 16) | (std::uint32_t{number_of_ports} << 24);
  dw[2] = std::uint32_t{interrupter_target & 0x3FFu} << 22;
  dw[3] = usb_device_address | (static_cast<std::uint32_t>(slot_state) << 27);
  for (int i = 4; i < 8; ++i) dw[i] = 0;
}

EndpointContext EndpointContext::decode(const std::uint32_t* dw) {
  EndpointContext e;
  e.ep_state = static_cast<EpState>(dw[0] & 0x7);
  e.mult = static_cast<std::uint8_t>((dw[0] >> 8) & 0x3);
  e.max_pstreams = static_cast<std::uint8_t>((dw[0] >> 10) & 0x1F);
  e.lsa = (dw[0] >> 15) & 1;
  e.interval = static_cast<std::uint8_t>((dw[0] >> 16) & 0xFF);
  e.cerr = static_cast<std::uint8_t>((dw[1] >> 1) & 0x3);
  e.ep_type = static_cast<EpType>((dw[1] >> 3) & 0x7);
  e.hid = (dw[1] >> 7) & 1;
  e.max_burst_size = static_cast<std::uint8_t>((dw[1] >> 8) & 0xFF);
  e.max_packet_size = static_cast<std::uint16_t>(dw[1] >> 16);
  e.dcs = dw[2] & 1;
  e.tr_dequeue_pointer = (dw[2] & ~0xFu) | (std::uint64_t{dw[3]} << 32);
  e.average_trb_length = static_cast<std::uint16_t>(dw[4] & 0xFFFF);
  e.max_esit_payload = (dw[4] >> 16) | (std::uint32_t{dw[0] >> 24} << 16);
  return e;
}

void EndpointContext::encode(std::uint32_t* dw) const {
  dw[0] = static_cast<std::uint32_t>(ep_state) | (std::uint32_t{mult & 0x3u} << 8) |
          (std::uint32_t{max_pstreams & 0x1Fu} << 10) | (lsa ? 1u << 15 : 0) | (std::uint32_t{interval} << 16) |
          ((max_esit_payload >> 16) << 24);
  dw[1] = (std::uint32_t{cerr & 0x3u} << 1) | (static_cast<std::uint32_t>(ep_type) << 3) | (hid ? 1u << 7 : 0) |
          (std::uint32_t{max_burst_size} << 8) | (std::uint32_t{max_packet_size} << 16);
  dw[2] = static_cast<std::uint32_t>(tr_dequeue_pointer & ~0xFULL) | (dcs ? 1u : 0u);
  dw[3] = static_cast<std::uint32_t>(tr_dequeue_pointer >> 32);
  dw[4] = average_trb_length | ((max_esit_payload & 0xFFFF) << 16);
  for (int i = 5; i < 8; ++i) dw[i] = 0;
}

InputControlContext InputControlContext::decode(const std::uint32_t* dw) {
  InputControlContext c;
  c.drop_flags = dw[0];
  c.add_flags = dw[1];
  c.configuration_value = static_cast<std::uint8_t>(dw[7] & 0xFF);
  c.interface_number = static_cast<std::uint8_t>((dw[7] >> 8) & 0xFF);
  c.alternate_setting = static_cast<std::uint8_t>((dw[7] >> 16) & 0xFF);
  return c;
}

}  // namespace xhci
