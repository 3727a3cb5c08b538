// A minimal host for driving usb::UsbDevice models directly (no controller):
// enumeration, and BOT commands as a class driver would issue them.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "devices/usb/bot.hpp"
#include "devices/usb/mass_storage.hpp"

namespace usbtest {

inline usb::ControlResult req(usb::UsbDevice& d, std::uint8_t type, std::uint8_t request, std::uint16_t value,
                              std::uint16_t index, std::uint16_t length, std::vector<std::uint8_t> out = {}) {
  return d.control(usb::SetupPacket{type, request, value, index, length}, out);
}

inline void enumerate(usb::UsbDevice& d) {
  d.set_attached(true);
  d.bus_reset();
  ASSERT_EQ(req(d, 0x00, usb::kSetAddress, 5, 0, 0).status, usb::Status::ack);
  ASSERT_EQ(req(d, 0x00, usb::kSetConfiguration, 1, 0, 0).status, usb::Status::ack);
}

struct Csw {
  std::uint32_t signature = 0, tag = 0, residue = 0;
  std::uint8_t status = 0xFF;
};

inline Csw parse_csw(const std::vector<std::uint8_t>& v) {
  Csw c;
  if (v.size() != usb::kCswSize) return c;
  std::memcpy(&c.signature, v.data(), 4);
  std::memcpy(&c.tag, v.data() + 4, 4);
  std::memcpy(&c.residue, v.data() + 8, 4);
  c.status = v[12];
  return c;
}

inline usb::Cbw cbw(std::uint32_t tag, std::uint32_t length, bool in, std::vector<std::uint8_t> cdb) {
  usb::Cbw c;
  c.tag = tag;
  c.data_transfer_length = length;
  c.flags = in ? usb::kCbwFlagDataIn : 0;
  c.cb_length = static_cast<std::uint8_t>(cdb.size());
  std::memcpy(c.cb, cdb.data(), cdb.size());
  return c;
}

/// One BOT command: CBW, data phase (in or out), CSW.
struct BotResult {
  usb::Status data_status = usb::Status::ack;
  std::vector<std::uint8_t> data;
  Csw csw;
};

inline BotResult bot(usb::UsbMassStorage& d, std::uint32_t tag, std::vector<std::uint8_t> cdb, std::uint32_t length,
                     bool in, const std::vector<std::uint8_t>& out = {}) {
  BotResult r;
  const auto c = cbw(tag, length, in, std::move(cdb)).bytes();
  EXPECT_EQ(d.out(2, c).status, usb::Status::ack);
  if (length && in) {
    auto x = d.in(1, length);
    r.data_status = x.status;
    r.data = x.data;
  } else if (length) {
    r.data_status = d.out(2, out).status;
  }
  if (r.data_status == usb::Status::stall) {
    req(d, 0x02, usb::kClearFeature, usb::kFeatureEndpointHalt, in ? 0x81 : 0x02, 0);
  }
  r.csw = parse_csw(d.in(1, 13).data);
  return r;
}

inline std::vector<std::uint8_t> rw10(std::uint8_t op, std::uint32_t lba, std::uint16_t blocks) {
  return {op, 0, static_cast<std::uint8_t>(lba >> 24), static_cast<std::uint8_t>(lba >> 16),
          static_cast<std::uint8_t>(lba >> 8), static_cast<std::uint8_t>(lba), 0,
          static_cast<std::uint8_t>(blocks >> 8), static_cast<std::uint8_t>(blocks), 0};
}

}  // namespace usbtest
