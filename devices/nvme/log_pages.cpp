#include "devices/nvme/log_pages.hpp"

#include <cstring>

namespace nvme {
namespace {
template <class T>
void put(std::vector<std::uint8_t>& d, std::size_t off, T v) {
  std::memcpy(d.data() + off, &v, sizeof v);
}
/// Data Units are thousands of 512-byte units, rounded up (figure 194).
std::uint64_t data_units(std::uint64_t bytes) { return (bytes / 512 + 999) / 1000; }
}  // namespace

void ErrorLog::add(ErrorEntry e) {
  e.error_count = ++count_;
  entries_.push_front(e);
  while (entries_.size() > capacity_) entries_.pop_back();
}

std::vector<std::uint8_t> ErrorLog::page() const {
  std::vector<std::uint8_t> d(std::size_t{capacity_} * log::kErrorEntrySize, 0);
  std::size_t off = 0;
  for (const ErrorEntry& e : entries_) {
    put<std::uint64_t>(d, off + 0, e.error_count);
    put<std::uint16_t>(d, off + 8, e.sqid);
    put<std::uint16_t>(d, off + 10, e.cid);
    put<std::uint16_t>(d, off + 12, e.status);
    put<std::uint16_t>(d, off + 14, e.param_location);
    put<std::uint64_t>(d, off + 16, e.lba);
    put<std::uint32_t>(d, off + 24, e.nsid);
    off += log::kErrorEntrySize;
  }
  return d;
}

std::vector<std::uint8_t> smart_page(const HealthCounters& c, std::uint64_t error_count, sim::Picos now) {
  std::vector<std::uint8_t> d(log::kSmartSize, 0);
  d[0] = 0;                                  // Critical Warning: none
  put<std::uint16_t>(d, 1, 313);             // Composite Temperature: 40 C in kelvin
  d[3] = 100;                                // Available Spare %
  d[4] = 10;                                 // Available Spare Threshold %
  d[5] = 0;                                  // Percentage Used
  put<std::uint64_t>(d, 32, data_units(c.bytes_read));     // Data Units Read (128-bit, low half)
  put<std::uint64_t>(d, 48, data_units(c.bytes_written));  // Data Units Written
  put<std::uint64_t>(d, 64, c.host_reads);   // Host Read Commands
  put<std::uint64_t>(d, 80, c.host_writes);  // Host Write Commands
  put<std::uint64_t>(d, 96, c.busy / sim::sec(60));   // Controller Busy Time, minutes
  put<std::uint64_t>(d, 112, 1);             // Power Cycles
  put<std::uint64_t>(d, 128, now / (sim::sec(3600)));  // Power On Hours
  put<std::uint64_t>(d, 144, 0);             // Unsafe Shutdowns
  put<std::uint64_t>(d, 160, c.media_errors);  // Media and Data Integrity Errors
  put<std::uint64_t>(d, 176, error_count);   // Number of Error Information Log Entries
  return d;
}

}  // namespace nvme
