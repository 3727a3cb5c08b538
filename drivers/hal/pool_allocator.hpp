// Hands out pieces of a ring's buffer pool (SQE addr/len are offsets into it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "drivers/hal/result.hpp"

namespace hal {

/// First-fit allocation of a pool in 64-byte units; deterministic.
class PoolAllocator {
 public:
  explicit PoolAllocator(std::size_t size) : size_(size) { free_[0] = size; }
  std::size_t size() const { return size_; }
  /// Offset of `len` bytes aligned to `align` (a power of two), or ENOMEM.
  Result<std::uint64_t> alloc(std::size_t len, std::size_t align = 64);
  void free(std::uint64_t offset);
  std::size_t available() const;

 private:
  std::size_t size_;
  std::map<std::uint64_t, std::uint64_t> free_;  // offset -> length
  std::map<std::uint64_t, std::uint64_t> used_;
};

}  // namespace hal
