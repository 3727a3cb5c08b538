// The USB device framework: what a host controller sees of a device, and the
// standard-request handling (USB 2.0 §9.4, USB 3.2 §9.4) every device shares.
//
// A host controller drives a device with:
//   bus_reset()             reset signalling on the port (address 0, unconfigured)
//   control(setup, out)     a whole control transfer on endpoint 0
//   in(ep, max) / out(ep)   a bulk or interrupt transfer on endpoint `ep`
// A derived device supplies its descriptors (set in its constructor) and the
// hooks for class requests and data endpoints. Endpoint halts are kept here:
// a halted endpoint STALLs until CLEAR_FEATURE(ENDPOINT_HALT).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "devices/usb/descriptors.hpp"
#include "devices/usb/usb_types.hpp"

namespace usb {

enum class DeviceState : std::uint8_t { detached, default_state, address, configured };

class UsbDevice {
 public:
  UsbDevice(std::string name, Speed speed);
  virtual ~UsbDevice() = default;
  UsbDevice(const UsbDevice&) = delete;
  UsbDevice& operator=(const UsbDevice&) = delete;

  const std::string& name() const { return name_; }
  Speed speed() const { return speed_; }
  DeviceState state() const { return state_; }
  std::uint8_t address() const { return address_; }
  std::uint8_t configuration() const { return configuration_; }

  // --- host side ---------------------------------------------------------
  /// Port reset: the device returns to the Default state, address 0.
  void bus_reset();
  /// The port went away (detach) or came (attach).
  void set_attached(bool attached);
  ControlResult control(const SetupPacket& setup, std::span<const std::uint8_t> data_out);
  /// `endpoint` is the endpoint number (1..15); the direction is the call.
  InResult in(std::uint8_t endpoint, std::uint32_t max_length);
  OutResult out(std::uint8_t endpoint, std::span<const std::uint8_t> data);
  bool halted(std::uint8_t endpoint_address) const;
  /// wMaxPacketSize of an endpoint of the active configuration (EP0: bMaxPacketSize0).
  std::uint16_t max_packet_size(std::uint8_t endpoint_address) const;
  /// The descriptor of an endpoint in the device's configuration, if any.
  const EndpointInfo* endpoint(std::uint8_t endpoint_address) const;

  /// Called when an endpoint that answered NAK has something to say.
  void on_endpoint_ready(std::function<void(std::uint8_t endpoint_address)> cb) { ready_ = std::move(cb); }

 protected:
  /// Set-up, called by the derived constructor.
  void set_descriptors(const DeviceInfo& d, const ConfigurationInfo& c, std::vector<std::string> strings);

  /// Class and vendor requests; the default STALLs.
  virtual ControlResult class_request(const SetupPacket& setup, std::span<const std::uint8_t> data_out);
  virtual InResult data_in(std::uint8_t endpoint, std::uint32_t max_length);
  virtual OutResult data_out(std::uint8_t endpoint, std::span<const std::uint8_t> data);
  virtual void on_reset() {}
  virtual void on_configured(std::uint8_t value) {}
  /// CLEAR_FEATURE(ENDPOINT_HALT) arrived for `endpoint_address`.
  virtual void on_clear_halt(std::uint8_t endpoint_address) {}
  /// A device function may halt its own endpoint (BOT does).
  void set_halt(std::uint8_t endpoint_address, bool on);
  void endpoint_ready(std::uint8_t endpoint_address) {
    if (ready_) ready_(endpoint_address);
  }

 private:
  ControlResult standard_request(const SetupPacket& s, std::span<const std::uint8_t> data_out);
  ControlResult get_descriptor(const SetupPacket& s);
  ControlResult get_status(const SetupPacket& s);
  ControlResult feature(const SetupPacket& s, bool set);
  static unsigned halt_index(std::uint8_t address) { return (address & 0x0F) * 2 + ((address & 0x80) ? 1 : 0); }

  std::string name_;
  Speed speed_;
  DeviceState state_ = DeviceState::detached;
  std::uint8_t address_ = 0;
  std::uint8_t configuration_ = 0;
  std::array<std::uint8_t, 16> alt_setting_{};
  DeviceInfo device_info_;
  ConfigurationInfo config_info_;
  Bytes device_desc_, config_desc_, bos_desc_;
  std::vector<std::string> strings_;
  std::array<bool, 32> halted_{};
  std::function<void(std::uint8_t)> ready_;
};

}  // namespace usb
