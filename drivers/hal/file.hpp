// The standard opcodes on the kernel ring, as calls. Buffers live in the
// ring's pool (the kernel can reach it; forwarded to a scheme daemon they
// become granted physical ranges): PoolAllocator hands out pieces of it.
#pragma once

#include <cstdint>
#include <string_view>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/ring_abi.hpp"
#include "drivers/hal/sys.hpp"

namespace hal {

/// SQE for a standard opcode.
SqEntry64 make_sqe(Opcode op, Fd fd, std::uint64_t addr = 0, std::uint64_t len = 0, std::uint64_t offset = 0);

/// Open flags (SQE syscall_flags of an Open).
inline constexpr std::uint32_t kOpenWaitForScheme = 1u << 0;  // park until a daemon registers the scheme

Task<Result<Fd>> open(Sys& sys, std::string_view path, std::uint32_t flags = 0);
/// Opens `path`, waiting for its scheme's daemon to register if it has not
/// yet (boot order: an app may start before the driver that serves it).
inline Task<Result<Fd>> open_when_ready(Sys& sys, std::string_view path) {
  return open(sys, path, kOpenWaitForScheme);
}
Task<Result<void>> close(Sys& sys, Fd fd);
/// Reads into the kernel pool at `pool_offset`; returns the bytes read.
Task<Result<std::uint64_t>> pread(Sys& sys, Fd fd, std::uint64_t pool_offset, std::uint64_t len, std::uint64_t offset);
Task<Result<std::uint64_t>> pwrite(Sys& sys, Fd fd, std::uint64_t pool_offset, std::uint64_t len, std::uint64_t offset);
Task<Result<void>> fsync(Sys& sys, Fd fd);

/// What Fstat fills in (little-endian, 32 bytes).
struct Stat {
  std::uint64_t size = 0;        // bytes
  std::uint32_t block_size = 0;  // preferred I/O unit
  std::uint32_t mode = 0;        // 1 file, 2 directory, 3 device, 4 irq
  std::uint64_t blocks = 0;
  std::uint64_t reserved = 0;
};
static_assert(sizeof(Stat) == 32);
Task<Result<Stat>> fstat(Sys& sys, Fd fd);

}  // namespace hal
