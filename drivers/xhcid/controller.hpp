// The xHCI host controller as xhcid drives it: bring-up in the order of
// xHCI 1.2 §4.2, the command ring, the event ring of interrupter 0 and the
// one task that handles its interrupts.
//
// Interrupt driven, always: the event task waits on the MSI-X vector (never
// on a timer), drains the event ring by cycle bit, writes ERDP with EHB and
// dispatches each event: Command Completion to the command's waiter,
// Transfer to the endpoint that owns the TRB, Port Status Change to the port
// task. Dispatching only completes Signals and pushes to Mailboxes, which
// wake tasks onto the executor's ready queue: the event task never waits for
// anything but the interrupt, so it cannot deadlock against a waiter (the bug
// that sent Redox's xhcid back to polling).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/irq.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/xhcid/page_pool.hpp"
#include "drivers/xhcid/ring.hpp"
#include "drivers/xhcid/trb.hpp"

namespace xhcid {

/// A Supported Protocol capability (§7.2): which ports speak which USB.
struct Protocol {
  std::uint8_t major = 0, minor = 0;  // 0x02 / 0x03 ...
  unsigned first_port = 0, port_count = 0;
  unsigned slot_type = 0;  // Protocol Slot Type for Enable Slot
  bool covers(unsigned port) const { return port >= first_port && port < first_port + port_count; }
};
/// Decodes the four dwords of a Supported Protocol capability.
Protocol parse_supported_protocol(const std::uint32_t dw[4]);

struct CommandResult {
  CompletionCode code = CompletionCode::invalid;
  std::uint8_t slot = 0;
  std::uint32_t parameter = 0;
  bool ok() const { return code == CompletionCode::success; }
};

struct ControllerStats {
  std::uint64_t interrupts = 0;   // MSI-X interrupts the irq scheme delivered
  std::uint64_t wakeups = 0;      // times the event task woke from its irq wait
  std::uint64_t events = 0;       // event TRBs consumed
  std::uint64_t commands = 0;
  std::uint64_t spurious_wakeups = 0;  // interrupts that found no event
  std::uint64_t init_polls = 0;   // register polls during bring-up (the only sleeps)
};

class Controller {
 public:
  struct Params {
    std::uint32_t imod_interval = 0;  // IMOD IMODI, 250 ns units
    unsigned event_ring_trbs = 256;
    unsigned command_ring_trbs = 256;
  };

  Controller(hal::Sys& sys, hal::Mmio bar0, Params params);
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  /// §4.2 up to (not including) setting R/S: legacy hand-off, halt, HCRST,
  /// wait for CNR, MaxSlotsEn, DCBAAP, scratchpads, command ring, event
  /// ring, IMOD.
  hal::Task<hal::Result<void>> reset_and_init();
  /// IMAN.IE, USBCMD.INTE and R/S; waits for HCH to clear.
  hal::Task<hal::Result<void>> run();
  /// The event task: waits on `irq`, drains, dispatches. Returns only if the
  /// irq wait fails.
  hal::Task<void> event_loop(hal::IrqVector irq);

  /// Puts a command on the command ring, rings doorbell 0 and waits for its
  /// Command Completion Event.
  hal::Task<CommandResult> command(Trb trb);

  // Registers.
  std::uint32_t portsc(unsigned port) const;
  void write_portsc(unsigned port, std::uint32_t value) const;
  /// Doorbell `slot` (1..MaxSlots) with DB Target `target` (the DCI).
  void ring_doorbell(unsigned slot, unsigned target) const;
  std::uint32_t usbsts() const;

  // What bring-up learnt.
  unsigned max_slots() const { return max_slots_; }
  unsigned port_count() const { return max_ports_; }
  unsigned context_size() const { return context_size_; }
  bool port_power_control() const { return ppc_; }
  const std::vector<Protocol>& protocols() const { return protocols_; }
  /// The Supported Protocol of `port`, if any.
  const Protocol* protocol_of(unsigned port) const;
  std::uint16_t hci_version() const { return hci_version_; }

  /// DCBAA[slot] = the slot's output Device Context (0 to clear).
  void set_device_context(unsigned slot, std::uint64_t phys);
  PagePool& pages() { return pages_; }
  hal::Sys& sys() { return sys_; }
  const ControllerStats& stats() const { return stats_; }

  // Where events go. Each is called from the event task; it must not block.
  std::function<void(unsigned port)> on_port_change;
  std::function<void(const Trb& event)> on_transfer_event;

 private:
  hal::Task<hal::Result<void>> wait_register(std::uint32_t offset, std::uint32_t mask, std::uint32_t want,
                                             std::uint64_t timeout_ns, const char* what);
  hal::Task<hal::Result<void>> take_ownership();
  void read_protocols();
  void drain();
  void dispatch(const Trb& event);
  std::uint64_t op(std::uint32_t reg) const { return op_base_ + reg; }
  std::uint64_t ir0(std::uint32_t reg) const { return rt_base_ + 0x20 + reg; }

  hal::Sys& sys_;
  hal::Mmio bar_;
  Params params_;
  PagePool pages_;
  std::uint32_t op_base_ = 0, rt_base_ = 0, db_base_ = 0, xecp_ = 0;
  unsigned max_slots_ = 0, max_ports_ = 0, max_intrs_ = 0, context_size_ = 32;
  unsigned scratchpads_ = 0;
  bool ppc_ = false;
  std::uint16_t hci_version_ = 0;
  std::vector<Protocol> protocols_;
  hal::DmaBuffer dcbaa_, scratchpad_array_, erst_;
  std::vector<hal::DmaBuffer> scratchpad_pages_;
  ProducerRing cmd_ring_;
  EventRing event_ring_;
  std::map<std::uint64_t, hal::Signal<CommandResult>*> commands_;  // command TRB address -> waiter
  hal::WaitList cmd_room_;
  ControllerStats stats_;
};

}  // namespace xhcid
