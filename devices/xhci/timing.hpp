// The timing profile of the controller and its USB links: how long a
// transfer occupies the bus at high speed (USB 2.0) and SuperSpeed (USB 3.x),
// and the controller's own latencies. Sources and calibration in
// docs/devices/xhci.md.
#pragma once

#include <cstdint>

#include "devices/usb/usb_types.hpp"
#include "sim/core/time.hpp"

namespace xhci {

struct XhciTiming {
  // Controller.
  sim::Picos reset_time = sim::us(10);         // HCRST until CNR clears
  sim::Picos halt_time = sim::us(2);           // R/S=0 until HCH (spec: within 16 microframes)
  sim::Picos start_time = sim::us(1);          // R/S=1 until HCH clears
  sim::Picos command_time = sim::ns(500);      // per command, beyond its DMA
  sim::Picos doorbell_latency = sim::ns(100);  // doorbell write to ring fetch
  sim::Picos usb2_port_reset = sim::ms(50);    // TDRSTR, USB 2.0 §7.1.7.5
  sim::Picos usb3_port_reset = sim::ms(1);     // hot reset, tReset (USB 3.2 §7.5.7 order of magnitude)
  sim::Picos usb3_link_training = sim::us(100);  // Rx.Detect to U0 after connect
  sim::Picos port_resume = sim::ms(20);        // TDRSMDN, USB 2.0 §7.1.7.7

  // High speed: 480 Mb/s; each transaction carries the protocol overhead of
  // USB 2.0 Table 5-10 (55 byte times for bulk) plus the host controller's
  // per-transaction scheduling gap (calibrated, see the docs).
  std::uint64_t hs_bits_per_second = 480'000'000;
  unsigned hs_transaction_overhead_bytes = 55;
  sim::Picos hs_transaction_gap = sim::ps(3'500'000);
  sim::Picos microframe = sim::us(125);

  // SuperSpeed: 5 Gb/s with 8b/10b = 500 MB/s of symbols. A data packet costs
  // its Data Packet Header (16 bytes + 4 framing) and the payload's framing
  // and CRC-32 (12 bytes); a burst (bMaxBurst+1 packets) costs one ACK/flow
  // control turnaround.
  std::uint64_t ss_bytes_per_second = 500'000'000;
  unsigned ss_packet_overhead_bytes = 32;
  sim::Picos ss_burst_turnaround = sim::ns(1'000);
  sim::Picos ss_transaction_latency = sim::ns(1'500);  // request to first data (ACK TP / ERDY round trip)
};

/// Bus time of one transfer of `bytes` on an endpoint with `max_packet`
/// (bursts of `burst` packets at SuperSpeed), including a zero-length
/// packet when `bytes` is 0.
sim::Picos bus_time(const XhciTiming& t, usb::Speed speed, std::uint64_t bytes, unsigned max_packet, unsigned burst);

/// Bus time of a control transfer: SETUP, data stage, status stage.
sim::Picos control_time(const XhciTiming& t, usb::Speed speed, std::uint64_t data_bytes, unsigned max_packet);

}  // namespace xhci
