#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sim;

namespace {

const char* kTwoDevices = R"(
seed: 7
machine: { cpus: 1, memory: 64MiB }
devices:
  - { type: pci-test, name: a, address: "00:01.0", dma_jitter: 500ns }
  - { type: pci-test, name: b, address: "00:05.0", msix_vectors: 0, msi_vectors: 2, bar0_64bit: true }
  - { type: pci-test, name: c, address: "00:05.2", msix_vectors: 16, msi_vectors: 0 }
processes:
  - program: pci-probe
run: { duration: 5ms }
)";

struct Outcome {
  platform::RunResult result;
  std::string report;
};

Outcome run_text(const std::string& yaml, std::optional<std::uint64_t> seed = {}, std::string json = {}) {
  const auto sc = scenario::load_string(yaml, "test.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.seed = seed;
  o.out = &out;
  o.log_level = Severity::error;
  o.trace_json = std::move(json);
  return {platform::run(sc, o), out.str()};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(Platform, ProbeFindsEveryFunctionWithItsBarsAndCapabilities) {
  const auto o = run_text(kTwoDevices);
  EXPECT_TRUE(o.result.ok);
  EXPECT_TRUE(o.result.finished);
  EXPECT_EQ(o.result.warnings, 0u);
  EXPECT_NE(o.report.find("PCI bus 0: 3 functions"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("00:01.0 1234:d51f"), std::string::npos);
  EXPECT_NE(o.report.find("00:05.2 1234:d51f"), std::string::npos);
  EXPECT_NE(o.report.find("BAR0: mem64, 4 KiB at 0x8000001000"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("MSI: 2 vectors"), std::string::npos);
  EXPECT_NE(o.report.find("MSI-X: 16 vectors"), std::string::npos);
  // Each device copied data by DMA and completed by interrupt.
  std::size_t verified = 0;
  for (std::size_t p = 0; (p = o.report.find("data verified, interrupt delivered", p)) != std::string::npos; ++p)
    ++verified;
  EXPECT_EQ(verified, 3u);
}

TEST(Platform, SameSeedGivesByteIdenticalTraces) {
  const std::string a = ::testing::TempDir() + "run_a.jsonl", b = ::testing::TempDir() + "run_b.jsonl";
  const auto x = run_text(kTwoDevices, {}, a);
  const auto y = run_text(kTwoDevices, {}, b);
  EXPECT_EQ(x.result.digest, y.result.digest);
  EXPECT_EQ(x.result.sim_time, y.result.sim_time);
  const std::string ta = slurp(a), tb = slurp(b);
  EXPECT_FALSE(ta.empty());
  EXPECT_EQ(ta, tb);
}

TEST(Platform, AnotherSeedChangesTheTimingAndTheDigest) {
  const auto x = run_text(kTwoDevices, 7);
  const auto y = run_text(kTwoDevices, 8);
  EXPECT_TRUE(y.result.ok);
  EXPECT_NE(x.result.digest, y.result.digest);
  EXPECT_NE(x.result.sim_time, y.result.sim_time);  // the jittered DMA of device a
}

TEST(Platform, WithoutJitterTheSeedDoesNotChangeDeviceTiming) {
  std::string yaml = kTwoDevices;
  yaml.replace(yaml.find(", dma_jitter: 500ns"), std::string(", dma_jitter: 500ns").size(), "");
  const auto x = run_text(yaml, 1);
  const auto y = run_text(yaml, 2);
  EXPECT_EQ(x.result.sim_time, y.result.sim_time);
}

TEST(Platform, TimeLimitIsReportedAsNotFinished) {
  std::string yaml = kTwoDevices;
  yaml.replace(yaml.find("5ms"), 3, "20us");
  const auto o = run_text(yaml);
  EXPECT_FALSE(o.result.finished);
  EXPECT_FALSE(o.result.ok);
  EXPECT_EQ(o.result.sim_time, us(20));
}

TEST(Platform, QuickstartScenarioRunsClean) {
  const auto sc = scenario::load_file(std::string(DRVSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  const auto r = platform::run(sc, o);
  EXPECT_TRUE(r.ok) << out.str();
  EXPECT_EQ(r.warnings, 0u);
  EXPECT_EQ(r.errors, 0u);
}
