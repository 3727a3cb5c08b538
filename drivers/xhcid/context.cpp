#include "drivers/xhcid/context.hpp"

#include <cstring>
#include <stdexcept>

namespace xhcid {

void SlotContext::encode(std::uint32_t* dw) const {
  std::memset(dw, 0, 8 * sizeof(std::uint32_t));
  dw[0] = (route_string & 0xFFFFF) | (std::uint32_t{speed & 0xFu} << 20) | (mtt ? 1u << 25 : 0u) |
          (hub ? 1u << 26 : 0u) | (std::uint32_t{context_entries & 0x1Fu} << 27);
  dw[1] = max_exit_latency | (std::uint32_t{root_hub_port_number} << 16) | (std::uint32_t{number_of_ports} << 24);
  dw[2] = std::uint32_t{interrupter_target & 0x3FFu} << 22;
  dw[3] = usb_device_address | (std::uint32_t{static_cast<std::uint8_t>(slot_state)} << 27);
}

SlotContext SlotContext::decode(const std::uint32_t* dw) {
  SlotContext s;
  s.route_string = dw[0] & 0xFFFFF;
  s.speed = static_cast<std::uint8_t>((dw[0] >> 20) & 0xF);
  s.mtt = (dw[0] >> 25) & 1;
  s.hub = (dw[0] >> 26) & 1;
  s.context_entries = static_cast<std::uint8_t>(dw[0] >> 27);
  s.max_exit_latency = static_cast<std::uint16_t>(dw[1]);
  s.root_hub_port_number = static_cast<std::uint8_t>(dw[1] >> 16);
  s.number_of_ports = static_cast<std::uint8_t>(dw[1] >> 24);
  s.interrupter_target = static_cast<std::uint16_t>(dw[2] >> 22);
  s.usb_device_address = static_cast<std::uint8_t>(dw[3]);
  s.slot_state = static_cast<SlotState>(dw[3] >> 27);
  return s;
}

void EndpointContext::encode(std::uint32_t* dw) const {
  std::memset(dw, 0, 8 * sizeof(std::uint32_t));
  dw[0] = static_cast<std::uint32_t>(ep_state) | (std::uint32_t{mult & 3u} << 8) |
          (std::uint32_t{max_pstreams & 0x1Fu} << 10) | (lsa ? 1u << 15 : 0u) | (std::uint32_t{interval} << 16) |
          (((max_esit_payload >> 16) & 0xFFu) << 24);
  dw[1] = (std::uint32_t{cerr & 3u} << 1) | (std::uint32_t{static_cast<std::uint8_t>(ep_type)} << 3) |
          (hid ? 1u << 7 : 0u) | (std::uint32_t{max_burst_size} << 8) | (std::uint32_t{max_packet_size} << 16);
  dw[2] = static_cast<std::uint32_t>(tr_dequeue_pointer & ~0xFULL) | (dcs ? 1u : 0u);
  dw[3] = static_cast<std::uint32_t>(tr_dequeue_pointer >> 32);
  dw[4] = average_trb_length | ((max_esit_payload & 0xFFFFu) << 16);
}

EndpointContext EndpointContext::decode(const std::uint32_t* dw) {
  EndpointContext e;
  e.ep_state = static_cast<EpState>(dw[0] & 7);
  e.mult = static_cast<std::uint8_t>((dw[0] >> 8) & 3);
  e.max_pstreams = static_cast<std::uint8_t>((dw[0] >> 10) & 0x1F);
  e.lsa = (dw[0] >> 15) & 1;
  e.interval = static_cast<std::uint8_t>(dw[0] >> 16);
  e.cerr = static_cast<std::uint8_t>((dw[1] >> 1) & 3);
  e.ep_type = static_cast<EpType>((dw[1] >> 3) & 7);
  e.hid = (dw[1] >> 7) & 1;
  e.max_burst_size = static_cast<std::uint8_t>(dw[1] >> 8);
  e.max_packet_size = static_cast<std::uint16_t>(dw[1] >> 16);
  e.dcs = dw[2] & 1;
  e.tr_dequeue_pointer = (dw[2] & ~0xFu) | (std::uint64_t{dw[3]} << 32);
  e.average_trb_length = static_cast<std::uint16_t>(dw[4]);
  e.max_esit_payload = (dw[4] >> 16) | (((dw[0] >> 24) & 0xFFu) << 16);
  return e;
}

namespace {
void put(const hal::DmaBuffer& m, std::size_t off, const std::uint32_t* dw) { std::memcpy(m.slice(off, 32).data, dw, 32); }
void get(const hal::DmaBuffer& m, std::size_t off, std::uint32_t* dw) { std::memcpy(dw, m.slice(off, 32).data, 32); }
void check_size(unsigned s) {
  if (s != 32 && s != 64) throw std::invalid_argument("context size must be 32 or 64");
}
}  // namespace

InputContext::InputContext(hal::DmaBuffer memory, unsigned context_size) : mem_(memory), size_(context_size) {
  check_size(size_);
  if (mem_.size < bytes(size_) || (mem_.phys & 0x3F)) throw std::invalid_argument("input context: bad memory");
}

void InputContext::clear() { std::memset(mem_.data, 0, bytes(size_)); }

void InputContext::set_add_flags(std::uint32_t add) { mem_.store<std::uint32_t>(4, add); }
void InputContext::set_drop_flags(std::uint32_t drop) { mem_.store<std::uint32_t>(0, drop & ~3u); }
std::uint32_t InputContext::add_flags() const { return mem_.load<std::uint32_t>(4); }
std::uint32_t InputContext::drop_flags() const { return mem_.load<std::uint32_t>(0); }

void InputContext::set_configuration(std::uint8_t configuration, std::uint8_t interface, std::uint8_t alternate) {
  mem_.store<std::uint32_t>(28, configuration | (std::uint32_t{interface} << 8) | (std::uint32_t{alternate} << 16));
}

void InputContext::set_slot(const SlotContext& s) {
  std::uint32_t dw[8];
  s.encode(dw);
  put(mem_, size_, dw);
}

void InputContext::set_endpoint(unsigned dci, const EndpointContext& e) {
  if (dci < 1 || dci > kMaxDci) throw std::invalid_argument("input context: bad DCI");
  std::uint32_t dw[8];
  e.encode(dw);
  put(mem_, std::size_t{dci + 1} * size_, dw);
}

SlotContext InputContext::slot() const {
  std::uint32_t dw[8];
  get(mem_, size_, dw);
  return SlotContext::decode(dw);
}

EndpointContext InputContext::endpoint(unsigned dci) const {
  std::uint32_t dw[8];
  get(mem_, std::size_t{dci + 1} * size_, dw);
  return EndpointContext::decode(dw);
}

DeviceContext::DeviceContext(hal::DmaBuffer memory, unsigned context_size) : mem_(memory), size_(context_size) {
  check_size(size_);
  if (mem_.size < bytes(size_) || (mem_.phys & 0x3F)) throw std::invalid_argument("device context: bad memory");
}

void DeviceContext::clear() { std::memset(mem_.data, 0, bytes(size_)); }

SlotContext DeviceContext::slot() const {
  std::uint32_t dw[8];
  get(mem_, 0, dw);
  return SlotContext::decode(dw);
}

EndpointContext DeviceContext::endpoint(unsigned dci) const {
  std::uint32_t dw[8];
  get(mem_, std::size_t{dci} * size_, dw);
  return EndpointContext::decode(dw);
}

}  // namespace xhcid
