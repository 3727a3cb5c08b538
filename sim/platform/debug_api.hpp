// A small C API for debuggers: gdb calls these functions in the stopped
// simulator (tools/gdb/drvsim.py: `drvsim now`, `drvsim irqs`, `drvsim
// queues`, `drvsim trace N`, `drvsim pci`). Each returns text in a buffer
// that stays valid until the next call; none changes the simulation.
#pragma once

#include <cstdint>

extern "C" {

/// Simulated time in picoseconds (0 when nothing runs).
std::uint64_t drvsim_debug_now(void);
/// The same, as text: "12.345678us".
const char* drvsim_debug_now_text(void);
/// The interrupt controller's counts per CPU and vector, and each PCI
/// function's MSI and MSI-X state: enabled, vectors, masks, pending bits.
const char* drvsim_debug_irqs(void);
/// The kernel's rings (each process's kernel ring) and every dumper
/// registered under "queues" (sim/core/debug_registry.hpp): NVMe and xHCI
/// queues when their models register them.
const char* drvsim_debug_queues(void);
/// The last `n` trace events (at most RunOptions::trace_tail, `--trace-tail`).
const char* drvsim_debug_trace(unsigned n);
/// Each PCI function: address, IDs, command, status, BARs.
const char* drvsim_debug_pci(void);
/// Every dumper registered under `category`.
const char* drvsim_debug_dump(const char* category);
/// The configuration space of the `index`-th PCI function (in bus order, as
/// `drvsim pci` lists them), a `const pci::ConfigSpace*`, for gdb's printer:
/// `print *(pci::ConfigSpace*)drvsim_debug_config_space(0)`; null if none.
const void* drvsim_debug_config_space(unsigned index);
}

namespace sim::platform {
/// Does nothing; the platform calls it so that the linker keeps this API in
/// every executable that links the platform (gdb calls it by name).
void debug_api_linked();
}  // namespace sim::platform
