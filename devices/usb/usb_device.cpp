#include "devices/usb/usb_device.hpp"

#include <algorithm>

namespace usb {

namespace {
ControlResult stall() { return ControlResult{Status::stall, {}, 0}; }
ControlResult ack(Bytes data = {}) { return ControlResult{Status::ack, std::move(data), 0}; }
ControlResult truncated(Bytes data, std::uint16_t wLength) {
  if (data.size() > wLength) data.resize(wLength);
  return ack(std::move(data));
}
}  // namespace

UsbDevice::UsbDevice(std::string name, Speed speed) : name_(std::move(name)), speed_(speed) {}

void UsbDevice::set_descriptors(const DeviceInfo& d, const ConfigurationInfo& c, std::vector<std::string> strings) {
  device_info_ = d;
  config_info_ = c;
  strings_ = std::move(strings);
  const bool ss = speed_ == Speed::super;
  device_desc_ = device_descriptor(d);
  config_desc_ = configuration_descriptor(c, ss);
  if (d.bcdUSB >= 0x0210) bos_desc_ = bos_descriptor(ss);
}

void UsbDevice::bus_reset() {
  if (state_ == DeviceState::detached) return;
  state_ = DeviceState::default_state;
  address_ = 0;
  configuration_ = 0;
  alt_setting_.fill(0);
  halted_.fill(false);
  on_reset();
}

void UsbDevice::set_attached(bool attached) {
  if (attached && state_ == DeviceState::detached) {
    state_ = DeviceState::default_state;  // powered; the port reset follows
    address_ = 0;
    configuration_ = 0;
    halted_.fill(false);
    on_reset();
  } else if (!attached) {
    state_ = DeviceState::detached;
  }
}

const EndpointInfo* UsbDevice::endpoint(std::uint8_t address) const {
  for (const auto& i : config_info_.interfaces) {
    if (i.bAlternateSetting != alt_setting_[i.bInterfaceNumber & 0x0F]) continue;
    for (const auto& e : i.endpoints)
      if (e.bEndpointAddress == address) return &e;
  }
  return nullptr;
}

std::uint16_t UsbDevice::max_packet_size(std::uint8_t address) const {
  if ((address & 0x0F) == 0)
    return speed_ == Speed::super ? std::uint16_t{1} << device_info_.bMaxPacketSize0 : device_info_.bMaxPacketSize0;
  const EndpointInfo* e = endpoint(address);
  return e ? e->wMaxPacketSize : 0;
}

bool UsbDevice::halted(std::uint8_t address) const { return halted_[halt_index(address)]; }

void UsbDevice::set_halt(std::uint8_t address, bool on) { halted_[halt_index(address)] = on; }

ControlResult UsbDevice::control(const SetupPacket& s, std::span<const std::uint8_t> data_out) {
  if (state_ == DeviceState::detached) return ControlResult{Status::error, {}, 0};
  // A protocol STALL on the default pipe ends with the next SETUP (USB 2.0 §8.5.3.4).
  if (s.type() == kRequestTypeStandard) return standard_request(s, data_out);
  ControlResult r = class_request(s, data_out);
  if (r.data.size() > s.wLength) r.data.resize(s.wLength);
  return r;
}

InResult UsbDevice::in(std::uint8_t ep, std::uint32_t max_length) {
  const std::uint8_t addr = static_cast<std::uint8_t>(ep | kEndpointDirIn);
  if (state_ != DeviceState::configured || !endpoint(addr)) return InResult{Status::error, {}, 0};
  if (halted(addr)) return InResult{Status::stall, {}, 0};
  InResult r = data_in(ep, max_length);
  if (r.data.size() > max_length) r.data.resize(max_length);
  if (r.status == Status::stall) set_halt(addr, true);
  return r;
}

OutResult UsbDevice::out(std::uint8_t ep, std::span<const std::uint8_t> data) {
  if (state_ != DeviceState::configured || !endpoint(ep)) return OutResult{Status::error, 0, 0};
  if (halted(ep)) return OutResult{Status::stall, 0, 0};
  OutResult r = data_out(ep, data);
  r.accepted = std::min<std::uint32_t>(r.accepted, static_cast<std::uint32_t>(data.size()));
  if (r.status == Status::stall) set_halt(ep, true);
  return r;
}

ControlResult UsbDevice::class_request(const SetupPacket&, std::span<const std::uint8_t>) { return stall(); }
InResult UsbDevice::data_in(std::uint8_t, std::uint32_t) { return InResult{Status::stall, {}, 0}; }
OutResult UsbDevice::data_out(std::uint8_t, std::span<const std::uint8_t>) { return OutResult{Status::stall, 0, 0}; }

ControlResult UsbDevice::standard_request(const SetupPacket& s, std::span<const std::uint8_t> data_out) {
  switch (s.bRequest) {
    case kGetDescriptor:
      if (!s.device_to_host()) return stall();
      return get_descriptor(s);
    case kSetAddress:
      // §9.4.6: in the Configured state the behaviour is unspecified; we STALL.
      if (s.wValue > 127 || s.wIndex != 0 || s.wLength != 0 || state_ == DeviceState::configured) return stall();
      address_ = static_cast<std::uint8_t>(s.wValue);
      state_ = address_ ? DeviceState::address : DeviceState::default_state;
      return ack();
    case kGetConfiguration:
      if (state_ == DeviceState::default_state) return stall();
      return truncated(Bytes{configuration_}, s.wLength);
    case kSetConfiguration: {
      if (state_ == DeviceState::default_state) return stall();
      const auto v = static_cast<std::uint8_t>(s.wValue & 0xFF);
      if (v != 0 && v != config_info_.bConfigurationValue) return stall();
      configuration_ = v;
      state_ = v ? DeviceState::configured : DeviceState::address;
      alt_setting_.fill(0);
      halted_.fill(false);  // §9.4.5: halts and data toggles are reset
      on_configured(v);
      return ack();
    }
    case kGetStatus: return get_status(s);
    case kClearFeature: return feature(s, false);
    case kSetFeature: return feature(s, true);
    case kGetInterface:
    case kSetInterface: {
      if (state_ != DeviceState::configured || s.recipient() != kRecipientInterface) return stall();
      const unsigned ifnum = s.wIndex & 0xFF;
      bool found = false;
      for (const auto& i : config_info_.interfaces) {
        if (i.bInterfaceNumber != ifnum) continue;
        found = true;
        if (s.bRequest == kSetInterface && i.bAlternateSetting == s.wValue) {
          alt_setting_[ifnum & 0x0F] = static_cast<std::uint8_t>(s.wValue);
          // §9.1.1.5: halts of the interface's endpoints are cleared.
          for (const auto& e : i.endpoints) set_halt(e.bEndpointAddress, false);
          return ack();
        }
      }
      if (!found) return stall();
      if (s.bRequest == kGetInterface) return truncated(Bytes{alt_setting_[ifnum & 0x0F]}, s.wLength);
      return stall();  // no such alternate setting
    }
    case kSetSel:
      if (speed_ != Speed::super || data_out.size() != 6) return stall();
      return ack();
    case kSetIsochDelay:
      if (speed_ != Speed::super) return stall();
      return ack();
    default: return stall();
  }
}

ControlResult UsbDevice::get_descriptor(const SetupPacket& s) {
  const auto type = static_cast<std::uint8_t>(s.wValue >> 8);
  const auto index = static_cast<std::uint8_t>(s.wValue & 0xFF);
  switch (type) {
    case kDescDevice: return truncated(device_desc_, s.wLength);
    case kDescConfiguration:
      if (index != 0) return stall();
      return truncated(config_desc_, s.wLength);
    case kDescString:
      if (index == 0) return truncated(langid_descriptor(), s.wLength);
      if (index > strings_.size()) return stall();
      return truncated(string_descriptor(strings_[index - 1]), s.wLength);
    case kDescBos:
      if (bos_desc_.empty()) return stall();
      return truncated(bos_desc_, s.wLength);
    case kDescDeviceQualifier:
      // Only a high-speed capable device operating at full or high speed has one.
      if (speed_ != Speed::high) return stall();
      return truncated(device_qualifier_descriptor(device_info_), s.wLength);
    default: return stall();
  }
}

ControlResult UsbDevice::get_status(const SetupPacket& s) {
  if (!s.device_to_host() || s.wValue != 0 || s.wLength < 2) return stall();
  switch (s.recipient()) {
    case kRecipientDevice: {
      const std::uint8_t self_powered = (config_info_.bmAttributes & 0x40) ? 1 : 0;
      return truncated(Bytes{self_powered, 0}, s.wLength);
    }
    case kRecipientInterface: return truncated(Bytes{0, 0}, s.wLength);
    case kRecipientEndpoint: {
      const auto addr = static_cast<std::uint8_t>(s.wIndex & 0x8F);
      if ((addr & 0x0F) != 0 && !endpoint(addr)) return stall();
      return truncated(Bytes{static_cast<std::uint8_t>(halted(addr) ? 1 : 0), 0}, s.wLength);
    }
    default: return stall();
  }
}

ControlResult UsbDevice::feature(const SetupPacket& s, bool set) {
  if (s.wLength != 0) return stall();
  switch (s.recipient()) {
    case kRecipientDevice:
      if (s.wValue == kFeatureDeviceRemoteWakeup || s.wValue == kFeatureU1Enable || s.wValue == kFeatureU2Enable ||
          s.wValue == kFeatureLtmEnable)
        return ack();
      return stall();
    case kRecipientInterface: return ack();  // FUNCTION_SUSPEND and the like: accepted, no effect
    case kRecipientEndpoint: {
      if (s.wValue != kFeatureEndpointHalt) return stall();
      const auto addr = static_cast<std::uint8_t>(s.wIndex & 0x8F);
      if ((addr & 0x0F) == 0) return ack();
      if (state_ != DeviceState::configured || !endpoint(addr)) return stall();
      set_halt(addr, set);
      if (!set) on_clear_halt(addr);
      return ack();
    }
    default: return stall();
  }
}

}  // namespace usb
