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
std::uint64_t lane_bytes_per_second(unsigned generation);

class PcieLink {
 public:
  PcieLink() = default;
  explicit PcieLink(const PcieLinkParams& p) : p_(p) {}

  const PcieLinkParams& params() const { return p_; }
  std::uint64_t bytes_per_second() const { return lane_bytes_per_second(p_.generation) * p_.lanes; }

  /// Wire time for `bytes` of payload split into TLPs of at most `max_tlp`.
  sim::Picos wire_time(std::uint64_t bytes, unsigned max_tlp) const;

  /// A posted memory write of `bytes` from the device (DMA write, MSI):
  /// serialisation plus one-way latency.
  sim::Picos write_time(std::uint64_t bytes) const { return wire_time(bytes, p_.max_payload) + p_.latency; }
  /// A non-posted read of `bytes`: request TLPs out, completions back.
  sim::Picos read_time(std::uint64_t bytes) const;
  /// A CPU access to the device (config or MMIO) of `bytes`: a request down
  /// and, for reads, a completion back.
  sim::Picos cpu_read_time(unsigned bytes) const { return 2 * p_.latency + wire_time(0, 1) + wire_time(bytes, 4096); }
  sim::Picos cpu_write_time(unsigned bytes) const { return p_.latency + wire_time(bytes, 4096); }

 private:
  PcieLinkParams p_;
};

}  // namespace pci
