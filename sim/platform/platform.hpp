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
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::platform {

struct RunOptions {
  std::optional<std::uint64_t> seed;   // overrides the scenario's
  std::string trace_json;              // JSON Lines file, empty = none
  Severity log_level = Severity::warn;  // text log on stderr
  std::ostream* out = nullptr;         // human-readable report (stdout)
};

struct RunResult {
  Picos sim_time = 0;
  std::uint64_t events = 0;
  std::uint64_t warnings = 0;
  std::uint64_t errors = 0;
  Digest digest;
  bool finished = true;  // every process ended before the time limit
  bool ok = true;        // ... and did its work without error
};

class Process;

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
  std::ostream& out();

 private:
  const scenario::Scenario& sc_;
  RunOptions opts_;
  std::uint64_t seed_;
  Trace trace_;
  GuestMemory memory_;
  std::unique_ptr<pci::InterruptController> irqc_;
  std::unique_ptr<pci::RootComplex> rc_;
  std::unique_ptr<BusMaster> cpu_bus_;
  std::vector<std::unique_ptr<pci::PciFunction>> devices_;
  std::unique_ptr<kernel::Kernel> kernel_;
  std::vector<std::unique_ptr<Process>> processes_;  // built-in programs (pci-probe)
  std::size_t builtin_running_ = 0;
  bool stop_requested_ = false;
  void maybe_stop();
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
