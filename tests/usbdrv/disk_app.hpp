// diskcheck: a test application for a disk scheme. It opens a disk path
// through the kernel (hal::open, waiting for the scheme to appear), writes a
// pattern with pwrite, reads it back with pread and checks it, measures the
// throughput of both, exercises unaligned and end-of-medium requests,
// positional Read/Write and Fsync, and prints one summary line.
//
//   --path P        (default disk.usb0:0)
//   --bytes N       bytes written then read (default 4 MiB)
//   --chunk N       bytes per request (default 1 MiB)
//   --offset N      where (default 0)
//   --seed N        pattern seed (default 1)
//   --wait-ms N     how long to wait for the scheme (default 3000)
//   --start-ms N    sleep this long first (default 0)
//   --verify-only   read and check the pattern, write nothing
//   --no-edges      skip the unaligned / end-of-medium checks
//   --expect-gone   the device leaves during the run: an I/O error is fine
#pragma once

#include <cstdint>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

namespace usbtest {

std::uint8_t pattern(std::uint64_t position, std::uint64_t seed);
hal::Task<int> diskcheck_main(hal::Sys& sys);

/// The last summary, for tests: throughput in MB/s (10^6 bytes per second).
struct DiskcheckResult {
  bool ran = false;
  double write_mbps = 0, read_mbps = 0;
  std::uint64_t size = 0;
  std::uint32_t block_size = 0;
};
extern DiskcheckResult g_diskcheck;

}  // namespace usbtest
