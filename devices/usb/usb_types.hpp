// USB 2.0 / USB 3.2 chapter 9 vocabulary shared by device models and host
// controllers: speeds, the setup packet, request and descriptor codes, and
// the result of one transfer as a device answers it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace usb {

enum class Speed : std::uint8_t { low, full, high, super };
const char* to_string(Speed s);

enum class EndpointType : std::uint8_t { control = 0, isochronous = 1, bulk = 2, interrupt = 3 };

constexpr std::uint8_t kEndpointDirIn = 0x80;  // bEndpointAddress bit 7
constexpr std::uint8_t endpoint_number(std::uint8_t address) { return address & 0x0F; }
constexpr bool endpoint_is_in(std::uint8_t address) { return (address & kEndpointDirIn) != 0; }

// bmRequestType (USB 2.0 §9.3.1).
constexpr std::uint8_t kRequestDirIn = 0x80;
constexpr std::uint8_t kRequestTypeMask = 0x60;
constexpr std::uint8_t kRequestTypeStandard = 0x00;
constexpr std::uint8_t kRequestTypeClass = 0x20;
constexpr std::uint8_t kRequestTypeVendor = 0x40;
constexpr std::uint8_t kRecipientMask = 0x1F;
constexpr std::uint8_t kRecipientDevice = 0;
constexpr std::uint8_t kRecipientInterface = 1;
constexpr std::uint8_t kRecipientEndpoint = 2;

// Standard requests (USB 2.0 Table 9-4; USB 3.2 Table 9-4 adds SET_SEL, SET_ISOCH_DELAY).
constexpr std::uint8_t kGetStatus = 0;
constexpr std::uint8_t kClearFeature = 1;
constexpr std::uint8_t kSetFeature = 3;
constexpr std::uint8_t kSetAddress = 5;
constexpr std::uint8_t kGetDescriptor = 6;
constexpr std::uint8_t kSetDescriptor = 7;
constexpr std::uint8_t kGetConfiguration = 8;
constexpr std::uint8_t kSetConfiguration = 9;
constexpr std::uint8_t kGetInterface = 10;
constexpr std::uint8_t kSetInterface = 11;
constexpr std::uint8_t kSynchFrame = 12;
constexpr std::uint8_t kSetSel = 48;
constexpr std::uint8_t kSetIsochDelay = 49;

// Descriptor types (USB 2.0 Table 9-5, USB 3.2 Table 9-6).
constexpr std::uint8_t kDescDevice = 1;
constexpr std::uint8_t kDescConfiguration = 2;
constexpr std::uint8_t kDescString = 3;
constexpr std::uint8_t kDescInterface = 4;
constexpr std::uint8_t kDescEndpoint = 5;
constexpr std::uint8_t kDescDeviceQualifier = 6;
constexpr std::uint8_t kDescOtherSpeedConfiguration = 7;
constexpr std::uint8_t kDescBos = 15;
constexpr std::uint8_t kDescDeviceCapability = 16;
constexpr std::uint8_t kDescSsEndpointCompanion = 48;

// Feature selectors (USB 2.0 Table 9-6, USB 3.2 Table 9-7).
constexpr std::uint16_t kFeatureEndpointHalt = 0;
constexpr std::uint16_t kFeatureDeviceRemoteWakeup = 1;
constexpr std::uint16_t kFeatureTestMode = 2;
constexpr std::uint16_t kFeatureU1Enable = 48;
constexpr std::uint16_t kFeatureU2Enable = 49;
constexpr std::uint16_t kFeatureLtmEnable = 50;

/// The 8-byte SETUP packet (USB 2.0 §9.3).
struct SetupPacket {
  std::uint8_t bmRequestType = 0;
  std::uint8_t bRequest = 0;
  std::uint16_t wValue = 0;
  std::uint16_t wIndex = 0;
  std::uint16_t wLength = 0;

  bool device_to_host() const { return (bmRequestType & kRequestDirIn) != 0; }
  std::uint8_t type() const { return bmRequestType & kRequestTypeMask; }
  std::uint8_t recipient() const { return bmRequestType & kRecipientMask; }
  std::array<std::uint8_t, 8> bytes() const;
  static SetupPacket from_bytes(const std::uint8_t* b);
};

/// How a device answered: ACK (data moved), NAK (not ready: try again),
/// STALL (halted or request not supported), or no answer at all (a
/// transaction error: CRC, timeout, a device that is gone).
enum class Status : std::uint8_t { ack, nak, stall, error };
const char* to_string(Status s);

/// IN transfer: the device sent `data` (at most what was asked for). With
/// ack and less than asked, the transfer ended with a short (or zero-length)
/// packet. With stall or nak, `data` went out before the handshake.
/// `latency` is device time before the first packet could move.
struct InResult {
  Status status = Status::ack;
  std::vector<std::uint8_t> data;
  sim::Picos latency = 0;
};

/// OUT transfer: the device took `accepted` bytes, then answered `status`.
struct OutResult {
  Status status = Status::ack;
  std::uint32_t accepted = 0;
  sim::Picos latency = 0;
};

/// A control transfer: the status of the whole transfer and, for
/// device-to-host requests, the data stage (at most wLength bytes).
struct ControlResult {
  Status status = Status::ack;
  std::vector<std::uint8_t> data;
  sim::Picos latency = 0;
};

}  // namespace usb
