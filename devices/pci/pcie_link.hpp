// PCI Express link timing: the time a transaction layer packet (TLP) takes to
// cross a link of a given generation and width. Figures from the PCIe Base
// Specification: 2.5/5 GT/s use 8b/10b encoding, 8/16/32 GT/s use 128b/130b.
// Per-TLP overhead: 4 bytes framing (STP/END), 2 bytes sequence number,
// 16 bytes header (4DW, 64-bit addressing), 4 bytes LCRC = 26 bytes.
// Flow-control and ACK DLLPs are not modelled.
#pragma once

#include <cstdint>

#include "sim/core/time.hpp"

namespace pci {

struct PcieLinkParams {
  unsigned generation = 3;        // 1..5
  unsigned lanes = 4;             // 1..16
  unsigned max_payload = 256;     // bytes per TLP for writes and completions
  unsigned max_read_request = 512;
  sim::Picos latency = sim::ns(500);  // one-way, per transaction (switch/root port/controller)
};

constexpr unsigned kTlpOverheadBytes = 26;

/// Data rate of one lane after encoding, in bytes per second.
constexpr std::uint64_t lane_bytes_per_second(unsigned generation) {
  switch (generation) {
    case 1: return 250'000'000ULL;          // 2.5 GT/s, 8b/10b
    case 2: return 500'000'000ULL;          // 5 GT/s, 8b/10b
    case 3: return 984'615'384ULL;          // 8 GT/s, 128b/130b
    case 4: return 1'969'230'769ULL;        // 16 GT/s
    case 5: return 3'938'461'538ULL;        // 32 GT/s
    default: return 984'615'384ULL;
  }
}

class PcieLink {
 public:
  PcieLink() = default;
  explicit PcieLink(const PcieLinkParams& p) : p_(p), bps_(rate(p)) {}

  const PcieLinkParams& params() const { return p_; }
  std::uint64_t bytes_per_second() const { return bps_; }

  /// Wire time for `bytes` of payload split into TLPs of at most `max_tlp`.
  /// Inline, as the link times below: several are computed per DMA.
  sim::Picos wire_time(std::uint64_t bytes, unsigned max_tlp) const {
    if (max_tlp == 0) max_tlp = 128;
    const std::uint64_t tlps = bytes == 0 ? 1 : (bytes + max_tlp - 1) / max_tlp;
    return sim::transfer_time(bytes + tlps * kTlpOverheadBytes, bps_);
  }

  /// A posted memory write of `bytes` from the device (DMA write, MSI):
  /// serialisation plus one-way latency.
  sim::Picos write_time(std::uint64_t bytes) const { return wire_time(bytes, p_.max_payload) + p_.latency; }
  /// A non-posted read of `bytes`: request TLPs out, completions back.
  sim::Picos read_time(std::uint64_t bytes) const {
    const std::uint64_t requests = bytes == 0 ? 1 : (bytes + p_.max_read_request - 1) / p_.max_read_request;
    // Requests are header-only TLPs; the completions carry the data.
    return 2 * p_.latency + sim::transfer_time(requests * kTlpOverheadBytes, bps_) + wire_time(bytes, p_.max_payload);
  }
  /// A CPU access to the device (config or MMIO) of `bytes`: a request down
  /// and, for reads, a completion back.
  sim::Picos cpu_read_time(unsigned bytes) const { return 2 * p_.latency + wire_time(0, 1) + wire_time(bytes, 4096); }
  sim::Picos cpu_write_time(unsigned bytes) const { return p_.latency + wire_time(bytes, 4096); }

 private:
  static constexpr std::uint64_t rate(const PcieLinkParams& p) { return lane_bytes_per_second(p.generation) * p.lanes; }

  PcieLinkParams p_;
  std::uint64_t bps_ = rate(PcieLinkParams{});  // bytes per second of the whole link
};

}  // namespace pci
