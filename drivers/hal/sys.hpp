// The system interface of a process: what the kernel offers a driver or an
// application. The kernel model implements it for the simulator; nothing here
// knows about SystemC or devices (the driver rule).
//
// Three ways to talk to others, after the Redox io_uring design:
//  - kernel_ring(): this process's ring to the kernel (user -> kernel). The
//    kernel serves the standard opcodes on the process's own fds and forwards
//    requests on a scheme's fds to the daemon that serves it.
//  - register_scheme(): serve a scheme. The kernel forwards requests to the
//    daemon over a ring it consumes (kernel -> user), and consumers may attach
//    rings of their own (user -> user), accepted with accept().
//  - attach(): attach a ring to a scheme (user -> user), with a shared buffer
//    pool; SQE addr/len are offsets into the pool.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/executor.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/pool_allocator.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/task.hpp"

namespace hal {

using Fd = std::uint64_t;
using Pid = std::uint32_t;

enum class LogLevel : std::uint8_t { debug, info, warn, error };

/// The consumer end of a user -> user ring.
struct Channel {
  Fd fd = 0;                   // closing it shuts the ring down
  RingClient* ring = nullptr;  // owned by the kernel, valid until closed
  DmaBuffer pool;              // shared with the producer
};

/// The producer end of a user -> user ring, as a daemon accepts it.
struct Connection {
  Pid peer = 0;               // the consumer's pid, vouched for by the kernel
  std::string peer_program;   // and its program name
  RingServer* ring = nullptr;  // owned by the kernel
};

class SchemeServer {
 public:
  virtual ~SchemeServer() = default;
  virtual std::string_view name() const = 0;
  /// Requests the kernel forwards (Open/Read/Write/... on this scheme's
  /// paths). Buffer addresses in them are physical addresses the kernel has
  /// granted for the request: see Sys::grant_view.
  virtual RingServer& requests() = 0;
  /// The next ring a consumer attached.
  virtual Task<Result<Connection>> accept() = 0;
};

class Sys {
 public:
  virtual ~Sys() = default;

  // Who and where.
  virtual Pid pid() const = 0;
  virtual std::string_view program() const = 0;
  virtual const std::vector<std::string>& args() const = 0;
  virtual unsigned cpu() const = 0;        // the CPU this process runs on
  virtual unsigned cpu_count() const = 0;
  virtual Executor& executor() = 0;

  // Time: the simulated monotonic clock.
  virtual std::uint64_t now_ns() const = 0;
  virtual Task<void> sleep_ns(std::uint64_t ns) = 0;

  // Output: a line of the run's report, and structured log events.
  virtual void print(std::string_view line) = 0;
  virtual void log(LogLevel level, std::string_view kind, std::string_view message) = 0;

  // Memory.
  /// Physically contiguous, page-aligned, zeroed memory a device can DMA to.
  virtual Result<DmaBuffer> physalloc(std::size_t bytes) = 0;
  /// Maps device registers. Only regions granted to this process (by pcid,
  /// for its function's BARs) may be mapped: EACCES otherwise.
  virtual Result<Mmio> physmap(std::uint64_t phys, std::uint64_t size) = 0;
  /// The bytes of a buffer the kernel granted for a forwarded request.
  virtual Result<DmaBuffer> grant_view(std::uint64_t phys, std::uint64_t len) = 0;

  // Rings and schemes.
  virtual RingClient& kernel_ring() = 0;
  /// Allocation of the kernel ring's buffer pool.
  virtual PoolAllocator& kernel_pool() = 0;
  virtual Result<SchemeServer*> register_scheme(std::string_view name) = 0;
  virtual Result<Channel> attach(std::string_view scheme, std::uint32_t entries, std::size_t pool_bytes) = 0;

  // Processes.
  /// Starts `program` as a new process on `cpu` (-1: this process's CPU).
  virtual Result<Pid> spawn(std::string_view program, std::vector<std::string> args, int cpu = -1) = 0;
  /// Says this process is a daemon: the run does not wait for it to exit.
  virtual void daemonize() = 0;
  /// Privileged (the bus driver): lets `pid` physmap [phys, phys+size).
  virtual Result<void> grant_physmap(Pid pid, std::uint64_t phys, std::uint64_t size) = 0;
};

/// A program: its entry point returns the exit status (0 = success).
using ProgramMain = Task<int> (*)(Sys&);

}  // namespace hal
