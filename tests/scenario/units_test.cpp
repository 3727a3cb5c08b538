// parse_size, parse_duration, parse_rate: the unit grammar of scenario files.
#include <gtest/gtest.h>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario {
namespace {

TEST(ParseSize, AcceptsBytesAndBinaryUnits) {
  EXPECT_EQ(parse_size("0"), 0u);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("0x1000"), 4096u);
  EXPECT_EQ(parse_size("4096B"), 4096u);
  EXPECT_EQ(parse_size("4KiB"), 4096u);
  EXPECT_EQ(parse_size("256MiB"), 256ULL << 20);
  EXPECT_EQ(parse_size("1GiB"), 1ULL << 30);
  EXPECT_EQ(parse_size("2TiB"), 2ULL << 40);
}

TEST(ParseSize, DecimalUnitsArePowersOfTen) {
  EXPECT_EQ(parse_size("1kB"), 1000u);
  EXPECT_EQ(parse_size("500MB"), 500'000'000u);
  EXPECT_EQ(parse_size("1GB"), 1'000'000'000u);
  EXPECT_EQ(parse_size("3TB"), 3'000'000'000'000u);
}

TEST(ParseSize, RefusesGarbageWrongCaseAndOverflow) {
  for (const char* bad : {"", "KiB", "4kib", "4KB", "4K", "4 KiB", "1.5GiB", "-4KiB", "-1", "+4",
                          "4KiBs", "0x", "0x10MiB", "010", "4MiB ", "12ab", "0xfg"}) {
    EXPECT_EQ(parse_size(bad), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_EQ(parse_size("18446744073709551615"), 18446744073709551615ULL);
  EXPECT_EQ(parse_size("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_size("0xffffffffffffffff"), 18446744073709551615ULL);
  EXPECT_EQ(parse_size("0x10000000000000000"), std::nullopt);
  EXPECT_EQ(parse_size("16777215TiB"), 16777215ULL << 40);
  EXPECT_EQ(parse_size("16777216TiB"), std::nullopt);  // 2^64
}

TEST(ParseDuration, AcceptsEveryUnitAndBarePicoseconds) {
  EXPECT_EQ(parse_duration("100ps"), ps(100));
  EXPECT_EQ(parse_duration("10ns"), ns(10));
  EXPECT_EQ(parse_duration("5us"), us(5));
  EXPECT_EQ(parse_duration("1ms"), ms(1));
  EXPECT_EQ(parse_duration("2s"), sec(2));
  EXPECT_EQ(parse_duration("1234"), ps(1234));
  EXPECT_EQ(parse_duration("0"), 0u);
  EXPECT_EQ(parse_duration("0s"), 0u);
}

TEST(ParseDuration, RefusesGarbageNegativeAndOverflow) {
  for (const char* bad : {"", "ms", "1 ms", "1.5ms", "-1ms", "-5", "1m", "1h", "1Ms", "1MS", "5µs",
                          "1sec", "1msx"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
  }
  // 2^64 ps is about 213 days: 18446744s fits, 18446745s does not.
  EXPECT_EQ(parse_duration("18446744s"), sec(18446744));
  EXPECT_EQ(parse_duration("18446745s"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999ps"), std::nullopt);
}

TEST(ParseRate, SizePerSecondOrBareBytes) {
  EXPECT_EQ(parse_rate("1GB/s"), 1'000'000'000u);
  EXPECT_EQ(parse_rate("500MB/s"), 500'000'000u);
  EXPECT_EQ(parse_rate("2GiB/s"), 2ULL << 30);
  EXPECT_EQ(parse_rate("4096"), 4096u);
  EXPECT_EQ(parse_rate("4096/s"), 4096u);
  for (const char* bad : {"1GB", "/s", "1GB/S", "1GB/sec", "-1GB/s", "fast", "1 GB/s"}) {
    EXPECT_EQ(parse_rate(bad), std::nullopt) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace sim::scenario
