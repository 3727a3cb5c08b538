// A QEMU machine for tests: QEMU's NVMe at 00:04.0 and xHCI at 00:06.0 (one
// usb-storage device on port 1), guest RAM shared, the bridge on a CPU bus,
// the interrupt controller. With `with_kernel`, the kernel model runs pcid
// (which spawns nvmed and xhcid) over it, unchanged.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/qemu/qemu_bridge.hpp"
#include "devices/qemu/qemu_devices.hpp"
#include "devices/qemu/qemu_process.hpp"
#include "drivers/apps/blockbench.hpp"
#include "drivers/nvmed/nvmed.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"
#include "kernel-model/kernel.hpp"
#include "sim/core/address_map.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/time.hpp"
#include "sim/core/trace.hpp"

namespace qemutest {

inline constexpr std::uint64_t kRam = 256ULL << 20;

inline qemu::MachineSpec default_spec() {
  qemu::MachineSpec s;
  qemu::NvmeSpec n;
  n.name = "nvme0";
  n.device = 4;
  n.serial = "QEMU-ID-0001";
  n.namespaces = {{1, 64ULL << 20, 512, ""}, {2, 16ULL << 20, 4096, ""}};
  s.nvme.push_back(n);
  qemu::XhciSpec x;
  x.name = "xhci0";
  x.device = 6;
  x.usb3_ports = 0;
  qemu::UsbStorageSpec u;
  u.name = "stick";
  u.port = 1;
  u.capacity = 8ULL << 20;
  x.usb_devices.push_back(u);
  s.xhci.push_back(x);
  return s;
}

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

class QemuMachine {
  FreshKernel fresh_;  // a new SystemC kernel before any module

 public:
  sim::Trace trace;
  qemu::TempDir dir;
  std::unique_ptr<qemu::QemuProcess> qemu;
  std::unique_ptr<sim::GuestMemory> memory;
  std::unique_ptr<pci::InterruptController> irqc;
  std::unique_ptr<qemu::QemuBridge> bridge;
  std::unique_ptr<sim::BusMaster> cpu;
  std::unique_ptr<kernel::Kernel> kern;
  std::vector<std::string> printed;

  explicit QemuMachine(bool with_kernel, const qemu::MachineSpec& spec = default_spec()) {
    qemu::QemuConfig cfg;
    cfg.ram_bytes = kRam;
    cfg.device_args = qemu::device_args(spec, dir);
    if (std::getenv("DRVSIM_QEMU_TEST_LOG")) trace.add_sink(sim::make_text_sink(sim::Severity::debug));
    qemu = std::make_unique<qemu::QemuProcess>(dir, cfg);
    memory = std::make_unique<sim::GuestMemory>(kRam, qemu->ram_fd());
    irqc = std::make_unique<pci::InterruptController>("irqc", trace, 2);
    qemu::BridgeConfig bc;
    for (const auto& n : spec.nvme) bc.functions.push_back({n.device, n.function, n.name});
    for (const auto& x : spec.xhci) bc.functions.push_back({x.device, x.function, x.name});
    bridge = std::make_unique<qemu::QemuBridge>("bridge", trace, *memory, *irqc, qemu->qtest(), bc);
    cpu = std::make_unique<sim::BusMaster>("cpu");
    cpu->socket.bind(bridge->cpu_socket);
    if (with_kernel) {
      kernel::KernelConfig kc;
      kc.cpus = 2;
      kc.ecam_base = sim::addr::kEcamBase;
      kc.ecam_size = sim::addr::kEcamSize;
      kern = std::make_unique<kernel::Kernel>("kernel", trace, *memory, *cpu, *irqc, kc,
                                              kernel::Kernel::Programs{{"pcid", &pcid_main},
                                                                       {"nvmed", &nvmed_main},
                                                                       {"xhcid", &xhcid_main},
                                                                       {"usbscsid", &usbscsid_main},
                                                                       {"blockbench", &apps::blockbench_main}});
      kern->on_print([this](std::string_view l) { printed.emplace_back(l); });
    }
  }
  ~QemuMachine() { kern.reset(); }

  /// Runs until every non-daemon process has exited or `limit` of simulated time.
  bool run_until_done(sim::Picos limit) {
    return run_until([this] { return kern && kern->foreground() == 0; }, limit);
  }
  /// Runs until `done` holds or `limit` of simulated time (QEMU's pace is
  /// the host's: wait for what must happen, not for a fixed time).
  template <class Done>
  bool run_until(Done done, sim::Picos limit) {
    const sc_core::sc_time slice(100, sc_core::SC_US);
    while (sim::now() < limit) {
      sc_core::sc_start(slice);
      if (done()) return true;
    }
    return false;
  }

  bool printed_line_with(const std::string& text) const {
    for (const std::string& l : printed)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all_printed() const {
    std::string s;
    for (const std::string& l : printed) s += l + "\n";
    return s;
  }
};

}  // namespace qemutest
