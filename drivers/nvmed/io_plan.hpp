// How a byte-addressed request becomes NVMe commands (pure, unit-tested).
//
// A request [offset, offset + len) on a namespace with LBA size B, into or
// out of a caller's buffer at physical address `phys` (physically
// contiguous, as the kernel lends it):
//  - direct, when offset and len are multiples of B and phys is dword
//    aligned (PRP1's only requirement, §4.3): the controller moves the data
//    straight to or from the caller's buffer, in pieces of at most
//    max_transfer bytes (MDTS) issued concurrently;
//  - through a bounce buffer otherwise: pieces of whole blocks no larger
//    than the bounce buffer, of which the caller's bytes are [skip, skip +
//    bytes). Reads copy out of the bounce buffer; writes first read the
//    partial first and last blocks (read-modify-write), copy the caller's
//    bytes in, and write the whole blocks.
#pragma once

#include <cstdint>
#include <vector>

namespace nvmed {

struct IoPiece {
  std::uint64_t slba = 0;
  std::uint32_t nlb = 0;         // blocks (1-based)
  std::uint64_t buf_offset = 0;  // where the caller's bytes of this piece start in its buffer
  std::uint64_t bytes = 0;       // the caller's bytes in this piece
  std::uint32_t skip = 0;        // bytes of the first block before the caller's (bounce only)

  bool head_partial() const { return skip != 0; }
  bool tail_partial(std::uint32_t lba_bytes) const { return (skip + bytes) % lba_bytes != 0; }
  friend bool operator==(const IoPiece&, const IoPiece&) = default;
};

bool can_go_direct(std::uint64_t offset, std::uint64_t len, std::uint64_t phys, std::uint32_t lba_bytes);

/// Pieces of at most `max_transfer` bytes (a multiple of lba_bytes).
/// Precondition: can_go_direct.
std::vector<IoPiece> plan_direct(std::uint64_t offset, std::uint64_t len, std::uint32_t lba_bytes,
                                 std::uint64_t max_transfer);

/// Pieces covering at most `bounce_bytes` (a multiple of lba_bytes) of whole blocks each.
std::vector<IoPiece> plan_bounce(std::uint64_t offset, std::uint64_t len, std::uint32_t lba_bytes,
                                 std::uint64_t bounce_bytes);

/// The largest transfer per command: MDTS (2^mdts pages of 2^(12+MPSMIN)
/// bytes; 0 = no limit) and nvmed's own cap, rounded down to whole blocks of
/// the largest LBA size; at least one block.
std::uint64_t max_transfer_bytes(std::uint8_t mdts, std::uint32_t mpsmin, std::uint64_t cap,
                                 std::uint32_t lba_bytes);

}  // namespace nvmed
