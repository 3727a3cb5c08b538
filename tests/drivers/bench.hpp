// Test bench for driver tests: a fake machine, a fake kernel, and helpers to
// build the usual functions and start pcid.
#pragma once

#include <string>
#include <vector>

#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/pcid.hpp"
#include "tests/drivers/fake_kernel.hpp"
#include "tests/drivers/fake_machine.hpp"
#include "tests/drivers/fake_pci_test.hpp"

namespace fake {

/// An NVMe-like function: class 01/08/02, 64-bit 16 KiB BAR0 holding an
/// 8-entry MSI-X table at 0x2000 and its PBA at 0x3000, PCIe with 512-byte
/// Max_Payload_Size Supported.
inline FakeFunction& add_nvme_like(FakeMachine& m, std::uint8_t dev, std::uint8_t fn = 0) {
  FakeFunction& f = m.emplace<FakeFunction>(dev, fn, 0x1B36, 0x0010, 0x01, 0x08, 0x02);
  f.cs.define_bar(0, pci::BarKind::mem64, 16 * 1024, false);
  f.add_pcie(512);
  f.add_msix(8, 0, 0x2000, 0, 0x3000);
  return f;
}

/// An xHCI-like function: class 0c/03/30, 64-bit 64 KiB BAR0, MSI with 8
/// vectors (no per-vector masking), PCIe with 128-byte MPS supported.
inline FakeFunction& add_xhci_like(FakeMachine& m, std::uint8_t dev, std::uint8_t fn = 0) {
  FakeFunction& f = m.emplace<FakeFunction>(dev, fn, 0x1B36, 0x000D, 0x0C, 0x03, 0x30);
  f.cs.define_bar(0, pci::BarKind::mem64, 64 * 1024, false);
  f.add_pcie(128);
  f.add_msi(8, false);
  return f;
}

/// A function with a 32-bit 4 KiB BAR0 and no capabilities.
inline FakeFunction& add_plain(FakeMachine& m, std::uint8_t dev, std::uint8_t fn = 0, std::uint16_t device = 0x0001) {
  FakeFunction& f = m.emplace<FakeFunction>(dev, fn, 0x1234, device, 0x05, 0x80, 0x00);
  f.cs.define_bar(0, pci::BarKind::mem32, 4096, false);
  return f;
}

struct Bench {
  FakeMachine machine;
  FakeKernel kernel{machine};
  FakeProcess* pcid = nullptr;

  pcid::Ecam ecam() { return pcid::Ecam(hal::Mmio(&machine, pcid::kEcamBase, pcid::kEcamBusSize)); }

  /// Starts pcid (privileged, granted ECAM) and runs until idle.
  FakeProcess& start_pcid(std::vector<std::string> args = {}) {
    pcid = &kernel.start("pcid", std::move(args), pcid_main, true);
    kernel.grant(pcid->pid(), pcid::kEcamBase, pcid::kEcamSize);
    kernel.run_until_idle();
    return *pcid;
  }

  /// The process pcid spawned running `program` (the first one).
  FakeProcess& spawned(const std::string& program) {
    for (const auto& s : kernel.spawns)
      if (s.program == program) return kernel.process(s.pid);
    throw std::runtime_error("not spawned: " + program);
  }
};

}  // namespace fake
