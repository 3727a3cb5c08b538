#include "devices/xhci/timing.hpp"

#include <algorithm>

namespace xhci {

namespace {
std::uint64_t packets(std::uint64_t bytes, unsigned mps) { return bytes == 0 ? 1 : (bytes + mps - 1) / mps; }

sim::Picos hs_time(const XhciTiming& t, std::uint64_t bytes, unsigned mps) {
  const std::uint64_t n = packets(bytes, mps);
  const std::uint64_t byte_times = bytes + n * t.hs_transaction_overhead_bytes;
  return sim::transfer_time(byte_times * 8, t.hs_bits_per_second) + n * t.hs_transaction_gap;
}

sim::Picos ss_time(const XhciTiming& t, std::uint64_t bytes, unsigned mps, unsigned burst) {
  const std::uint64_t n = packets(bytes, mps);
  const std::uint64_t bursts = (n + burst - 1) / burst;
  return t.ss_transaction_latency + sim::transfer_time(bytes + n * t.ss_packet_overhead_bytes, t.ss_bytes_per_second) +
         bursts * t.ss_burst_turnaround;
}
}  // namespace

sim::Picos bus_time(const XhciTiming& t, usb::Speed speed, std::uint64_t bytes, unsigned max_packet, unsigned burst) {
  max_packet = std::max(max_packet, 8u);
  burst = std::max(burst, 1u);
  switch (speed) {
    case usb::Speed::super: return ss_time(t, bytes, max_packet, burst);
    case usb::Speed::high: return hs_time(t, bytes, max_packet);
    case usb::Speed::full:
    case usb::Speed::low: {
      // 12 Mb/s (1.5 Mb/s): the same transaction model at the lower rate.
      XhciTiming fs = t;
      fs.hs_bits_per_second = speed == usb::Speed::full ? 12'000'000 : 1'500'000;
      fs.hs_transaction_overhead_bytes = 13;  // USB 2.0 Table 5-9 (full-speed bulk)
      return hs_time(fs, bytes, max_packet);
    }
  }
  return 0;
}

sim::Picos control_time(const XhciTiming& t, usb::Speed speed, std::uint64_t data_bytes, unsigned max_packet) {
  sim::Picos total = bus_time(t, speed, 8, 8, 1);  // SETUP
  if (data_bytes) total += bus_time(t, speed, data_bytes, max_packet, 1);
  total += bus_time(t, speed, 0, max_packet, 1);  // status: zero-length packet
  return total;
}

}  // namespace xhci
