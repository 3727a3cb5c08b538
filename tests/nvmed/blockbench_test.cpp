// blockbench's arguments, workload generator, verify pattern and statistics.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "drivers/apps/blockbench.hpp"

using namespace apps::blockbench;

TEST(Blockbench, DefaultsAndFullArguments) {
  const auto d = parse_options({});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "disk.nvme0:1");
  EXPECT_EQ(d->pattern, Pattern::rand);
  EXPECT_EQ(d->rw, Rw::read);
  EXPECT_EQ(d->bs, 4096u);
  EXPECT_EQ(d->qd, 1u);
  EXPECT_EQ(d->count, 1000u);
  EXPECT_EQ(d->time_ns, 0u);
  EXPECT_EQ(d->workload_name(), "randread");

  const auto o = parse_options({"blockbench", "--path", "disk.nvme1:2", "--pattern=seq", "--rw", "mix",
                                "--mix-read-percent", "70", "--bs", "128KiB", "--qd", "32", "--time", "5ms",
                                "--offset", "1M", "--size", "16MiB", "--verify", "--seed", "99", "--fsync",
                                "--label", "run1"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->path, "disk.nvme1:2");
  EXPECT_EQ(o->pattern, Pattern::seq);
  EXPECT_EQ(o->rw, Rw::mix);
  EXPECT_EQ(o->mix_read_percent, 70u);
  EXPECT_EQ(o->bs, 128u * 1024);
  EXPECT_EQ(o->qd, 32u);
  EXPECT_EQ(o->time_ns, 5'000'000u);
  EXPECT_EQ(o->offset, 1u << 20);
  EXPECT_EQ(o->size, 16u << 20);
  EXPECT_TRUE(o->verify);
  EXPECT_EQ(o->seed, 99u);
  EXPECT_TRUE(o->fsync);
  EXPECT_EQ(o->label, "run1");
  EXPECT_EQ(o->workload_name(), "rw");
}

TEST(Blockbench, RejectsBadArguments) {
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--bs", "256"},
           {"--bs", "2MiB"},
           {"--bs", "4X"},
           {"--qd", "0"},
           {"--qd", "257"},
           {"--count", "0"},
           {"--count", "10", "--time", "1ms"},
           {"--time", "10"},  // no unit
           {"--pattern", "zigzag"},
           {"--rw", "append"},
           {"--mix-read-percent", "101", "--rw", "mix"},
           {"--mix-read-percent", "50"},  // only with --rw mix
           {"--path", "nocolon"},
           {"--size", "0"},
           {"--label", "a b"},
           {"--verify=yes"},
           {"--qd"},
           {"--unknown"},
       }) {
    const auto r = parse_options(bad);
    EXPECT_FALSE(r) << bad[0];
    if (!r) {
      EXPECT_TRUE(r.error().is(hal::errc::inval));
    }
  }
}

TEST(Blockbench, SplitMixIsDeterministicAndUnbiasedBelow) {
  SplitMix64 a(1), b(1), c(2);
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  // The first output of splitmix64 seeded with 0 (the reference value).
  SplitMix64 z(0);
  EXPECT_EQ(z.next(), 0xE220A8397B1DCDAFull);
  SplitMix64 r(5);
  std::vector<int> hist(10, 0);
  for (int i = 0; i < 100000; ++i) ++hist[r.below(10)];
  for (int h : hist) {
    EXPECT_GT(h, 9500);
    EXPECT_LT(h, 10500);
  }
}

TEST(Blockbench, WorkloadOffsetsAndMix) {
  Options o;
  o.pattern = Pattern::seq;
  o.rw = Rw::write;
  Workload seq(o, 5);
  std::vector<std::uint64_t> blocks;
  for (int i = 0; i < 12; ++i) {
    const auto op = seq.next();
    EXPECT_FALSE(op.read);
    blocks.push_back(op.block);
  }
  EXPECT_EQ(blocks, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1}));

  o.pattern = Pattern::rand;
  o.rw = Rw::mix;
  o.mix_read_percent = 30;
  o.seed = 42;
  Workload w1(o, 1000), w2(o, 1000);
  int reads = 0;
  std::set<std::uint64_t> distinct;
  for (int i = 0; i < 10000; ++i) {
    const auto a = w1.next(), b = w2.next();
    EXPECT_EQ(a.block, b.block);
    EXPECT_EQ(a.read, b.read);
    EXPECT_LT(a.block, 1000u);
    reads += a.read;
    distinct.insert(a.block);
  }
  EXPECT_GT(reads, 2700);
  EXPECT_LT(reads, 3300);
  EXPECT_GT(distinct.size(), 990u);
  Options other = o;
  other.seed = 43;
  Workload w3(other, 1000), w4(o, 1000);
  int same = 0;
  for (int i = 0; i < 100; ++i) same += w3.next().block == w4.next().block;
  EXPECT_LT(same, 10);  // another seed, other offsets
}

TEST(Blockbench, VerifyPattern) {
  std::vector<std::uint8_t> a(4096), b(4096);
  fill_pattern(a.data(), a.size(), 17, 5);
  fill_pattern(b.data(), b.size(), 17, 5);
  EXPECT_EQ(a, b);
  EXPECT_EQ(first_mismatch(a.data(), a.size(), 17, 5), a.size());
  EXPECT_EQ(a[0], 17);  // the block number leads
  EXPECT_EQ(a[8], 5);   // then the seed
  EXPECT_EQ(first_mismatch(a.data(), a.size(), 18, 5), 0u);   // another block's data
  EXPECT_EQ(first_mismatch(a.data(), a.size(), 17, 6), 8u);   // another seed
  a[3000] ^= 1;
  EXPECT_EQ(first_mismatch(a.data(), a.size(), 17, 5), 3000u);
  // Sizes that are not a multiple of 8.
  std::vector<std::uint8_t> odd(1001);
  fill_pattern(odd.data(), odd.size(), 3, 9);
  EXPECT_EQ(first_mismatch(odd.data(), odd.size(), 3, 9), odd.size());
  EXPECT_EQ(std::vector<std::uint8_t>(a.begin(), a.begin() + 1000), std::vector<std::uint8_t>([] {
              std::vector<std::uint8_t> x(1000);
              fill_pattern(x.data(), x.size(), 17, 5);
              return x;
            }()));
}

TEST(Blockbench, PercentilesAreNearestRank) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(percentile(v, 50), 50u);
  EXPECT_EQ(percentile(v, 99), 99u);
  EXPECT_EQ(percentile(v, 100), 100u);
  EXPECT_EQ(percentile(v, 1), 1u);
  EXPECT_EQ(percentile(v, 0.1), 1u);
  EXPECT_EQ(percentile({7}, 99), 7u);
  EXPECT_EQ(percentile({}, 50), 0u);
  EXPECT_EQ(percentile({10, 20, 30}, 50), 20u);   // rank ceil(1.5) = 2
  EXPECT_EQ(percentile({10, 20, 30, 40}, 50), 20u);  // rank 2
  EXPECT_EQ(percentile({10, 20, 30, 40}, 99), 40u);  // rank ceil(3.96) = 4

  const LatencySummary s = summarize({5, 1, 4, 2, 3, 1000});
  EXPECT_EQ(s.count, 6u);
  EXPECT_EQ(s.min_ns, 1u);
  EXPECT_EQ(s.max_ns, 1000u);
  EXPECT_EQ(s.p50_ns, 3u);
  EXPECT_EQ(s.p99_ns, 1000u);
  EXPECT_DOUBLE_EQ(s.mean_ns, 1015.0 / 6);
  EXPECT_EQ(summarize({}).count, 0u);
}

TEST(Blockbench, ReportAndResults) {
  Report r;
  r.path = "disk.nvme0:1";
  r.workload = "randread";
  r.bs = 4096;
  r.qd = 32;
  r.ops = 1000;
  r.bytes = 1000 * 4096;
  r.elapsed_ns = 2'000'000;  // 2 ms
  r.read = summarize({100'000, 200'000, 300'000});
  r.all = r.read;
  r.verify = true;
  r.verified_blocks = 10;
  EXPECT_DOUBLE_EQ(r.iops(), 500'000.0);
  EXPECT_DOUBLE_EQ(r.mb_per_s(), 2048.0);
  const std::string line = summary_line(r);
  EXPECT_NE(line.find("randread bs=4096 qd=32: 1000 ops in 2.000 ms: 500000.0 IOPS, 2048.0 MB/s"), std::string::npos)
      << line;
  EXPECT_NE(line.find("latency us mean 200.000 p50 200.000 p99 300.000 max 300.000"), std::string::npos) << line;
  EXPECT_NE(line.find("errors 0, verify mismatches 0 of 10 blocks checked"), std::string::npos) << line;
  std::map<std::string, std::string> v;
  for (const auto& [k, x] : result_values(r)) v[k] = x;
  EXPECT_EQ(v["iops"], "500000.0");
  EXPECT_EQ(v["bw_mbps"], "2048.000");
  EXPECT_EQ(v["read_p99_us"], "300.000");
  EXPECT_EQ(v["read_ops"], "3");
  EXPECT_EQ(v["errors"], "0");
  EXPECT_EQ(v["verify_mismatches"], "0");
  EXPECT_EQ(v.count("write_p99_us"), 0u);  // no writes, no write figures
  EXPECT_EQ(v.count("fsync_us"), 0u);
  const std::string m = result_message(r, "bb");
  EXPECT_EQ(m.rfind("bb ops=1000 elapsed_us=2000.000 iops=500000.0 bw_mbps=2048.000 ", 0), 0u) << m;
  EXPECT_NE(m.find(" errors=0 verify_mismatches=0 verified_blocks=10"), std::string::npos) << m;
}
