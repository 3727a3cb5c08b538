// echod: a small scheme daemon, "echo:". It shows (and lets tests and
// benchmarks measure) the two ways a daemon is reached:
//  - through the kernel (user -> kernel -> daemon): Open/Read/Write/Pread/
//    Pwrite/Fsync/Fstat/Close on "echo:NAME" paths. Reads fill the buffer with
//    the low byte of (offset + i); writes are accepted and counted.
//  - over rings consumers attach (user -> user): opcode kEchoSum sums the bytes
//    of a pool buffer; kEchoPing answers at once.
#pragma once

#include <cstdint>

#include "drivers/hal/sys.hpp"

namespace apps {

inline constexpr std::uint8_t kEchoPing = 128;
inline constexpr std::uint8_t kEchoSum = 129;

hal::Task<int> echod_main(hal::Sys& sys);

}  // namespace apps
