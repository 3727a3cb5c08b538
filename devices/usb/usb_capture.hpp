// A capture of USB traffic as a pcap file in the Linux usbmon binary format
// (LINKTYPE_USB_LINUX_MMAPPED = 220, struct usbmon_packet of 64 bytes): one
// 'S' (submit) and one 'C' (complete) record per transfer, stamped with
// simulated time. Wireshark and tshark decode it, including USB mass storage
// and the SCSI commands inside it when enumeration was captured too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "devices/usb/usb_types.hpp"

namespace usb {

/// One transfer as usbmon sees it (a URB).
struct Urb {
  std::uint64_t id = 0;  // matches a submit to its completion
  EndpointType type = EndpointType::bulk;
  std::uint8_t endpoint = 0;  // bEndpointAddress: number | 0x80 for IN
  std::uint8_t device = 0;    // USB device address
  std::uint32_t length = 0;   // bytes requested
  std::optional<SetupPacket> setup;
  std::int32_t interval = 0;
};

// URB status values as Linux reports them (negative errno).
constexpr std::int32_t kUrbOk = 0;
constexpr std::int32_t kUrbInProgress = -115;  // -EINPROGRESS, on submit
constexpr std::int32_t kUrbStall = -32;        // -EPIPE
constexpr std::int32_t kUrbProtocolError = -71;  // -EPROTO
constexpr std::int32_t kUrbCancelled = -2;     // -ENOENT
constexpr std::int32_t kUrbShutdown = -108;    // -ESHUTDOWN

constexpr int kLinktypeUsbLinuxMmapped = 220;
constexpr std::size_t kUsbmonHeaderSize = 64;

class UsbCapture {
 public:
  /// `bus` is the bus number written in every record.
  explicit UsbCapture(std::uint16_t bus = 1);
  ~UsbCapture();
  UsbCapture(const UsbCapture&) = delete;
  UsbCapture& operator=(const UsbCapture&) = delete;

  /// Creates `path`. Throws std::runtime_error if it cannot be written.
  void open(const std::string& path);
  void close();
  bool is_open() const { return dumper_ != nullptr; }
  std::uint16_t bus() const { return bus_; }
  std::uint64_t records() const { return records_; }

  void submit(const Urb& u, std::span<const std::uint8_t> out_data, sim::Picos t);
  void complete(const Urb& u, std::int32_t status, std::uint32_t actual, std::span<const std::uint8_t> in_data,
                sim::Picos t);

 private:
  void record(const Urb& u, char type, std::int32_t status, std::uint32_t length, std::span<const std::uint8_t> data,
              bool with_setup, char no_data_flag, sim::Picos t);

  std::uint16_t bus_;
  void* pcap_ = nullptr;    // pcap_t
  void* dumper_ = nullptr;  // pcap_dumper_t
  std::uint64_t records_ = 0;
};

}  // namespace usb
