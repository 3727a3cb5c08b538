#include "kernel-model/phys_alloc.hpp"

#include <iterator>

namespace kernel {

PhysAllocator::PhysAllocator(std::uint64_t base, std::uint64_t limit) {
  if (limit > base) free_[base] = limit - base;
}

std::optional<std::uint64_t> PhysAllocator::alloc(std::uint64_t bytes, std::uint64_t align) {
  if (bytes == 0) return std::nullopt;
  bytes = (bytes + 4095) & ~std::uint64_t{4095};
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const std::uint64_t start = (it->first + align - 1) & ~(align - 1);
    const std::uint64_t end = it->first + it->second;
    if (start < it->first || start + bytes > end) continue;
    const std::uint64_t base = it->first;
    free_.erase(it);
    if (start > base) free_[base] = start - base;
    if (end > start + bytes) free_[start + bytes] = end - (start + bytes);
    used_[start] = bytes;
    allocated_ += bytes;
    return start;
  }
  return std::nullopt;
}

std::uint64_t PhysAllocator::free(std::uint64_t phys) {
  const auto u = used_.find(phys);
  if (u == used_.end()) return 0;
  std::uint64_t start = phys, len = u->second;
  const std::uint64_t size = len;
  allocated_ -= len;
  used_.erase(u);
  auto next = free_.lower_bound(start);
  if (next != free_.end() && next->first == start + len) {
    len += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      prev->second += len;
      return size;
    }
  }
  free_[start] = len;
  return size;
}

}  // namespace kernel
