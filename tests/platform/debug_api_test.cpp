// The C debug API gdb calls, and the dumper registry device models use.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/core/debug_registry.hpp"
#include "sim/platform/debug_api.hpp"
#include "sim/platform/platform.hpp"
#include "sim/platform/repro.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sim;

namespace {

const char* kScenario = R"(
devices:
  - { type: pci-test, name: a, address: "00:01.0" }
  - { type: pci-test, name: b, address: "00:02.0", msix_vectors: 0, msi_vectors: 2 }
processes: [ { program: pci-probe } ]
run: { duration: 2ms }
)";

}  // namespace

TEST(DebugApi, NothingRunning) {
  EXPECT_EQ(drvsim_debug_now(), 0u);
  EXPECT_NE(std::string(drvsim_debug_irqs()).find("no machine is running"), std::string::npos);
}

TEST(DebugApi, DescribesTheMachineAfterARun) {
  const auto sc = scenario::load_string(kScenario, "d.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  o.trace_tail = 10;
  fresh_kernel();
  platform::Platform p(sc, o);
  p.run();
  EXPECT_GT(drvsim_debug_now(), 0u);
  EXPECT_NE(std::string(drvsim_debug_now_text()).find("us simulated"), std::string::npos);
  const std::string irqs = drvsim_debug_irqs();
  EXPECT_NE(irqs.find("interrupt controller: 2 delivered, 0 dropped"), std::string::npos) << irqs;
  EXPECT_NE(irqs.find("00:01.0 a:"), std::string::npos) << irqs;
  EXPECT_NE(irqs.find("MSI-X at 0x"), std::string::npos) << irqs;
  EXPECT_NE(irqs.find("enabled, 4 vectors"), std::string::npos) << irqs;
  EXPECT_NE(irqs.find("00:02.0 b:"), std::string::npos) << irqs;
  EXPECT_NE(irqs.find("MSI-X: none"), std::string::npos) << irqs;
  const std::string pci = drvsim_debug_pci();
  EXPECT_NE(pci.find("0x1234:0xd51f"), std::string::npos) << pci;
  EXPECT_NE(pci.find("MSE BME"), std::string::npos) << pci;
  EXPECT_NE(pci.find("BAR0: mem32, 4096 bytes at 0x"), std::string::npos) << pci;
  const std::string trace = drvsim_debug_trace(3);
  EXPECT_EQ(std::count(trace.begin(), trace.end(), '\n'), 3) << trace;
  EXPECT_NE(trace.find("sim end"), std::string::npos) << trace;
  EXPECT_NE(std::string(drvsim_debug_trace(50)).find("(10 events kept"), std::string::npos);
  const std::string queues = drvsim_debug_queues();
  EXPECT_NE(queues.find("no kernel model"), std::string::npos) << queues;
  {
    DebugRegistration reg = register_debug_dumper("queues", "nvme0", [](std::ostream& os) { os << "SQ1 3/64\n"; });
    const std::string with = drvsim_debug_queues();
    EXPECT_NE(with.find("== nvme0 ==\nSQ1 3/64\n"), std::string::npos) << with;
    EXPECT_NE(std::string(drvsim_debug_dump("queues")).find("SQ1 3/64"), std::string::npos);
  }
  EXPECT_NE(std::string(drvsim_debug_queues()).find("no device queues registered"), std::string::npos);
}

TEST(DebugApi, KernelRings) {
  const auto sc = scenario::load_string(R"(
processes:
  - { program: echod }
  - { program: ringping, args: ["--count", "10", "--mode", "kernel"] }
run: { duration: 5ms }
)",
                                        "k.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  fresh_kernel();
  platform::Platform p(sc, o);
  p.run();
  const std::string q = drvsim_debug_queues();
  EXPECT_NE(q.find("pid 1 echod"), std::string::npos) << q;
  EXPECT_NE(q.find("pid 2 ringping (exited): SQ 0/"), std::string::npos) << q;
}

TEST(DebugRegistry, RegistrationsUnregisterWhenDestroyedOrMoved) {
  std::ostringstream os;
  {
    DebugRegistration a = register_debug_dumper("test-cat", "one", [](std::ostream& o) { o << "1"; });
    DebugRegistration b;
    b = std::move(a);
    EXPECT_EQ(run_debug_dumpers("test-cat", os), 1u);
  }
  EXPECT_EQ(run_debug_dumpers("test-cat", os), 0u);
  EXPECT_EQ(os.str(), "== one ==\n1");
}

TEST(Repro, ResolvedConfigurationHasTheDefaults) {
  const auto sc = scenario::load_string(kScenario, "d.yaml");
  const auto j = platform::resolved_config_json(sc, 7);
  EXPECT_NE(j.find("\"seed\": 7"), std::string::npos) << j;
  EXPECT_NE(j.find("\"cpus\": 1"), std::string::npos) << j;
  EXPECT_NE(j.find("\"context_switch\": \"1.200000us\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"msix_vectors\": 4"), std::string::npos) << j;
  EXPECT_NE(j.find("\"errors\": \"0\""), std::string::npos) << j;
}
