// Physical memory for DMA buffers and ring pools: page-aligned, contiguous
// ranges of guest RAM, first fit from 1 MiB up (below is left to firmware-ish
// uses), deterministic. Freed ranges merge with their neighbours.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace kernel {

class PhysAllocator {
 public:
  PhysAllocator(std::uint64_t base, std::uint64_t limit);
  std::optional<std::uint64_t> alloc(std::uint64_t bytes, std::uint64_t align = 4096);
  /// Frees what alloc returned at `phys`; returns its size (0 if unknown).
  std::uint64_t free(std::uint64_t phys);
  std::uint64_t allocated_bytes() const { return allocated_; }

 private:
  std::map<std::uint64_t, std::uint64_t> free_;  // start -> length
  std::map<std::uint64_t, std::uint64_t> used_;
  std::uint64_t allocated_ = 0;
};

}  // namespace kernel
