// The PRP builder (NVMe Base 1.4 §4.3): PRP1/PRP2, lists, chained lists,
// checked by walking the result the way a controller does.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "drivers/nvmed/prp.hpp"

namespace {

using nvmed::build_prps;
using nvmed::prp_layout;
using nvmed::PrpLayout;
using nvmed::Prps;

constexpr std::uint64_t kPage = 4096;

/// List pages: host memory standing in for DMA memory at fake page-aligned
/// physical addresses.
struct ListPages {
  std::vector<std::unique_ptr<std::uint8_t[]>> mem;
  std::vector<hal::DmaBuffer> bufs;
  explicit ListPages(std::size_t n, std::uint64_t phys_base = 0x7000'0000) {
    for (std::size_t i = 0; i < n; ++i) {
      mem.push_back(std::make_unique<std::uint8_t[]>(kPage));
      std::memset(mem.back().get(), 0xEE, kPage);
      // Not contiguous: a chained list must follow the pointers.
      bufs.push_back(hal::DmaBuffer{phys_base + i * 3 * kPage, mem.back().get(), kPage});
    }
  }
  const hal::DmaBuffer* find(std::uint64_t phys) const {
    for (const auto& b : bufs)
      if (phys >= b.phys && phys < b.phys + b.size) return &b;
    return nullptr;
  }
};

struct Segment {
  std::uint64_t addr, len;
};

/// Walks PRP1/PRP2 as a controller does (§4.3); empty on a malformed entry.
std::vector<Segment> walk(const Prps& p, std::uint64_t len, const ListPages& lists) {
  std::vector<Segment> out;
  const std::uint64_t first = std::min(len, kPage - (p.prp1 & (kPage - 1)));
  out.push_back({p.prp1, first});
  std::uint64_t left = len - first;
  if (left == 0) return out;
  if (left <= kPage) {
    if (p.prp2 & (kPage - 1)) return {};
    out.push_back({p.prp2, left});
    return out;
  }
  std::uint64_t list = p.prp2;
  std::uint64_t entries = (left + kPage - 1) / kPage;
  while (entries > 0) {
    const hal::DmaBuffer* b = lists.find(list);
    if (!b) return {};
    const std::uint64_t room = (kPage - (list & (kPage - 1))) / 8;
    const bool chained = entries > room;
    const std::uint64_t n = chained ? room - 1 : entries;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto e = b->load<std::uint64_t>((list - b->phys) + i * 8);
      if (e & (kPage - 1)) return {};
      const std::uint64_t seg = std::min(left, kPage);
      out.push_back({e, seg});
      left -= seg;
      --entries;
    }
    if (chained) list = b->load<std::uint64_t>((list - b->phys) + (room - 1) * 8);
  }
  return out;
}

/// The walk covers exactly [phys, phys + len), in order, contiguously.
void expect_covers(const std::vector<Segment>& segs, std::uint64_t phys, std::uint64_t len) {
  ASSERT_FALSE(segs.empty());
  std::uint64_t at = phys, total = 0;
  for (const Segment& s : segs) {
    EXPECT_EQ(s.addr, at);
    at += s.len;
    total += s.len;
  }
  EXPECT_EQ(total, len);
}

}  // namespace

TEST(NvmedPrp, LayoutCountsPagesAndListPages) {
  EXPECT_EQ(prp_layout(0x10000, 4096, kPage).data_pages, 1u);
  EXPECT_EQ(prp_layout(0x10000, 4097, kPage).data_pages, 2u);
  EXPECT_EQ(prp_layout(0x10FFC, 8, kPage).data_pages, 2u);  // crosses a page boundary
  EXPECT_EQ(prp_layout(0x10000, 8192, kPage).list_pages, 0u);
  const PrpLayout three = prp_layout(0x10000, 3 * 4096, kPage);
  EXPECT_EQ(three.data_pages, 3u);
  EXPECT_EQ(three.list_entries, 2u);
  EXPECT_EQ(three.list_pages, 1u);
  // 513 data pages: 512 list entries fill exactly one list page.
  EXPECT_EQ(prp_layout(0x10000, 513 * 4096, kPage).list_pages, 1u);
  // 514: 513 entries, the first page holds 511 and a pointer.
  EXPECT_EQ(prp_layout(0x10000, 514 * 4096, kPage).list_pages, 2u);
  EXPECT_EQ(prp_layout(0x10000, (1 + 511 + 511 + 512) * 4096, kPage).list_pages, 3u);
  EXPECT_EQ(prp_layout(0x10000, (1 + 511 + 511 + 513) * 4096, kPage).list_pages, 4u);
  EXPECT_EQ(prp_layout(0x10000, 0, kPage).data_pages, 0u);
}

TEST(NvmedPrp, WithinOnePage) {
  const auto p = build_prps(0x20000 + 100, 200, kPage, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->prp1, 0x20000u + 100);
  EXPECT_EQ(p->prp2, 0u);
  const auto whole = build_prps(0x20000, 4096, kPage, {});
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->prp2, 0u);
}

TEST(NvmedPrp, PageCrossingUsesPrp2AsTheSecondPage) {
  const auto p = build_prps(0x20000 + 4000, 200, kPage, {});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->prp1, 0x20000u + 4000);
  EXPECT_EQ(p->prp2, 0x21000u);
  const auto two = build_prps(0x20000, 8192, kPage, {});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->prp2, 0x21000u);
  ListPages none(0);
  expect_covers(walk(*p, 200, none), 0x20000 + 4000, 200);
}

TEST(NvmedPrp, ListForMoreThanTwoPages) {
  ListPages lists(1);
  const std::uint64_t phys = 0x40000 + 512, len = 5 * 4096;  // touches 6 pages
  const auto p = build_prps(phys, len, kPage, lists.bufs);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->prp1, phys);
  EXPECT_EQ(p->prp2, lists.bufs[0].phys);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(lists.bufs[0].load<std::uint64_t>(i * 8), 0x41000u + 0x1000u * i);
  EXPECT_EQ(lists.bufs[0].load<std::uint64_t>(5 * 8), 0xEEEEEEEEEEEEEEEEull);  // untouched
  expect_covers(walk(*p, len, lists), phys, len);
}

TEST(NvmedPrp, FullListPageIsNotChained) {
  ListPages lists(2);
  const std::uint64_t len = 513 * 4096;
  const auto p = build_prps(0x100000, len, kPage, lists.bufs);
  ASSERT_TRUE(p);
  EXPECT_EQ(lists.bufs[0].load<std::uint64_t>(511 * 8), 0x100000u + 512 * 4096);  // a data page, not a pointer
  expect_covers(walk(*p, len, lists), 0x100000, len);
}

TEST(NvmedPrp, ChainedListsFollowTheLastEntry) {
  for (const std::uint64_t pages : {514ull, 1023ull, 1024ull, 1025ull, 2000ull}) {
    ListPages lists(8);
    const std::uint64_t phys = 0x200000 + 64, len = pages * 4096 - 64;
    const PrpLayout l = prp_layout(phys, len, kPage);
    const auto p = build_prps(phys, len, kPage, lists.bufs);
    ASSERT_TRUE(p) << pages;
    if (l.list_pages > 1) {  // the last entry of the first page points to the second
      EXPECT_EQ(lists.bufs[0].load<std::uint64_t>(511 * 8), lists.bufs[1].phys) << pages;
    }
    expect_covers(walk(*p, len, lists), phys, len);
  }
}

TEST(NvmedPrp, LargerMemoryPageSize) {
  ListPages lists(1);
  const auto p = build_prps(0x40000, 3 * 8192, 8192, {});
  EXPECT_FALSE(p);  // needs a list page of 8 KiB: none given
  const auto q = build_prps(0x40000, 2 * 8192, 8192, {});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->prp2, 0x42000u);
}

TEST(NvmedPrp, RejectsWhatTheSpecificationForbids) {
  ListPages lists(1);
  EXPECT_FALSE(build_prps(0x20000, 0, kPage, lists.bufs));           // empty
  EXPECT_FALSE(build_prps(0x20002, 512, kPage, lists.bufs));         // PRP1 bits 1:0 must be 0
  EXPECT_FALSE(build_prps(0x20000, 512, 1000, lists.bufs));          // not a power of two
  EXPECT_FALSE(build_prps(0x20000, 512, 2048, lists.bufs));          // below 4 KiB
  EXPECT_FALSE(build_prps(0x20000, 5 * 4096, kPage, {}));            // no list page
  ListPages odd(1);
  odd.bufs[0].phys += 8;                                              // list page not page aligned
  EXPECT_FALSE(build_prps(0x20000, 5 * 4096, kPage, odd.bufs));
  ListPages two(1);
  EXPECT_FALSE(build_prps(0x20000, 600 * 4096, kPage, two.bufs));    // needs 2 list pages
}
