// Log pages (§5.14.1): Error Information (01h) and SMART / Health
// Information (02h), controller-wide (LPA bit 0 = 0).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "devices/nvme/nvme_spec.hpp"
#include "sim/core/time.hpp"

namespace nvme {

/// One Error Information entry (figure 193).
struct ErrorEntry {
  std::uint64_t error_count = 0;
  std::uint16_t sqid = 0xFFFF;  // FFFFh: not tied to a command
  std::uint16_t cid = 0xFFFF;
  std::uint16_t status = 0;     // Status Field (bits 15:1), Phase Tag 0
  std::uint16_t param_location = 0xFFFF;
  std::uint64_t lba = 0;
  std::uint32_t nsid = 0;
};

class ErrorLog {
 public:
  explicit ErrorLog(unsigned entries) : capacity_(entries) {}
  /// Records an error; the entry's Error Count is assigned here.
  void add(ErrorEntry e);
  std::uint64_t count() const { return count_; }
  /// The page: newest entry first, unused entries zero (§5.14.1.1).
  std::vector<std::uint8_t> page() const;

 private:
  unsigned capacity_;
  std::uint64_t count_ = 0;
  std::deque<ErrorEntry> entries_;  // newest first
};

/// Counters behind the SMART / Health log (figure 194).
struct HealthCounters {
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t host_reads = 0, host_writes = 0;
  std::uint64_t media_errors = 0;
  sim::Picos busy = 0;  // time with commands outstanding
};

std::vector<std::uint8_t> smart_page(const HealthCounters& c, std::uint64_t error_count, sim::Picos now);

}  // namespace nvme
