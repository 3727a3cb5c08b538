#include "devices/pci/pcie_link.hpp"

namespace pci {

std::uint64_t lane_bytes_per_second(unsigned generation) {
  switch (generation) {
    case 1: return 250'000'000ULL;          // 2.5 GT/s, 8b/10b
    case 2: return 500'000'000ULL;          // 5 GT/s, 8b/10b
    case 3: return 984'615'384ULL;          // 8 GT/s, 128b/130b
    case 4: return 1'969'230'769ULL;        // 16 GT/s
    case 5: return 3'938'461'538ULL;        // 32 GT/s
    default: return 984'615'384ULL;
  }
}

sim::Picos PcieLink::wire_time(std::uint64_t bytes, unsigned max_tlp) const {
  if (max_tlp == 0) max_tlp = 128;
  const std::uint64_t tlps = bytes == 0 ? 1 : (bytes + max_tlp - 1) / max_tlp;
  return sim::transfer_time(bytes + tlps * kTlpOverheadBytes, bytes_per_second());
}

sim::Picos PcieLink::read_time(std::uint64_t bytes) const {
  const std::uint64_t requests = bytes == 0 ? 1 : (bytes + p_.max_read_request - 1) / p_.max_read_request;
  // Requests are header-only TLPs; the completions carry the data.
  return 2 * p_.latency + sim::transfer_time(requests * kTlpOverheadBytes, bytes_per_second()) +
         wire_time(bytes, p_.max_payload);
}

}  // namespace pci
