#include "drivers/nvmed/dma_pool.hpp"

#include <algorithm>

namespace nvmed {

DmaPool::DmaPool(hal::Sys& sys, std::size_t item_bytes, std::size_t items_per_chunk, std::size_t max_items)
    : sys_(sys), item_bytes_(item_bytes), per_chunk_(std::max<std::size_t>(1, items_per_chunk)),
      max_items_(std::max<std::size_t>(1, max_items)) {}

hal::Result<void> DmaPool::grow(std::size_t at_least) {
  if (allocated_ + at_least > max_items_) return hal::Error(hal::errc::again, "dma pool at its cap");
  const std::size_t n = std::min(std::max(per_chunk_, at_least), max_items_ - allocated_);
  hal::Result<hal::DmaBuffer> chunk = sys_.physalloc(n * item_bytes_);
  if (!chunk) return chunk.error().with_context("dma pool");
  // Hand out the chunk's items lowest address first (LIFO: push in reverse).
  for (std::size_t i = n; i-- > 0;) free_.push_back(chunk->slice(i * item_bytes_, item_bytes_));
  allocated_ += n;
  return hal::ok();
}

hal::Result<hal::DmaBuffer> DmaPool::try_acquire() {
  if (free_.empty()) {
    const hal::Result<void> g = grow(1);
    if (!g) return g.error();
  }
  const hal::DmaBuffer b = free_.back();
  free_.pop_back();
  return b;
}

hal::Task<hal::Result<hal::DmaBuffer>> DmaPool::acquire() {
  for (;;) {
    hal::Result<hal::DmaBuffer> b = try_acquire();
    if (b || !b.error().is(hal::errc::again)) co_return b;
    co_await released_.wait();
  }
}

hal::Task<hal::Result<std::vector<hal::DmaBuffer>>> DmaPool::acquire_many(std::size_t n) {
  if (n > max_items_) co_return hal::Error(hal::errc::nomem, "dma pool: more buffers than its cap");
  for (;;) {
    if (free_.size() < n && allocated_ + (n - free_.size()) <= max_items_) {
      const hal::Result<void> g = grow(n - free_.size());
      if (!g) co_return g.error();
    }
    if (free_.size() >= n) {
      std::vector<hal::DmaBuffer> out(free_.end() - static_cast<std::ptrdiff_t>(n), free_.end());
      free_.resize(free_.size() - n);
      std::reverse(out.begin(), out.end());
      co_return out;
    }
    co_await released_.wait();
  }
}

void DmaPool::release(const hal::DmaBuffer& b) {
  if (!b.valid()) return;
  free_.push_back(b);
  released_.wake_all();
}

}  // namespace nvmed
