#include <gtest/gtest.h>

#include "sim/core/time.hpp"

using namespace sim;

TEST(Time, UnitsArePicoseconds) {
  EXPECT_EQ(ns(1), 1000u);
  EXPECT_EQ(us(3), 3'000'000u);
  EXPECT_EQ(ms(2), 2'000'000'000u);
  EXPECT_EQ(sec(1), 1'000'000'000'000u);
}

TEST(Time, TransferTimeRoundsUpAndDoesNotOverflow) {
  // 1 byte at 3 bytes/s is a third of a second: rounded up to the next ps.
  EXPECT_EQ(transfer_time(1, 3), 333'333'333'334u);
  EXPECT_EQ(transfer_time(4096, 1'000'000'000), ns(4096));
  EXPECT_EQ(transfer_time(0, 1'000'000), 0u);
  EXPECT_EQ(transfer_time(100, 0), 0u);
  // 1 TiB at 1 GB/s: the intermediate product exceeds 64 bits.
  EXPECT_EQ(transfer_time(1ULL << 40, 1'000'000'000), (1ULL << 40) * 1000);
}

TEST(Time, FormatShowsEveryPicosecond) {
  EXPECT_EQ(format_time(0), "0.000000us");
  EXPECT_EQ(format_time(1), "0.000001us");
  EXPECT_EQ(format_time(us(12) + 345'678), "12.345678us");
}
