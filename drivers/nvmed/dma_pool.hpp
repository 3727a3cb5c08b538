// A recycling pool of equal, page-aligned DMA buffers: PRP list pages and
// bounce buffers. The HAL's physalloc has no free, so the pool grows by
// chunks as demand needs (up to `max_items`) and hands buffers back out;
// at the cap, acquire() waits for a release. Deterministic: LIFO reuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

namespace nvmed {

class DmaPool {
 public:
  /// `item_bytes` a multiple of 4096; chunks of `items_per_chunk` items.
  DmaPool(hal::Sys& sys, std::size_t item_bytes, std::size_t items_per_chunk, std::size_t max_items);
  DmaPool(const DmaPool&) = delete;
  DmaPool& operator=(const DmaPool&) = delete;

  /// A buffer now, growing the pool if needed; EAGAIN at the cap, ENOMEM
  /// when physalloc fails.
  hal::Result<hal::DmaBuffer> try_acquire();
  /// A buffer, waiting for a release at the cap.
  hal::Task<hal::Result<hal::DmaBuffer>> acquire();
  /// `n` buffers at once (all or none: no deadlock between two waiters each
  /// holding part of what it needs).
  hal::Task<hal::Result<std::vector<hal::DmaBuffer>>> acquire_many(std::size_t n);
  void release(const hal::DmaBuffer& b);

  std::size_t item_bytes() const { return item_bytes_; }
  std::size_t allocated() const { return allocated_; }
  std::size_t available() const { return free_.size(); }
  std::size_t max_items() const { return max_items_; }

 private:
  hal::Result<void> grow(std::size_t at_least);

  hal::Sys& sys_;
  std::size_t item_bytes_, per_chunk_, max_items_;
  std::size_t allocated_ = 0;
  std::vector<hal::DmaBuffer> free_;
  hal::WaitList released_;
};

}  // namespace nvmed
