// Applies a scenario's `faults` at their simulated times (docs/scenario-format.md#faults).
#pragma once

#include <systemc>

#include <memory>
#include <string>
#include <vector>

#include "devices/pci/pci_function.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::platform {

/// One SystemC thread that sleeps until each fault's `at` (in the order of
/// time, then of the file) and hands it to its device model. Each application
/// is a warning trace event `<device>/fault` with the kind and its fields.
/// Deterministic: only simulated time decides when.
class FaultInjector : public sc_core::sc_module {
 public:
  /// Finds every fault's device among `devices` (and their USB devices);
  /// throws scenario::ScenarioError at the fault for one the build cannot reach.
  FaultInjector(sc_core::sc_module_name name, Trace& trace, const std::vector<scenario::FaultSpec>& faults,
                const std::vector<std::unique_ptr<pci::PciFunction>>& devices);
  ~FaultInjector() override;

 private:
  struct Target;
  void body();
  void apply(const Target& t);

  Trace& trace_;
  std::vector<Target> targets_;  // sorted by time, then by the order written
};

}  // namespace sim::platform
