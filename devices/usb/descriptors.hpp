// Standard descriptors (USB 2.0 §9.6, USB 3.2 §9.6) built from plain
// structs into the byte layout a host reads with GET_DESCRIPTOR.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "devices/usb/usb_types.hpp"

namespace usb {

using Bytes = std::vector<std::uint8_t>;

struct DeviceInfo {
  std::uint16_t bcdUSB = 0x0200;
  std::uint8_t bDeviceClass = 0, bDeviceSubClass = 0, bDeviceProtocol = 0;
  std::uint8_t bMaxPacketSize0 = 64;  // 9 (meaning 2^9 = 512) for SuperSpeed
  std::uint16_t idVendor = 0, idProduct = 0, bcdDevice = 0x0100;
  std::uint8_t iManufacturer = 0, iProduct = 0, iSerialNumber = 0;
  std::uint8_t bNumConfigurations = 1;
};

struct EndpointInfo {
  std::uint8_t bEndpointAddress = 0;
  EndpointType type = EndpointType::bulk;
  std::uint16_t wMaxPacketSize = 512;
  std::uint8_t bInterval = 0;
  // SuperSpeed Endpoint Companion (USB 3.2 §9.6.7), emitted for SuperSpeed.
  std::uint8_t bMaxBurst = 0;       // 0..15: bursts of bMaxBurst+1 packets
  std::uint8_t bmAttributes_ss = 0;  // bulk: MaxStreams
};

struct InterfaceInfo {
  std::uint8_t bInterfaceNumber = 0, bAlternateSetting = 0;
  std::uint8_t bInterfaceClass = 0, bInterfaceSubClass = 0, bInterfaceProtocol = 0;
  std::uint8_t iInterface = 0;
  std::vector<EndpointInfo> endpoints;
};

struct ConfigurationInfo {
  std::uint8_t bConfigurationValue = 1;
  std::uint8_t iConfiguration = 0;
  std::uint8_t bmAttributes = 0x80;  // bit 7 reserved (set to one); 0x40 self-powered
  std::uint8_t bMaxPower = 50;       // 2 mA units (8 mA at SuperSpeed)
  std::vector<InterfaceInfo> interfaces;
};

constexpr std::size_t kDeviceDescriptorSize = 18;
constexpr std::size_t kConfigurationDescriptorSize = 9;
constexpr std::size_t kInterfaceDescriptorSize = 9;
constexpr std::size_t kEndpointDescriptorSize = 7;
constexpr std::size_t kSsCompanionDescriptorSize = 6;

Bytes device_descriptor(const DeviceInfo& d);
/// The configuration descriptor with all its interfaces, endpoints and (when
/// `superspeed`) SuperSpeed Endpoint Companions; wTotalLength filled in.
Bytes configuration_descriptor(const ConfigurationInfo& c, bool superspeed);
/// String descriptor 0: the LANGID list (US English, 0x0409).
Bytes langid_descriptor();
/// A string descriptor holding `ascii` as UTF-16LE.
Bytes string_descriptor(std::string_view ascii);
/// BOS (USB 3.2 §9.6.2) with a USB 2.0 Extension capability and, when
/// `superspeed`, a SuperSpeed USB Device Capability (§9.6.2.2).
Bytes bos_descriptor(bool superspeed);
/// Device Qualifier (USB 2.0 §9.6.2), for high-speed capable devices.
Bytes device_qualifier_descriptor(const DeviceInfo& d);

}  // namespace usb
