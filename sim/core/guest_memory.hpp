// Guest physical memory. Backed by one anonymous private mapping reserved
// without commit: pages the guest never touches cost no host memory, and read
// as zero. RAM occupies [0, min(size, 3 GiB)) and, above that, continues at
// 4 GiB (see address_map.hpp). Every access is bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sim {

class GuestMemory {
 public:
  explicit GuestMemory(std::uint64_t ram_bytes);
  /// Guest RAM shared with another process: maps `ram_bytes` of the open
  /// file `shared_fd` (on tmpfs) MAP_SHARED, the layout above unchanged
  /// (file offset = RAM offset). discard() punches holes in the file, so
  /// freed ranges read as zero on both sides. Used by the QEMU platform.
  GuestMemory(std::uint64_t ram_bytes, int shared_fd);
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  std::uint64_t size() const { return size_; }

  /// True if [addr, addr+len) lies wholly in RAM (len 0 is never "inside").
  bool contains(std::uint64_t addr, std::uint64_t len) const;

  /// Host pointer to [addr, addr+len) if it lies wholly in one RAM range,
  /// else nullptr. RAM below 3 GiB and above 4 GiB are separate ranges.
  std::uint8_t* host_ptr(std::uint64_t addr, std::uint64_t len);

  /// The RAM range (below 3 GiB or above 4 GiB) that holds `addr`: its first
  /// address and length; false outside RAM. For TLM direct memory access.
  bool range_of(std::uint64_t addr, std::uint64_t& start, std::uint64_t& len) const;

  /// Copy out of / into guest memory. False (and nothing copied) when any
  /// byte is outside RAM.
  bool read(std::uint64_t addr, void* dst, std::uint64_t len) const;
  bool write(std::uint64_t addr, const void* src, std::uint64_t len);

  /// Gives [addr, addr+len) back: it reads as zero again and whole pages stop
  /// costing host memory. False if any byte is outside RAM.
  bool discard(std::uint64_t addr, std::uint64_t len);

  /// Host bytes actually resident (mincore), for memory-cost checks.
  std::uint64_t resident_bytes() const;

 private:
  /// Offset into the backing mapping, or -1 if not wholly in one RAM range.
  std::int64_t offset_of(std::uint64_t addr, std::uint64_t len) const;

  std::uint64_t size_;
  std::uint8_t* base_ = nullptr;
  bool shared_ = false;
};

}  // namespace sim
