// The disk scheme nvmed serves, `disk.nvmeN` (after Redox's disk schemes):
//   Open "disk.nvme0:1"  namespace 1 (a block device; "disk.nvme0:" lists them)
//   Read/Write           at the handle's position, which they advance
//   Pread/Pwrite         at the request's byte offset
//   Fsync                Flush (§6.8)
//   Fstat                hal::Stat: size in bytes, block size = LBA size, mode 3
//   Close                forgets the handle
// Buffers are the physical ranges the kernel lends for the request: the
// handler views them with sys.grant_view (which also checks the grant) and
// gives the physical address to the controller for aligned transfers.
// A request runs on the I/O queue of the caller's CPU (the kernel puts it in
// the forwarded SQE's syscall_flags), modulo the number of queues. Every
// request is its own task: many are in flight at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/nvmed/engine.hpp"
#include "drivers/nvmed/namespace.hpp"

namespace nvmed {

/// The namespace a path names: "1", "/1", "disk.nvme0:1" -> 1; "" or
/// "disk.nvme0:" -> 0 (the scheme root); nullopt if it names none.
std::optional<std::uint32_t> parse_disk_path(std::string_view path);

class DiskScheme {
 public:
  DiskScheme(hal::Sys& sys, Engine& engine, std::vector<Namespace*> namespaces);

  /// Serves forwarded requests until the scheme shuts down; returns then.
  hal::Task<void> serve(hal::SchemeServer& server);

  std::uint64_t requests() const { return requests_; }
  std::uint64_t failed() const { return failed_; }

 private:
  struct Handle {
    std::uint32_t nsid = 0;  // 0: the root listing
    std::uint64_t position = 0;
  };

  hal::Task<void> handle(std::shared_ptr<void> keep, hal::RingServer& ring, hal::SqEntry64 sqe);
  hal::Task<hal::Result<std::uint64_t>> dispatch(const hal::SqEntry64& sqe);
  hal::Result<std::uint64_t> open(const hal::SqEntry64& sqe);
  hal::Result<std::uint64_t> fstat(const hal::SqEntry64& sqe);
  hal::Result<std::uint64_t> read_root(Handle& h, const hal::SqEntry64& sqe, bool positional);
  Namespace* find(std::uint32_t nsid) const;
  std::string listing() const;

  hal::Sys& sys_;
  Engine& engine_;
  std::vector<Namespace*> namespaces_;
  std::map<std::uint64_t, Handle> handles_;
  std::uint64_t next_handle_ = 1;
  std::uint64_t requests_ = 0, failed_ = 0;
};

}  // namespace nvmed
