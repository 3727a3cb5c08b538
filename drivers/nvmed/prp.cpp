#include "drivers/nvmed/prp.hpp"

#include <bit>

namespace nvmed {

PrpLayout prp_layout(std::uint64_t phys, std::uint64_t len, std::uint64_t page) {
  PrpLayout l;
  if (len == 0 || page == 0) return l;
  const std::uint64_t first = phys & ~(page - 1);
  const std::uint64_t last = (phys + len - 1) & ~(page - 1);
  l.data_pages = (last - first) / page + 1;
  if (l.data_pages <= 2) return l;  // PRP1, and PRP2 as the second data page
  l.list_entries = l.data_pages - 1;
  const std::uint64_t per_page = page / 8;
  // A page that is not the last holds per_page - 1 entries and a chain pointer.
  l.list_pages = l.list_entries <= per_page ? 1 : (l.list_entries - 1 + per_page - 2) / (per_page - 1);
  return l;
}

hal::Result<Prps> build_prps(std::uint64_t phys, std::uint64_t len, std::uint64_t page,
                             std::span<const hal::DmaBuffer> lists) {
  if (len == 0) return hal::Error(hal::errc::inval, "prp: empty transfer");
  if (page < 4096 || !std::has_single_bit(page)) return hal::Error(hal::errc::inval, "prp: bad page size");
  if (phys & 0x3) return hal::Error(hal::errc::inval, "prp: PRP1 not dword aligned");
  const PrpLayout l = prp_layout(phys, len, page);
  Prps p;
  p.prp1 = phys;
  const std::uint64_t second = (phys & ~(page - 1)) + page;
  if (l.data_pages == 1) return p;
  if (l.data_pages == 2) {
    p.prp2 = second;
    return p;
  }
  if (lists.size() < l.list_pages) return hal::Error(hal::errc::inval, "prp: not enough list pages");
  for (std::uint64_t i = 0; i < l.list_pages; ++i)
    if (lists[i].size < page || (lists[i].phys & (page - 1)) || !lists[i].valid())
      return hal::Error(hal::errc::inval, "prp: list page not page sized and aligned");
  const std::uint64_t per_page = page / 8;
  std::uint64_t addr = second;
  std::uint64_t left = l.list_entries;
  for (std::uint64_t li = 0; left > 0; ++li) {
    const hal::DmaBuffer& list = lists[li];
    const bool chained = left > per_page;
    const std::uint64_t n = chained ? per_page - 1 : left;
    for (std::uint64_t k = 0; k < n; ++k, addr += page) list.store<std::uint64_t>(k * 8, addr);
    if (chained) list.store<std::uint64_t>((per_page - 1) * 8, lists[li + 1].phys);
    left -= n;
  }
  p.prp2 = lists[0].phys;
  return p;
}

}  // namespace nvmed
