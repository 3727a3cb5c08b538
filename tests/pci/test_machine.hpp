// A small machine for PCI tests: guest memory, interrupt controller, root
// complex, a CPU-side bus master, and pci-test devices. The test body runs in
// a SystemC thread so it can wait for simulated time like a driver would.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_regs.hpp"
#include "devices/pci/pci_test_device.hpp"
#include "devices/pci/root_complex.hpp"
#include "sim/core/address_map.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace pcitest {

using Dev = pci::PciTestDevice;

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

class Machine {
  FreshKernel fresh_;  // first member: a new SystemC kernel before any module

 public:
  sim::Trace trace;
  sim::GuestMemory mem{64ULL << 20};
  pci::InterruptController irqc{"irqc", trace, 2};
  pci::RootComplex rc{"rc", trace, mem, irqc};
  sim::BusMaster cpu{"cpu"};
  std::vector<std::unique_ptr<Dev>> devs;
  std::vector<pci::Interrupt> irqs;
  sc_core::sc_event irq_event;

  Machine() {
    cpu.socket.bind(rc.cpu_socket);
    irqc.set_handler([this](const pci::Interrupt& i) {
      irqs.push_back(i);
      irq_event.notify(sc_core::SC_ZERO_TIME);
    });
  }

  Dev& add(const char* name, std::uint8_t dev, std::uint8_t fn, pci::PciTestParams p = {}) {
    devs.push_back(std::make_unique<Dev>(name, trace, p));
    rc.attach(*devs.back(), dev, fn);
    return *devs.back();
  }

  /// Runs `body` in a SystemC thread; fails the test if it does not finish.
  void run(std::function<void()> body, sim::Picos limit = sim::ms(10)) {
    bool finished = false;
    sc_core::sc_spawn([&] {
      body();
      finished = true;
      sc_core::sc_stop();
    });
    sc_core::sc_start(sim::to_sc(limit));
    ASSERT_TRUE(finished) << "test body did not finish within the time limit";
  }

  static std::uint64_t ecam(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg) {
    return sim::addr::kEcamBase | (std::uint64_t{dev} << 15) | (std::uint64_t{fn} << 12) | reg;
  }
  std::uint32_t cfg_read(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    auto v = static_cast<std::uint32_t>(cpu.read(ecam(dev, fn, reg), size, d));
    sc_core::wait(d);
    return v;
  }
  void cfg_write(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, std::uint32_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(ecam(dev, fn, reg), size, v, d);
    sc_core::wait(d);
  }
  std::uint64_t rd(std::uint64_t a, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    auto v = cpu.read(a, size, d);
    sc_core::wait(d);
    return v;
  }
  void wr(std::uint64_t a, std::uint64_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(a, size, v, d);
  }
  /// Programs BAR0 (and BAR2 when present) and sets MSE|BME, as pcid would.
  void enable(std::uint8_t dev, std::uint8_t fn, std::uint64_t bar0, std::uint64_t bar2 = 0,
              std::uint16_t command = pci::kCommandMemorySpace | pci::kCommandBusMaster) {
    cfg_write(dev, fn, pci::kBar0, static_cast<std::uint32_t>(bar0));
    if (cfg_read(dev, fn, pci::kBar0) & pci::kBarMemType64) cfg_write(dev, fn, pci::kBar0 + 4, bar0 >> 32);
    if (bar2) {
      cfg_write(dev, fn, pci::kBar0 + 8, static_cast<std::uint32_t>(bar2));
      cfg_write(dev, fn, pci::kBar0 + 12, static_cast<std::uint32_t>(bar2 >> 32));
    }
    cfg_write(dev, fn, pci::kCommand, command, 2);
  }
  /// Waits until `n` interrupts have arrived or `limit` passes.
  void wait_irqs(std::size_t n, sim::Picos limit = sim::us(100)) {
    const sim::Picos end = sim::now() + limit;
    while (irqs.size() < n && sim::now() < end) sc_core::wait(sim::to_sc(end - sim::now()), irq_event);
  }
};

}  // namespace pcitest
