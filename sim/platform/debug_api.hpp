// A small C API for debuggers: gdb calls these functions in the stopped
// simulator (tools/gdb/drvsim.py: `drvsim now`, `drvsim irqs`, `drvsim
// queues`, `drvsim trace N`, `drvsim pci`, `drvsim cqe`, `drvsim
// event-ring`). Each returns text in a buffer that stays valid until the next
// call, or a pointer to a copy; none changes the simulation (guest memory is
// read directly, with no transaction and no simulated time).
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

// The completion being handled at an interrupt. DEVICE is a scenario name
// ("nvme0"; null or "" for the device of the last --break-on irq stop, else
// every device of the kind); CPU and VECTOR the CPU vector the interrupt
// arrived on (VECTOR < 0: the last irq stop's, else every vector). The
// device's MSI-X (or MSI) vectors that target it pick the queues it serves.

/// NVMe: each completion queue the interrupt serves: ID, base, size, head
/// (the host's CQ Head Doorbell), tail, Phase Tag, vector, its SQs' heads and
/// tails, and how many entries the host has not released (head to tail).
const char* drvsim_debug_nvme_cq(const char* device, int cpu, int vector);
/// The `index`-th of those unreleased entries (0: the one at the head of the
/// first CQ, the entry being handled), read from guest memory into a copy: a
/// `const nvme::Cqe*` for gdb's printer; null past the last.
const void* drvsim_debug_nvme_cqe(const char* device, int cpu, int vector, unsigned index);
/// xHCI: the event ring of each interrupter the interrupt serves: IMAN,
/// ERSTBA/ERSTSZ, ERDP with EHB (the host's dequeue pointer), the
/// controller's enqueue pointer, unconsumed events.
const char* drvsim_debug_xhci_event_ring(const char* device, int cpu, int vector);
/// The `index`-th unconsumed event TRB (0: the one at ERDP, being handled),
/// a `const xhci::Trb*` copy; null past the last.
const void* drvsim_debug_xhci_event(const char* device, int cpu, int vector, unsigned index);
/// NVMe: the command a completion answers, found in submission queue `sqid`
/// by its CID, backwards from the SQ head (the last fetched first): a copy,
/// a `const nvme::Sqe*`; null when that slot has been reused or not found.
const void* drvsim_debug_nvme_sqe(const char* device, unsigned sqid, unsigned cid);
/// `len` bytes (at most 4096) of guest memory at `address`, copied: cast it
/// for a printer (`print *(const xhci::Trb*)drvsim_debug_guest_read(a, 16)`);
/// null outside guest memory.
const void* drvsim_debug_guest_read(std::uint64_t address, unsigned len);
/// Where the entry the last drvsim_debug_nvme_cqe / drvsim_debug_xhci_event
/// call returned sits: "nvme0 CQ1[5] at 0x1234000".
const char* drvsim_debug_entry_where(void);
}

namespace sim::platform {
/// Does nothing; the platform calls it so that the linker keeps this API in
/// every executable that links the platform (gdb calls it by name).
void debug_api_linked();
}  // namespace sim::platform
