// Device models by scenario type: one place that maps `type:` to a model.
#pragma once

#include <cstdint>
#include <memory>

#include "devices/pci/pci_function.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace usb {
class UsbMassStorage;
}

namespace sim::platform {

/// Builds the model of a scenario device. Throws scenario::ScenarioError for
/// a type this build cannot make.
std::unique_ptr<pci::PciFunction> make_device(const scenario::DeviceSpec& d, Trace& trace, std::uint64_t seed);

/// The USB mass-storage device called `name` plugged into `device` (an xHCI
/// controller make_device built), or null.
usb::UsbMassStorage* find_usb_storage(pci::PciFunction& device, const std::string& name);

}  // namespace sim::platform
