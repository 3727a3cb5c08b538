// Parsing of the standard descriptors (USB 2.0 §9.6, USB 3.2 §9.6): device,
// configuration with its interfaces, endpoints and SuperSpeed Endpoint
// Companions. The bytes come from the device: every length is checked and a
// malformed set is an error (EBADMSG), never an out-of-range read.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "drivers/hal/result.hpp"
#include "drivers/xhcid/usb.hpp"

namespace xhcid::usb {

struct DeviceDescriptor {
  std::uint16_t bcdUSB = 0;
  std::uint8_t bDeviceClass = 0, bDeviceSubClass = 0, bDeviceProtocol = 0;
  std::uint8_t bMaxPacketSize0 = 0;
  std::uint16_t idVendor = 0, idProduct = 0, bcdDevice = 0;
  std::uint8_t iManufacturer = 0, iProduct = 0, iSerialNumber = 0;
  std::uint8_t bNumConfigurations = 0;
};

struct EndpointDescriptor {
  std::uint8_t bEndpointAddress = 0;
  std::uint8_t bmAttributes = 0;
  std::uint16_t wMaxPacketSize = 0;
  std::uint8_t bInterval = 0;
  // SuperSpeed Endpoint Companion (USB 3.2 §9.6.7), when present.
  bool has_companion = false;
  std::uint8_t bMaxBurst = 0;
  std::uint8_t bmAttributes_ss = 0;
  std::uint16_t wBytesPerInterval = 0;

  TransferType type() const { return static_cast<TransferType>(bmAttributes & 3); }
  bool is_in() const { return (bEndpointAddress & kDirIn) != 0; }
  std::uint8_t number() const { return bEndpointAddress & 0x0F; }
  /// wMaxPacketSize bits 10:0 (bits 12:11 are high-bandwidth extra transactions).
  std::uint16_t max_packet_size() const { return wMaxPacketSize & 0x7FF; }
};

struct InterfaceDescriptor {
  std::uint8_t bInterfaceNumber = 0, bAlternateSetting = 0;
  std::uint8_t bInterfaceClass = 0, bInterfaceSubClass = 0, bInterfaceProtocol = 0;
  std::uint8_t iInterface = 0;
  std::vector<EndpointDescriptor> endpoints;
  /// The first endpoint of `type` in the given direction, or nullptr.
  const EndpointDescriptor* find_endpoint(TransferType type, bool in) const;
};

struct ConfigurationDescriptor {
  std::uint16_t wTotalLength = 0;
  std::uint8_t bNumInterfaces = 0;
  std::uint8_t bConfigurationValue = 0;
  std::uint8_t iConfiguration = 0;
  std::uint8_t bmAttributes = 0;
  std::uint8_t bMaxPower = 0;
  std::vector<InterfaceDescriptor> interfaces;  // every alternate setting, in order

  /// Alternate setting 0 of the first interface with this class triple.
  const InterfaceDescriptor* find_interface(std::uint8_t cls, std::uint8_t subclass, std::uint8_t protocol) const;
};

hal::Result<DeviceDescriptor> parse_device_descriptor(std::span<const std::uint8_t> bytes);
/// The first 8 bytes are enough for bMaxPacketSize0 (USB 2.0 §9.6.1).
hal::Result<std::uint8_t> parse_max_packet_size0(std::span<const std::uint8_t> first8);
/// The whole set GET_DESCRIPTOR(CONFIGURATION, wTotalLength) returns.
hal::Result<ConfigurationDescriptor> parse_configuration(std::span<const std::uint8_t> bytes);
/// wTotalLength from the first 9 bytes.
hal::Result<std::uint16_t> parse_total_length(std::span<const std::uint8_t> first9);

/// The max packet size of EP0 a device descriptor gives: bMaxPacketSize0, or
/// 2^bMaxPacketSize0 for SuperSpeed (USB 3.2 §9.6.1).
unsigned ep0_max_packet(std::uint8_t bMaxPacketSize0, Speed speed);

}  // namespace xhcid::usb
