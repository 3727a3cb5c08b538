#include "drivers/xhcid/page_pool.hpp"

#include <cstring>

namespace xhcid {

hal::Result<hal::DmaBuffer> PagePool::alloc() {
  if (free_.empty()) {
    hal::Result<hal::DmaBuffer> chunk = sys_.physalloc(kPage * kChunkPages);
    if (!chunk) return chunk.error().with_context("xhcid page pool");
    // Handed out lowest address first.
    for (std::size_t i = kChunkPages; i-- > 0;) free_.push_back(chunk->slice(i * kPage, kPage));
    total_ += kChunkPages;
  }
  hal::DmaBuffer p = free_.back();
  free_.pop_back();
  std::memset(p.data, 0, p.size);
  return p;
}

void PagePool::free(const hal::DmaBuffer& page) {
  if (page.valid()) free_.push_back(page);
}

}  // namespace xhcid
