#include "devices/usb/usb_capture.hpp"

#include <pcap/pcap.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace usb {

namespace {
constexpr std::uint32_t kUrbDirIn = 0x0200;  // URB_DIR_IN in transfer_flags
constexpr int kSnapLen = 1 << 20;

template <typename T>
void put(std::vector<std::uint8_t>& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);  // host order, as usbmon writes it (little-endian here)
}

std::uint8_t usbmon_type(EndpointType t) {
  switch (t) {
    case EndpointType::isochronous: return 0;
    case EndpointType::interrupt: return 1;
    case EndpointType::control: return 2;
    case EndpointType::bulk: return 3;
  }
  return 3;
}
}  // namespace

UsbCapture::UsbCapture(std::uint16_t bus) : bus_(bus) {}

UsbCapture::~UsbCapture() { close(); }

void UsbCapture::open(const std::string& path) {
  close();
  pcap_t* p = pcap_open_dead(kLinktypeUsbLinuxMmapped, kSnapLen);
  if (!p) throw std::runtime_error("pcap_open_dead failed");
  pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
  if (!d) {
    const std::string why = pcap_geterr(p);
    pcap_close(p);
    throw std::runtime_error("cannot write capture '" + path + "': " + why);
  }
  pcap_ = p;
  dumper_ = d;
}

void UsbCapture::close() {
  if (dumper_) pcap_dump_close(static_cast<pcap_dumper_t*>(dumper_));
  if (pcap_) pcap_close(static_cast<pcap_t*>(pcap_));
  dumper_ = nullptr;
  pcap_ = nullptr;
}

void UsbCapture::submit(const Urb& u, std::span<const std::uint8_t> out_data, sim::Picos t) {
  const bool in = endpoint_is_in(u.endpoint);
  record(u, 'S', kUrbInProgress, u.length, in ? std::span<const std::uint8_t>{} : out_data, u.setup.has_value(),
         in ? '<' : '>', t);
}

void UsbCapture::complete(const Urb& u, std::int32_t status, std::uint32_t actual,
                          std::span<const std::uint8_t> in_data, sim::Picos t) {
  const bool in = endpoint_is_in(u.endpoint);
  record(u, 'C', status, actual, in ? in_data : std::span<const std::uint8_t>{}, false, in ? '<' : '>', t);
}

void UsbCapture::record(const Urb& u, char type, std::int32_t status, std::uint32_t length,
                        std::span<const std::uint8_t> data, bool with_setup, char no_data_flag, sim::Picos t) {
  if (!dumper_) return;
  std::vector<std::uint8_t> b(kUsbmonHeaderSize + data.size(), 0);
  const std::int64_t sec = static_cast<std::int64_t>(t / sim::sec(1));
  const std::int32_t usec = static_cast<std::int32_t>((t % sim::sec(1)) / sim::us(1));
  put<std::uint64_t>(b, 0, u.id);
  b[8] = static_cast<std::uint8_t>(type);
  b[9] = usbmon_type(u.type);
  b[10] = u.endpoint;
  b[11] = u.device;
  put<std::uint16_t>(b, 12, bus_);
  b[14] = with_setup ? 0 : '-';
  b[15] = data.empty() ? static_cast<std::uint8_t>(no_data_flag) : 0;
  put<std::int64_t>(b, 16, sec);
  put<std::int32_t>(b, 24, usec);
  put<std::int32_t>(b, 28, status);
  put<std::uint32_t>(b, 32, length);
  put<std::uint32_t>(b, 36, static_cast<std::uint32_t>(data.size()));
  if (with_setup) {
    const auto s = u.setup->bytes();
    std::memcpy(b.data() + 40, s.data(), 8);
  }
  put<std::int32_t>(b, 48, u.interval);
  put<std::int32_t>(b, 52, 0);  // start_frame
  put<std::uint32_t>(b, 56, endpoint_is_in(u.endpoint) ? kUrbDirIn : 0);
  put<std::uint32_t>(b, 60, 0);  // ndesc
  if (!data.empty()) std::memcpy(b.data() + kUsbmonHeaderSize, data.data(), data.size());
  pcap_pkthdr h{};
  h.ts.tv_sec = static_cast<time_t>(sec);
  h.ts.tv_usec = static_cast<suseconds_t>(usec);
  h.caplen = static_cast<bpf_u_int32>(b.size());
  h.len = static_cast<bpf_u_int32>(b.size());
  pcap_dump(static_cast<u_char*>(dumper_), &h, b.data());
  ++records_;
}

}  // namespace usb
