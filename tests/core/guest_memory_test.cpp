#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "sim/core/address_map.hpp"
#include "sim/core/guest_memory.hpp"

using sim::GuestMemory;

TEST(GuestMemory, ReadsBackWhatWasWrittenAndStartsZeroed) {
  GuestMemory m(1 << 20);
  std::uint32_t v = 0;
  ASSERT_TRUE(m.read(0x1000, &v, 4));
  EXPECT_EQ(v, 0u);
  const std::uint32_t w = 0xDEADBEEF;
  ASSERT_TRUE(m.write(0x1000, &w, 4));
  ASSERT_TRUE(m.read(0x1000, &v, 4));
  EXPECT_EQ(v, w);
}

TEST(GuestMemory, RejectsEveryAccessThatLeavesRam) {
  GuestMemory m(1 << 20);
  std::vector<std::uint8_t> buf(16, 0xAB);
  EXPECT_FALSE(m.write((1 << 20) - 8, buf.data(), 16));  // straddles the end
  EXPECT_FALSE(m.read(1 << 20, buf.data(), 1));
  EXPECT_FALSE(m.contains(~0ULL - 4, 16));  // wraps around
  EXPECT_FALSE(m.contains(0, 0));
  EXPECT_TRUE(m.contains(0, 1 << 20));
  EXPECT_EQ(m.host_ptr((1 << 20) - 1, 2), nullptr);
  // Nothing was written by the failed access.
  std::uint8_t b = 1;
  ASSERT_TRUE(m.read((1 << 20) - 8, &b, 1));
  EXPECT_EQ(b, 0);
}

TEST(GuestMemory, RamAbove3GiBContinuesAt4GiB) {
  GuestMemory m(4ULL << 30);  // 3 GiB low + 1 GiB high
  EXPECT_TRUE(m.contains(sim::addr::kRamLowLimit - 4, 4));
  EXPECT_FALSE(m.contains(sim::addr::kRamLowLimit, 4));  // the MMIO hole
  EXPECT_FALSE(m.contains(sim::addr::kRamLowLimit - 4, 8));
  EXPECT_TRUE(m.contains(sim::addr::kHighRamBase, 1ULL << 30));
  EXPECT_FALSE(m.contains(sim::addr::kHighRamBase + (1ULL << 30), 1));
  const std::uint64_t q = 0x0123456789ABCDEF;
  ASSERT_TRUE(m.write(sim::addr::kHighRamBase + 8, &q, 8));
  std::uint64_t r = 0;
  ASSERT_TRUE(m.read(sim::addr::kHighRamBase + 8, &r, 8));
  EXPECT_EQ(r, q);
}

TEST(GuestMemory, UntouchedPagesCostNoHostMemory) {
  GuestMemory m(16ULL << 30);  // 16 GiB of guest RAM
  EXPECT_LT(m.resident_bytes(), 1u << 20);
  std::vector<std::uint8_t> page(4096, 0x5A);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(m.write(std::uint64_t(i) << 28, page.data(), page.size()));
  const auto resident = m.resident_bytes();
  EXPECT_GE(resident, 8u * 4096);
  EXPECT_LT(resident, 4u << 20);
}

TEST(GuestMemory, DiscardedRangesReadZeroAndGiveTheirPagesBack) {
  GuestMemory m(64ULL << 20);
  std::vector<std::uint8_t> data(1 << 20, 0xA5);
  ASSERT_TRUE(m.write(0x10'0000, data.data(), data.size()));
  const auto before = m.resident_bytes();
  EXPECT_GE(before, data.size());
  ASSERT_TRUE(m.discard(0x10'0000 + 100, data.size() - 200));  // ragged edges are zeroed by hand
  EXPECT_LT(m.resident_bytes(), before);  // (reading them back maps zero pages again)
  std::vector<std::uint8_t> back(data.size());
  ASSERT_TRUE(m.read(0x10'0000, back.data(), back.size()));
  EXPECT_EQ(back[99], 0xA5);
  EXPECT_EQ(back[100], 0);
  EXPECT_EQ(back[back.size() - 101], 0);
  EXPECT_EQ(back[back.size() - 100], 0xA5);
  EXPECT_FALSE(m.discard(64ULL << 20, 1));
}
