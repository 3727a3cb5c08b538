// DMA pages for xhcid's rings and contexts. physalloc has no free, so pages
// go back to a free list when a device leaves and the next device reuses
// them (hotplug does not leak). Pages are 4 KiB, 4 KiB aligned, zeroed when
// handed out.
#pragma once

#include <cstddef>
#include <vector>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"

namespace xhcid {

class PagePool {
 public:
  static constexpr std::size_t kPage = 4096;
  static constexpr std::size_t kChunkPages = 16;

  explicit PagePool(hal::Sys& sys) : sys_(sys) {}
  hal::Result<hal::DmaBuffer> alloc();
  void free(const hal::DmaBuffer& page);
  std::size_t allocated_pages() const { return total_; }
  std::size_t free_pages() const { return free_.size(); }

 private:
  hal::Sys& sys_;
  std::vector<hal::DmaBuffer> free_;
  std::size_t total_ = 0;
};

}  // namespace xhcid
