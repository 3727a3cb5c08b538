// A machine with the kernel model for tests: memory, root complex, interrupt
// controller, pci-test devices, and programs written as HAL coroutines.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_test_device.hpp"
#include "devices/pci/root_complex.hpp"
#include "drivers/hal/file.hpp"
#include "drivers/hal/irq.hpp"
#include "kernel-model/kernel.hpp"
#include "sim/core/address_map.hpp"

namespace ktest {

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

class Machine {
  FreshKernel fresh_;

 public:
  sim::Trace trace;
  sim::GuestMemory mem{128ULL << 20};
  pci::InterruptController irqc{"irqc", trace, 2};
  pci::RootComplex rc{"rc", trace, mem, irqc};
  sim::BusMaster bus{"bus"};
  std::vector<std::unique_ptr<pci::PciTestDevice>> devs;
  std::unique_ptr<kernel::Kernel> k;
  std::vector<std::string> printed;
  bool stopped = false;

  explicit Machine(kernel::Kernel::Programs programs, unsigned cpus = 2, kernel::CostModel cost = {}) {
    bus.socket.bind(rc.cpu_socket);
    kernel::KernelConfig cfg;
    cfg.cpus = cpus;
    cfg.cost = cost;
    cfg.ecam_base = sim::addr::kEcamBase;
    cfg.ecam_size = sim::addr::kEcamSize;
    k = std::make_unique<kernel::Kernel>("kernel", trace, mem, bus, irqc, cfg, std::move(programs));
    k->on_print([this](std::string_view l) { printed.emplace_back(l); });
    k->on_foreground_change([this](std::size_t n) {
      if (n == 0) {
        stopped = true;
        sc_core::sc_stop();
      }
    });
  }

  pci::PciTestDevice& add_device(std::uint8_t dev, pci::PciTestParams p = {}) {
    devs.push_back(std::make_unique<pci::PciTestDevice>(("dev" + std::to_string(dev)).c_str(), trace, p));
    rc.attach(*devs.back(), dev, 0);
    return *devs.back();
  }

  /// Spawns the programs (first privileged if asked), runs until no
  /// foreground process is left or `limit` passes.
  void run(std::vector<std::string> programs, bool first_privileged = false, sim::Picos limit = sim::ms(50)) {
    bool first = true;
    for (const auto& p : programs) {
      auto r = k->spawn(p, {}, 0, 0, first && first_privileged);
      ASSERT_TRUE(r.has_value()) << p;
      first = false;
    }
    sc_core::sc_start(sim::to_sc(limit));
  }

  std::uint64_t warnings() const { return trace.count(sim::Severity::warn); }
};

}  // namespace ktest
