// Ring round trips through the kernel model, end to end, in host time:
//   kernel: user -> kernel (a no-op on the process's kernel ring)
//   scheme: user -> kernel -> scheme daemon -> back (a 64-byte pread of echo:)
//   user:   user -> user (a request on a ring attached to the daemon)
// Each iteration runs a whole simulation of ringping + echod; the counters
// give host ns per round trip, the cost of one timed SystemC event measured in
// this process, and their ratio.
#include <benchmark/benchmark.h>

#include <sstream>

#include "sc_event_cost.hpp"
#include "host_clock.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

constexpr int kRoundTrips = 20'000;

void run_mode(benchmark::State& state, const char* mode) {
  const double event_ns = bench::sc_event_ns();
  const std::string yaml = std::string(R"(
machine: { cpus: 2, memory: 64MiB }
processes:
  - { program: echod, cpu: 1 }
  - { program: ringping, cpu: 0, args: ["--mode", ")") +
                           mode + R"(", "--count", ")" + std::to_string(kRoundTrips) + R"("] }
run: { duration: 10s }
)";
  const auto sc = sim::scenario::load_string(yaml, "bench.yaml");
  bool ok = true;
  const double t0 = bench::thread_cpu_ns();  // host time: measurement only
  for (auto _ : state) {
    std::ostringstream out;
    sim::platform::RunOptions o;
    o.out = &out;
    o.log_level = sim::Severity::error;
    ok = ok && sim::platform::run(sc, o).ok;
  }
  const double host_ns = bench::thread_cpu_ns() - t0;
  const double total = static_cast<double>(state.iterations()) * kRoundTrips;
  const double per = host_ns / total;
  state.counters["host_ns_per_round_trip"] = per;
  state.counters["sc_event_ns"] = event_ns;
  state.counters["event_costs_per_round_trip"] = per / event_ns;
  state.counters["round_trips_ok"] = ok ? 1 : 0;
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

void BM_RoundTrip_UserToKernel(benchmark::State& s) { run_mode(s, "kernel"); }
void BM_RoundTrip_UserToKernelToScheme(benchmark::State& s) { run_mode(s, "scheme"); }
void BM_RoundTrip_UserToUser(benchmark::State& s) { run_mode(s, "user"); }

}  // namespace

BENCHMARK(BM_RoundTrip_UserToKernel)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_RoundTrip_UserToKernelToScheme)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_RoundTrip_UserToUser)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
