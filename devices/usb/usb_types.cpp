#include "devices/usb/usb_types.hpp"

namespace usb {

const char* to_string(Speed s) {
  switch (s) {
    case Speed::low: return "low";
    case Speed::full: return "full";
    case Speed::high: return "high";
    case Speed::super: return "super";
  }
  return "?";
}

const char* to_string(Status s) {
  switch (s) {
    case Status::ack: return "ack";
    case Status::nak: return "nak";
    case Status::stall: return "stall";
    case Status::error: return "error";
  }
  return "?";
}

std::array<std::uint8_t, 8> SetupPacket::bytes() const {
  return {bmRequestType,
          bRequest,
          static_cast<std::uint8_t>(wValue & 0xFF),
          static_cast<std::uint8_t>(wValue >> 8),
          static_cast<std::uint8_t>(wIndex & 0xFF),
          static_cast<std::uint8_t>(wIndex >> 8),
          static_cast<std::uint8_t>(wLength & 0xFF),
          static_cast<std::uint8_t>(wLength >> 8)};
}

SetupPacket SetupPacket::from_bytes(const std::uint8_t* b) {
  SetupPacket s;
  s.bmRequestType = b[0];
  s.bRequest = b[1];
  s.wValue = static_cast<std::uint16_t>(b[2] | (b[3] << 8));
  s.wIndex = static_cast<std::uint16_t>(b[4] | (b[5] << 8));
  s.wLength = static_cast<std::uint16_t>(b[6] | (b[7] << 8));
  return s;
}

}  // namespace usb
