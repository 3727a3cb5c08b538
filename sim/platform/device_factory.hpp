// Device models by scenario type: one place that maps `type:` to a model.
#pragma once

#include <cstdint>
#include <memory>

#include "devices/pci/pci_function.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::platform {

/// Builds the model of a scenario device. Throws scenario::ScenarioError for
/// a type this build cannot make.
std::unique_ptr<pci::PciFunction> make_device(const scenario::DeviceSpec& d, Trace& trace, std::uint64_t seed);

}  // namespace sim::platform
