#include <gtest/gtest.h>

#include "devices/pci/pcie_link.hpp"

using namespace pci;

TEST(PcieLink, LaneRatesFollowTheEncoding) {
  EXPECT_EQ(lane_bytes_per_second(1), 250'000'000u);  // 2.5 GT/s x 8/10 / 8
  EXPECT_EQ(lane_bytes_per_second(2), 500'000'000u);
  EXPECT_NEAR(static_cast<double>(lane_bytes_per_second(3)), 8e9 * 128 / 130 / 8, 1.0);
  EXPECT_NEAR(static_cast<double>(lane_bytes_per_second(5)), 32e9 * 128 / 130 / 8, 1.0);
}

TEST(PcieLink, WireTimeCountsEveryTlpHeader) {
  PcieLinkParams p;
  p.generation = 1;
  p.lanes = 1;  // 250 MB/s: 4 ns per byte
  PcieLink l(p);
  EXPECT_EQ(l.wire_time(256, 256), sim::ns(4 * (256 + kTlpOverheadBytes)));
  EXPECT_EQ(l.wire_time(512, 128), sim::ns(4 * (512 + 4 * kTlpOverheadBytes)));
}

TEST(PcieLink, WiderAndFasterLinksMoveDataSooner) {
  PcieLinkParams a, b;
  a.generation = 3;
  a.lanes = 4;
  b = a;
  b.lanes = 16;
  const auto narrow = PcieLink(a).read_time(128 * 1024), wide = PcieLink(b).read_time(128 * 1024);
  EXPECT_LT(wide, narrow);
  // 128 KiB at gen3 x4 (~3.94 GB/s raw) takes about 33 us plus headers.
  EXPECT_GT(narrow, sim::us(33));
  EXPECT_LT(narrow, sim::us(42));
  // A read pays the latency both ways; a posted write once.
  EXPECT_GT(PcieLink(a).read_time(64), PcieLink(a).write_time(64));
}
