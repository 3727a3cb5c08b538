// USB 2.0 / USB 3.2 chapter 9 vocabulary for xhcid and its class drivers:
// speeds, the SETUP packet, standard requests, descriptor types, feature
// selectors and class codes. Named as the specifications name them.
#pragma once

#include <array>
#include <cstdint>

namespace xhcid::usb {

enum class Speed : std::uint8_t { unknown = 0, full = 1, low = 2, high = 3, super = 4, super_plus = 5 };
const char* to_string(Speed s);
/// The default max packet size of endpoint 0 before the device descriptor is
/// read (USB 2.0 §5.5.3, USB 3.2 §9.6.1): 8 at low and full speed, 64 at high
/// speed, 512 at SuperSpeed.
constexpr unsigned default_ep0_max_packet(Speed s) {
  return s == Speed::high ? 64u : (s == Speed::super || s == Speed::super_plus) ? 512u : 8u;
}

// bmRequestType (USB 2.0 §9.3.1, Table 9-2).
inline constexpr std::uint8_t kDirIn = 0x80;
inline constexpr std::uint8_t kTypeStandard = 0x00;
inline constexpr std::uint8_t kTypeClass = 0x20;
inline constexpr std::uint8_t kTypeVendor = 0x40;
inline constexpr std::uint8_t kRecipientDevice = 0;
inline constexpr std::uint8_t kRecipientInterface = 1;
inline constexpr std::uint8_t kRecipientEndpoint = 2;

// Standard requests (USB 2.0 Table 9-4).
inline constexpr std::uint8_t kGetStatus = 0;
inline constexpr std::uint8_t kClearFeature = 1;
inline constexpr std::uint8_t kSetFeature = 3;
inline constexpr std::uint8_t kSetAddress = 5;
inline constexpr std::uint8_t kGetDescriptor = 6;
inline constexpr std::uint8_t kGetConfiguration = 8;
inline constexpr std::uint8_t kSetConfiguration = 9;
inline constexpr std::uint8_t kGetInterface = 10;
inline constexpr std::uint8_t kSetInterface = 11;

// Descriptor types (USB 2.0 Table 9-5, USB 3.2 Table 9-6).
inline constexpr std::uint8_t kDescDevice = 1;
inline constexpr std::uint8_t kDescConfiguration = 2;
inline constexpr std::uint8_t kDescString = 3;
inline constexpr std::uint8_t kDescInterface = 4;
inline constexpr std::uint8_t kDescEndpoint = 5;
inline constexpr std::uint8_t kDescDeviceQualifier = 6;
inline constexpr std::uint8_t kDescInterfaceAssociation = 11;
inline constexpr std::uint8_t kDescBos = 15;
inline constexpr std::uint8_t kDescSsEndpointCompanion = 48;

inline constexpr std::uint8_t kDeviceDescriptorSize = 18;
inline constexpr std::uint8_t kConfigurationDescriptorSize = 9;
inline constexpr std::uint8_t kInterfaceDescriptorSize = 9;
inline constexpr std::uint8_t kEndpointDescriptorSize = 7;
inline constexpr std::uint8_t kSsEndpointCompanionSize = 6;

// Feature selectors (USB 2.0 Table 9-6).
inline constexpr std::uint16_t kFeatureEndpointHalt = 0;

// bmAttributes of an endpoint descriptor, Transfer Type (USB 2.0 Table 9-13).
enum class TransferType : std::uint8_t { control = 0, isochronous = 1, bulk = 2, interrupt = 3 };

// Interface class codes (usb.org class codes).
inline constexpr std::uint8_t kClassMassStorage = 0x08;
inline constexpr std::uint8_t kSubclassScsiTransparent = 0x06;  // MSC subclass: SCSI transparent command set
inline constexpr std::uint8_t kProtocolBulkOnly = 0x50;         // MSC protocol: Bulk-Only Transport

/// The 8-byte SETUP packet (USB 2.0 §9.3), little-endian on the wire.
struct SetupPacket {
  std::uint8_t bmRequestType = 0;
  std::uint8_t bRequest = 0;
  std::uint16_t wValue = 0;
  std::uint16_t wIndex = 0;
  std::uint16_t wLength = 0;

  bool device_to_host() const { return (bmRequestType & kDirIn) != 0; }
  std::array<std::uint8_t, 8> bytes() const {
    return {bmRequestType,
            bRequest,
            static_cast<std::uint8_t>(wValue),
            static_cast<std::uint8_t>(wValue >> 8),
            static_cast<std::uint8_t>(wIndex),
            static_cast<std::uint8_t>(wIndex >> 8),
            static_cast<std::uint8_t>(wLength),
            static_cast<std::uint8_t>(wLength >> 8)};
  }
  /// The packet as one little-endian u64 (how it travels in an SQE).
  std::uint64_t to_u64() const {
    const auto b = bytes();
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
    return v;
  }
  static SetupPacket from_u64(std::uint64_t v) {
    SetupPacket s;
    s.bmRequestType = static_cast<std::uint8_t>(v);
    s.bRequest = static_cast<std::uint8_t>(v >> 8);
    s.wValue = static_cast<std::uint16_t>(v >> 16);
    s.wIndex = static_cast<std::uint16_t>(v >> 32);
    s.wLength = static_cast<std::uint16_t>(v >> 48);
    return s;
  }
  friend bool operator==(const SetupPacket&, const SetupPacket&) = default;
};

inline SetupPacket get_descriptor(std::uint8_t type, std::uint8_t index, std::uint16_t length, std::uint16_t lang = 0) {
  return SetupPacket{kDirIn | kTypeStandard | kRecipientDevice, kGetDescriptor,
                     static_cast<std::uint16_t>((type << 8) | index), lang, length};
}
inline SetupPacket set_configuration(std::uint8_t value) {
  return SetupPacket{kTypeStandard | kRecipientDevice, kSetConfiguration, value, 0, 0};
}
inline SetupPacket clear_endpoint_halt(std::uint8_t endpoint_address) {
  return SetupPacket{kTypeStandard | kRecipientEndpoint, kClearFeature, kFeatureEndpointHalt, endpoint_address, 0};
}

}  // namespace xhcid::usb
