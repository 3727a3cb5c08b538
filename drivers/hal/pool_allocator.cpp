#include "drivers/hal/pool_allocator.hpp"

#include <iterator>

namespace hal {

Result<std::uint64_t> PoolAllocator::alloc(std::size_t len, std::size_t align) {
  if (len == 0) len = 1;
  len = (len + 63) & ~std::size_t{63};
  if (align < 64) align = 64;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const std::uint64_t start = (it->first + align - 1) & ~std::uint64_t{align - 1};
    const std::uint64_t end = it->first + it->second;
    if (start + len > end) continue;
    const std::uint64_t before = start - it->first, after = end - (start + len);
    const std::uint64_t base = it->first;
    free_.erase(it);
    if (before) free_[base] = before;
    if (after) free_[start + len] = after;
    used_[start] = len;
    return start;
  }
  return Error(errc::nomem, "ring pool exhausted");
}

void PoolAllocator::free(std::uint64_t offset) {
  const auto u = used_.find(offset);
  if (u == used_.end()) return;
  std::uint64_t start = offset, len = u->second;
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
      return;
    }
  }
  free_[start] = len;
}

std::size_t PoolAllocator::available() const {
  std::size_t n = 0;
  for (const auto& [o, l] : free_) n += l;
  return n;
}

}  // namespace hal
