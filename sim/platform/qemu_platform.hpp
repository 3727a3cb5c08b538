// `platform: qemu` (docs/qemu-platform.md): the scenario's NVMe and xHCI
// devices are QEMU's, started by drvsim and reached over qtest, under the
// unchanged kernel model and drivers. This file turns a scenario into a QEMU
// machine; Platform (platform.cpp) puts the bridge where the root complex
// would be.
#pragma once

#include <memory>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/qemu/qemu_bridge.hpp"
#include "devices/qemu/qemu_devices.hpp"
#include "devices/qemu/qemu_process.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::platform {

/// The QEMU machine for `sc`'s devices. Throws scenario::ScenarioError (at
/// the device or key) for what QEMU's models cannot stand in for: pci-test
/// devices, hotplug, USB capture, Vendor/Device ID overrides, more than
/// 2 GiB of memory.
qemu::MachineSpec qemu_machine_spec(const scenario::Scenario& sc);

/// A running QEMU for a scenario: its directory (images, socket, log) and
/// process, both removed by the destructor.
class QemuPlatform {
 public:
  /// Starts QEMU. Throws scenario::ScenarioError for a scenario it cannot
  /// run, std::runtime_error when QEMU is missing or does not start.
  explicit QemuPlatform(const scenario::Scenario& sc);

  int ram_fd() const { return process_->ram_fd(); }
  /// The bridge standing in for the root complex (call once, after the
  /// guest memory over ram_fd() exists).
  std::unique_ptr<qemu::QemuBridge> make_bridge(Trace& trace, GuestMemory& memory, pci::InterruptController& irqc);
  qemu::QemuProcess& process() { return *process_; }

 private:
  qemu::MachineSpec spec_;
  std::vector<qemu::VisibleFunction> functions_;
  qemu::TempDir dir_;
  std::unique_ptr<qemu::QemuProcess> process_;
};

}  // namespace sim::platform
