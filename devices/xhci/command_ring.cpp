// The Command Ring (xHCI 1.2 §4.6.1, §5.4.5): CRCR, doorbell 0, Command
// Stop and Command Abort, and Command Completion Events.
#include "devices/xhci/xhci_controller.hpp"

namespace xhci {

void XhciController::write_crcr(bool high, std::uint32_t v) {
  if (crr_) {
    // §5.4.5: while the ring runs only CS and CA take effect.
    if (!high && (v & (kCrcrCs | kCrcrCa))) {
      trace_.info(component(), "cmd.stop_requested", {{"abort", (v & kCrcrCa) != 0}});
      cmd_stop_ = true;
      if (!cmd_busy_) command_ring_stopped();
    }
    return;
  }
  const std::uint64_t cur = cmd_ring_.dequeue();
  if (high) {
    cmd_ring_.set((cur & 0xFFFF'FFFFULL) | (std::uint64_t{v} << 32), cmd_ring_.cycle());
  } else {
    cmd_ring_.set((cur & ~0xFFFF'FFFFULL) | (v & kCrcrPointerMask), (v & kCrcrRcs) != 0);
  }
}

void XhciController::command_doorbell() {
  if (!running()) {
    trace_.warn(component(), "doorbell.while_halted", {{"target", 0}});
    return;
  }
  crr_ = true;
  if (cmd_busy_) return;
  cmd_busy_ = true;
  cmd_ticket_ = queue_.after(p_.timing.doorbell_latency, [this] {
    cmd_ticket_ = EventQueue::Ticket{};
    process_command();
  });
}

void XhciController::command_ring_stopped() {
  cmd_stop_ = false;
  crr_ = false;
  cmd_busy_ = false;
  // §4.6.1.1: the event points at the command the ring stopped on.
  post_event(0, command_completion_event(cmd_ring_.dequeue(), CompletionCode::command_ring_stopped, 0), true);
}

void XhciController::process_command() {
  cmd_busy_ = true;
  if (!running()) {
    cmd_busy_ = false;
    return;
  }
  if (cmd_stop_) return command_ring_stopped();
  dma_error_ = false;
  Trb t;
  std::uint64_t addr = 0;
  switch (cmd_ring_.peek(dma_, t, addr)) {
    case Fetch::empty: cmd_busy_ = false; return;
    case Fetch::dma_error: cmd_busy_ = false; return host_system_error("command ring fetch failed");
    case Fetch::bad_link:
      cmd_busy_ = false;
      trace_.warn(component(), "cmd.bad_link", {{"address", sim::Hex{addr}}});
      return host_system_error("malformed command ring");
    case Fetch::ok: break;
  }
  std::uint8_t slot = t.slot_id();
  const CompletionCode cc = execute_command(t, slot);
  if (dma_error_) return host_system_error("command context access failed");
  trace_.info(component(), "cmd", {{"type", to_string(t.type())}, {"slot", slot}, {"cc", to_string(cc)}});
  const sim::Picos cost = dma_.take_cost() + p_.timing.command_time;
  cmd_ticket_ = queue_.after(cost, [this, addr, cc, slot] {
    cmd_ticket_ = EventQueue::Ticket{};
    finish_command(addr, cc, slot);
  });
}

void XhciController::finish_command(std::uint64_t addr, CompletionCode cc, std::uint8_t slot) {
  cmd_ring_.advance();
  post_event(0, command_completion_event(addr, cc, slot), true);
  if (cmd_stop_) return command_ring_stopped();
  process_command();
}

}  // namespace xhci
