// Interrupt vectors for nvmed's completion queues. MSI-X (preferred): one
// table entry per CQ — entry 0 for the admin CQ (§3.1.8: the admin CQ uses
// interrupt vector 0), entry k for I/O queue k, each a kernel vector
// allocated on the CPU whose requests that queue serves. nvmed maps the
// BAR holding the table, writes each entry's message (address, data),
// unmasks it, then asks pcid to enable MSI-X and to disable INTx. Without
// MSI-X: one MSI vector shared by every CQ. INTx is not routed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "drivers/hal/irq.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/pcid/client.hpp"
#include "drivers/pcid/protocol.hpp"

namespace nvmed {

/// The function's BARs, mapped on first use (the whole BAR).
class Bars {
 public:
  Bars(hal::Sys& sys, const pcid::FunctionConfig& cfg) : sys_(sys), cfg_(cfg) {}
  hal::Result<hal::Mmio> map(unsigned index);

 private:
  hal::Sys& sys_;
  const pcid::FunctionConfig& cfg_;
  std::optional<hal::Mmio> mapped_[pcid::kNumBars];
};

enum class IrqMode : std::uint8_t { msix, msi };
const char* irq_mode_name(IrqMode m);

struct InterruptSetup {
  IrqMode mode = IrqMode::msix;
  /// By NVMe interrupt vector (MSI-X entry): [0] the admin CQ's.
  std::vector<hal::IrqVector> vectors;
  /// The interrupt vector of I/O queue `index` (0-based).
  std::uint16_t vector_for_queue(std::size_t index) const {
    return vectors.size() > 1 ? static_cast<std::uint16_t>(1 + index % (vectors.size() - 1)) : 0;
  }
};

/// The CPU I/O queue `index` serves (and its vector targets).
constexpr unsigned cpu_for_queue(std::size_t index, unsigned cpu_count) {
  return static_cast<unsigned>(index % (cpu_count ? cpu_count : 1));
}

/// Allocates vectors for the admin queue (on `admin_cpu`) and up to
/// `io_queues` I/O queues, routes them and enables the mechanism. With
/// `allow_msix` false, MSI is used even if MSI-X is present.
hal::Task<hal::Result<InterruptSetup>> setup_interrupts(hal::Sys& sys, pcid::PcidClient& pcid,
                                                        const pcid::FunctionConfig& cfg, Bars& bars,
                                                        unsigned admin_cpu, unsigned io_queues, bool allow_msix);

}  // namespace nvmed
