// A machine built from a scenario: guest memory, the interrupt controller,
// the root complex, the devices, and what runs on the CPUs.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_function.hpp"
#include "devices/pci/root_complex.hpp"
#include "kernel-model/kernel.hpp"
#include "sim/core/break_sink.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/progress.hpp"
#include "sim/core/trace.hpp"
#include "sim/core/vcd_sink.hpp"
#include "sim/platform/golden.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::platform {

struct RunOptions {
  std::optional<std::uint64_t> seed;   // overrides the scenario's
  std::string trace_json;              // JSON Lines file, empty = none
  Severity log_level = Severity::warn;  // text log on stderr
  std::ostream* out = nullptr;         // human-readable report (stdout)
  std::size_t trace_tail = 64;         // events kept as text for reports and `drvsim trace N` (0: none)
  std::string trace_perfetto;          // Chrome trace-event JSON timeline, empty = none
  std::string vcd;                     // VCD waveforms, empty = none
  VcdSignals vcd_signals{true, true, true};
  std::vector<BreakSpec> breaks;       // --break-on
  std::uint64_t break_skip = 0;        // --break-skip: matches to let pass before the first stop
  bool progress = false;               // a progress line on stderr when it is a terminal
  /// The golden sidecar to compare with when the digest differs; empty: the
  /// scenario's own (golden_path(sc.file)), when it expects a digest.
  std::string golden_file;
  bool record_golden = false;          // keep RunResult::golden (for --update-golden)
  std::string extra_trace_json;        // a second JSON Lines file (the repro directory's)
  std::optional<scenario::PlatformKind> platform;  // --platform: overrides the scenario's `platform`
};

struct RunResult {
  Picos sim_time = 0;
  std::uint64_t events = 0;
  std::uint64_t warnings = 0;
  std::uint64_t errors = 0;
  Digest digest;
  std::uint64_t seed = 0;
  bool finished = true;  // every process ended before the time limit
  bool ok = true;        // ... and did its work without error
  /// What the run showed, and the scenario's `expect` compared with it.
  scenario::Observed observed;
  scenario::Evaluation evaluation;
  bool passed() const { return evaluation.passed(); }
  std::optional<GoldenFile> golden;   // this run's golden file, with RunOptions::record_golden
};

class Process;
class QemuPlatform;
class FaultInjector;

/// Builds the machine. Call sim::fresh_kernel() first (run() in this file's
/// free function does it). Throws scenario::ScenarioError for a scenario the
/// platform cannot build (reported like a parse error).
class Platform {
 public:
  Platform(const scenario::Scenario& sc, const RunOptions& opts);
  ~Platform();

  RunResult run();

  Trace& trace() { return trace_; }
  GuestMemory& memory() { return memory_; }
  pci::RootComplex& root_complex() { return *rc_; }
  pci::InterruptController& interrupt_controller() { return *irqc_; }
  kernel::Kernel* kernel() { return kernel_.get(); }
  BusMaster& cpu_bus() { return *cpu_bus_; }
  std::uint64_t seed() const { return seed_; }
  const scenario::Scenario& scenario() const { return sc_; }
  const std::vector<std::unique_ptr<pci::PciFunction>>& devices() const { return devices_; }
  std::ostream& out();

  /// The platform being run or built, for the debugger API (debug_api.hpp);
  /// null when there is none.
  static Platform* current();

 private:
  const scenario::Scenario& sc_;
  RunOptions opts_;
  std::uint64_t seed_;
  Trace trace_;
  std::unique_ptr<QemuPlatform> qemu_;  // platform qemu: QEMU runs before the memory that maps its RAM
  GuestMemory memory_;
  std::unique_ptr<pci::InterruptController> irqc_;
  std::unique_ptr<pci::RootComplex> rc_;
  std::unique_ptr<sc_core::sc_module> qemu_bridge_;  // platform qemu: on the CPU bus in the root complex's place
  std::unique_ptr<BusMaster> rc_idle_bus_;           // platform qemu: the root complex stays, empty and idle
  std::unique_ptr<BusMaster> cpu_bus_;
  std::vector<std::unique_ptr<pci::PciFunction>> devices_;
  std::unique_ptr<FaultInjector> faults_;  // the scenario's `faults`, when it has any
  std::unique_ptr<kernel::Kernel> kernel_;
  std::vector<std::unique_ptr<Process>> processes_;  // built-in programs (pci-probe)
  std::size_t builtin_running_ = 0;
  bool stop_requested_ = false;
  void maybe_stop();

  // Expectations, goldens and debugging: sinks on the trace (see platform.cpp).
  class ExpectSink;
  ExpectSink* expect_sink_ = nullptr;   // owned by trace_
  GoldenRecorder* golden_rec_ = nullptr;  // owned by trace_
  std::optional<GoldenFile> golden_;      // the file compared with
  std::string golden_why_;                // why there is none
  std::unique_ptr<Breaker> breaker_;
  std::unique_ptr<Progress> progress_;
  void add_sinks();
  void schedule_time_breaks();
  void observe(RunResult& r);
  void report_results();
};

/// The driver and application programs the kernel model can run, by name.
const kernel::Kernel::Programs& programs();
/// Programs that get the bus driver's privileges (ECAM, granting BARs).
bool is_privileged_program(const std::string& name);

/// A program the platform runs on a CPU (until the kernel model exists, the
/// built-in probe). Runs as a SystemC thread.
class Process {
 public:
  virtual ~Process() = default;
  virtual void main() = 0;  // called in a SystemC thread at time 0
  virtual bool ok() const = 0;
};

/// Makes a fresh SystemC kernel, builds the machine and runs it.
RunResult run(const scenario::Scenario& sc, const RunOptions& opts);

}  // namespace sim::platform
