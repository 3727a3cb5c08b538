// Interrupt set-up for the pci-test device, preferring MSI-X, then MSI (as
// Redox's drivers do; INTx is not routed on this platform):
//  - MSI-X: the driver maps the BAR holding the table, writes entry 0's
//    message (address, data of the irq vector it allocated), unmasks the
//    entry, then asks pcid to enable MSI-X;
//  - MSI: asks pcid to program the message for one vector, clears the
//    vector's mask (if the function masks per vector) and enable MSI.
// Either way INTx is disabled through pcid. The device raises interrupt
// source 0 (DMA_VECTOR = 0).
#pragma once

#include <optional>

#include "drivers/hal/irq.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/pcid/client.hpp"
#include "drivers/pcid/protocol.hpp"

namespace testdev {

enum class IrqMode { msix, msi };

const char* mode_name(IrqMode m);

struct MappedBars {
  std::optional<hal::Mmio> bars[pcid::kNumBars];
};

/// Maps BAR `index` of the function (the whole BAR) unless already mapped.
hal::Result<hal::Mmio> map_bar(hal::Sys& sys, const pcid::FunctionConfig& cfg, MappedBars& mapped, unsigned index);

struct InterruptSetup {
  hal::IrqVector irq;
  IrqMode mode = IrqMode::msix;
};

/// Allocates a vector on this process's CPU and routes source 0 to it.
hal::Task<hal::Result<InterruptSetup>> setup_interrupt(hal::Sys& sys, pcid::PcidClient& pcid,
                                                       const pcid::FunctionConfig& cfg, MappedBars& mapped);

}  // namespace testdev
