// The PRP walker (§4.3): turns PRP Entry 1, PRP Entry 2 and a length into
// the host memory segments of a data buffer, reading PRP lists from host
// memory. Rules:
//  - PRP1 may carry an offset into its page (dword aligned, bits 1:0 = 0).
//  - If the rest fits in one page, PRP2 is a data pointer with offset 0.
//  - Otherwise PRP2 points to a PRP list (qword aligned; it may start inside a
//    page). Every list entry has offset 0. When the list needs more entries
//    than are left in its page, the last entry of the page points to the next
//    list page (a chained list), which also has offset 0 (§4.3, figure 108).
// A violated alignment rule is Invalid PRP Offset; a list that cannot be read
// is Data Transfer Error. Contiguous pages merge into one segment.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "devices/nvme/nvme_spec.hpp"
#include "sim/core/time.hpp"

namespace nvme {

struct Segment {
  std::uint64_t addr;
  std::uint64_t len;
};

/// Reads `len` bytes of host memory for the walker; returns false on a DMA
/// failure and adds the transfer time to `took`.
using HostReader = std::function<bool(std::uint64_t addr, void* dst, std::uint64_t len, sim::Picos& took)>;

struct PrpWalk {
  Status status;
  sim::Picos list_time = 0;  // time spent reading PRP lists (serial: a chain is followed link by link)
  unsigned list_reads = 0;
};

/// Appends the segments of a `len`-byte buffer to `out` (cleared first).
/// `page` is the memory page size from CC.MPS.
PrpWalk walk_prps(std::uint64_t prp1, std::uint64_t prp2, std::uint64_t len, std::uint64_t page,
                  const HostReader& read, std::vector<Segment>& out);

}  // namespace nvme
