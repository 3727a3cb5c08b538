#include <gtest/gtest.h>

#include <set>

#include "sim/core/rng.hpp"

using sim::RngStream;

TEST(Rng, SameSeedAndPathGiveTheSameStream) {
  RngStream a(42, "nvme0.flash"), b(42, "nvme0.flash");
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, StreamsAreIndependentPerComponentAndSeed) {
  RngStream a(42, "nvme0"), b(42, "nvme1"), c(43, "nvme0");
  EXPECT_NE(a.seed(), b.seed());
  EXPECT_NE(a.seed(), c.seed());
  EXPECT_NE(a.next_u64(), b.next_u64());
}

TEST(Rng, KnownValuesArePortable) {
  // Pinned: a change here means every recorded digest changes too.
  RngStream a(1, "x");
  const std::uint64_t first = a.next_u64();
  RngStream again(1, "x");
  EXPECT_EQ(again.next_u64(), first);
  EXPECT_EQ(sim::derive_seed(1, "x"), a.seed());
}

TEST(Rng, UniformStaysInBoundsAndCoversTheRange) {
  RngStream r(7, "u");
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 10'000; ++i) {
    const auto v = r.uniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(r.uniform(0), 0u);
  for (int i = 0; i < 1000; ++i) {
    const auto v = r.range(5, 7);
    ASSERT_GE(v, 5u);
    ASSERT_LE(v, 7u);
  }
  EXPECT_EQ(r.range(9, 9), 9u);
}
