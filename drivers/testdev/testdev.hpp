// testdev: the driver of the pci-test device (docs/drivers/testdev.md). It
// shows the whole path a real driver takes: attach to pcid, fetch its
// function's configuration, map BAR0 (and the MSI-X table's BAR), route an
// interrupt vector to the device (MSI-X, or MSI), then run DMA copies, each
// completed by the interrupt, verifying the data. Prints one summary line.
//
// Arguments: options.hpp. Exit status: 0 all copies verified, 2 bad
// arguments, 1 anything else.
#pragma once

#include <string>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/testdev/copy_engine.hpp"
#include "drivers/testdev/interrupt.hpp"
#include "drivers/testdev/options.hpp"

namespace testdev {

struct Summary {
  std::string bdf;
  IrqMode mode = IrqMode::msix;
  CopyStats stats;
  std::uint32_t size = 0;
};

/// Everything after argument parsing.
hal::Task<hal::Result<Summary>> run(hal::Sys& sys, const Options& options);
/// "testdev 00:03.0: 4 copies x 65536 bytes = 262144 bytes over MSI-X, data verified, mean 70000 ns per copy"
std::string summary_line(const Summary& s);

}  // namespace testdev

hal::Task<int> testdev_main(hal::Sys& sys);
