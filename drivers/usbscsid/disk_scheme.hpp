// The disk scheme usbscsid serves ("disk.usbN"), with the semantics of
// nvmed's disk scheme (docs/drivers/usbscsid.md), so block applications
// (blockbench) run on either unchanged:
//   Open "N"            the logical unit N (decimal); ENOENT if there is none
//   Open ""             the scheme root: Read lists the LUNs ("0\n"), Fstat
//                       says mode 2 (a directory)
//   Read / Write        at the handle's position, which advances
//   Pread / Pwrite      at the SQE's byte offset; any offset and length
//                       (unaligned pieces through the bounce buffer); reads
//                       are short at the end and 0 past it, writes short at
//                       the end and ENOSPC past it
//   Fsync               SYNCHRONIZE CACHE
//   Fstat               size in bytes, block size, mode 3 (device), blocks
//   Close               forgets the handle
// Buffers are the ranges the kernel lent for the request (Sys::grant_view).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/usbscsid/disk.hpp"

namespace usbscsid {

class DiskScheme {
 public:
  DiskScheme(hal::Sys& sys, ScsiDisk& disk, hal::SchemeServer& scheme) : sys_(sys), disk_(disk), scheme_(scheme) {}

  /// Serves forwarded requests, one at a time (BOT runs one command at a
  /// time anyway), until the scheme closes.
  hal::Task<void> serve();
  /// The answer to one request (status), for tests of the semantics.
  hal::Task<std::uint64_t> handle(const hal::SqEntry64& sqe);

 private:
  struct Handle {
    int lun = 0;  // kRootPath: the listing
    std::uint64_t position = 0;
  };
  std::uint64_t open(const hal::SqEntry64& sqe);
  std::uint64_t root(Handle& h, const hal::SqEntry64& sqe);
  std::string listing() const;
  hal::Task<std::uint64_t> io(const hal::SqEntry64& sqe);

  hal::Sys& sys_;
  ScsiDisk& disk_;
  hal::SchemeServer& scheme_;
  std::map<std::uint64_t, Handle> handles_;
  std::uint64_t next_handle_ = 1;
};

inline constexpr int kRootPath = -1;
/// The LUN a path names ("0", "/1", "disk.usb0:1"), kRootPath for the scheme
/// root ("", "disk.usb0:"), std::nullopt for anything else.
std::optional<int> parse_lun_path(std::string_view path);

}  // namespace usbscsid
