// The platform applies a scenario's faults at their simulated times, in time
// order and, at the same time, in the order written; each is a warning trace
// event of its device; the run stays deterministic.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sim;

namespace {

const char* kMachine = R"(
devices:
  - { type: nvme, name: nvme0, address: "00:04.0" }
  - type: xhci
    name: xhci0
    address: "00:06.0"
    usb_devices: [ { type: usb-storage, name: stick } ]
run: { duration: 10ms, until: duration }
faults:
  - { at: 5ms, device: stick, kind: bad-csw }
  - { at: 1ms, device: nvme0, kind: controller-hang, for: 2ms }
  - { at: 5ms, device: nvme0, kind: fatal }
)";

platform::RunResult run_with_json(const std::string& json) {
  const auto sc = scenario::load_string(kMachine, "faults.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  o.trace_json = json;
  return platform::run(sc, o);
}

std::vector<std::string> lines_with(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string l; std::getline(in, l);)
    if (l.find(needle) != std::string::npos) v.push_back(l);
  return v;
}

}  // namespace

TEST(PlatformFaults, AppliedAtTheirTimesInOrderAsWarnings) {
  const std::string json = ::testing::TempDir() + "faults_test.jsonl";
  const platform::RunResult r = run_with_json(json);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.errors, 0u);  // an injected fatal error is a warning, not a model error
  const auto faults = lines_with(json, "\"kind\":\"fault\"");
  ASSERT_EQ(faults.size(), 3u);
  EXPECT_NE(faults[0].find("\"t_ps\":1000000000,"), std::string::npos) << faults[0];
  EXPECT_NE(faults[0].find("\"comp\":\"nvme0\""), std::string::npos);
  EXPECT_NE(faults[0].find("\"sev\":\"warn\""), std::string::npos);
  EXPECT_NE(faults[1].find("\"t_ps\":5000000000,"), std::string::npos) << faults[1];
  EXPECT_NE(faults[1].find("\"comp\":\"stick\""), std::string::npos);  // written first at 5ms
  EXPECT_NE(faults[2].find("\"fault\":\"fatal\""), std::string::npos);
  // The model acted on them: the timed hang ended 2 ms later.
  const auto end = lines_with(json, "nvme.fault.hang_end");
  ASSERT_EQ(end.size(), 1u);
  EXPECT_NE(end[0].find("\"t_ps\":3000000000,"), std::string::npos) << end[0];
  EXPECT_EQ(run_with_json(json).digest.hex(), r.digest.hex());
}
