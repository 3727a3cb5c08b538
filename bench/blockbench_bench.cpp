// The whole NVMe storage stack in host time, issue #4's figure: blockbench
// 4-KiB random reads at QD32 on disk.nvme0:1 -> kernel ring -> nvmed -> the
// NVMe model over PCIe -> MSI-X -> nvmed -> back to blockbench.
//
// Each benchmark iteration runs two whole simulations that differ only in the
// number of commands (kShort and kLong); the difference of their host times
// divided by the difference of commands is the cost of one more command, with
// machine set-up (guest memory, enumeration, queue creation) cancelled out.
// Printed beside it: the cost of one timed SystemC event measured in this
// process, and their ratio (issue #4's target: at most 20 event costs). Both
// are the fastest of several runs, so a busy machine skews neither.
#include <benchmark/benchmark.h>

#include <sstream>
#include <string>

#include "sc_event_cost.hpp"
#include "host_clock.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

constexpr int kShort = 10'000;
constexpr int kLong = 60'000;

sim::scenario::Scenario qd32_randread(int commands) {
  const std::string yaml = R"(
machine: { cpus: 2, memory: 512MiB }
devices:
  - { type: nvme, name: nvme0, address: "00:04.0", namespaces: [ { size: 1GiB } ] }
processes:
  - program: pcid
  - program: blockbench
    args: ["--path", "disk.nvme0:1", "--pattern", "rand", "--rw", "read", "--bs", "4096", "--qd", "32", "--count", ")" +
                           std::to_string(commands) + R"("]
run: { duration: 10s }
)";
  return sim::scenario::load_string(yaml, "bench-qd32.yaml");
}

struct Timed {
  double host_ns = 0;
  bool ok = false;
  double iops = 0;
};

Timed run_once(const sim::scenario::Scenario& sc) {
  std::ostringstream out;
  sim::platform::RunOptions o;
  o.out = &out;
  o.log_level = sim::Severity::error;
  const double t0 = bench::thread_cpu_ns();  // host time: measurement only
  const auto r = sim::platform::run(sc, o);
  const double t1 = bench::thread_cpu_ns();
  Timed t;
  t.host_ns = (t1 - t0);
  t.ok = r.ok && r.finished;
  if (auto it = r.observed.values.find("blockbench.iops"); it != r.observed.values.end()) t.iops = it->second.value;
  return t;
}

void BM_NvmeQd32RandRead4K(benchmark::State& state) {
  // The event cost is measured beside each iteration, not once up front: a
  // CPU still raising its clock when the process starts made it look slower
  // (up to 99 ns instead of 80) and the ratio better than it is.
  double event_ns = 0;
  const auto short_sc = qd32_randread(kShort), long_sc = qd32_randread(kLong);
  // The fastest iteration, as for the event cost: both figures are what the
  // work costs when the machine does not interfere.
  double marginal = 0, whole = 0, iops = 0;
  bool ok = true;
  for (auto _ : state) {
    const double e = bench::measure_sc_event_ns();
    if (event_ns == 0 || e < event_ns) event_ns = e;
    const Timed s = run_once(short_sc);
    const Timed l = run_once(long_sc);
    ok = ok && s.ok && l.ok;
    const double m = (l.host_ns - s.host_ns) / (kLong - kShort);
    if (marginal == 0 || m < marginal) marginal = m;
    if (whole == 0 || l.host_ns / kLong < whole) whole = l.host_ns / kLong;
    iops = l.iops;
  }
  state.counters["host_ns_per_command"] = marginal;
  state.counters["host_ns_per_command_with_setup"] = whole;
  state.counters["sc_event_ns"] = event_ns;
  state.counters["event_costs_per_command"] = marginal / event_ns;
  state.counters["simulated_iops"] = iops;
  state.counters["commands_ok"] = ok ? 1 : 0;
}

}  // namespace

BENCHMARK(BM_NvmeQd32RandRead4K)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_MAIN();
