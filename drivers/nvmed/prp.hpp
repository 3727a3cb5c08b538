// The PRP builder (NVMe Base 1.4 §4.3, figures 108-109): how a command names
// the memory it transfers. For a physically contiguous buffer [phys,
// phys + len) with memory page size `page` (CC.MPS):
//  - PRP1 is the first address (any dword-aligned offset into its page);
//  - if the transfer ends within the next page, PRP2 is that page's address;
//  - otherwise PRP2 points to a PRP list: one entry per further page. A list
//    page holds page/8 entries; when more remain, its last entry points to
//    the next list page (a chained list).
// Pure: the caller supplies the list pages (page-sized, page-aligned DMA
// memory) and keeps them until the command completes.
#pragma once

#include <cstdint>
#include <span>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/result.hpp"

namespace nvmed {

struct PrpLayout {
  std::uint64_t data_pages = 0;    // memory pages the transfer touches
  std::uint64_t list_entries = 0;  // data-page entries in PRP lists (0 when PRP2 is data or unused)
  std::uint64_t list_pages = 0;    // PRP list pages, chained
};

/// How many pages and list pages the transfer needs. `page` is a power of two.
PrpLayout prp_layout(std::uint64_t phys, std::uint64_t len, std::uint64_t page);

struct Prps {
  std::uint64_t prp1 = 0, prp2 = 0;
};

/// Builds PRP1/PRP2 and fills the list pages. EINVAL: len 0, `page` not a
/// power of two of at least 4 KiB, `phys` not dword aligned (§4.3: bits 1:0
/// of PRP1 are 0), fewer list pages than prp_layout says, or a list page
/// smaller than `page` or not page aligned.
hal::Result<Prps> build_prps(std::uint64_t phys, std::uint64_t len, std::uint64_t page,
                             std::span<const hal::DmaBuffer> lists);

}  // namespace nvmed
