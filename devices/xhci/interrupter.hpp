// One interrupter of the runtime register space (xHCI 1.2 §4.17, §5.5.2):
// IMAN, IMOD, ERSTSZ, ERSTBA, ERDP, its event ring, and interrupt
// moderation. With MSI-X each interrupter raises its own vector and IMAN.IP
// clears when the message has been sent (§5.5.2.1).
#pragma once

#include <cstdint>
#include <functional>

#include "devices/xhci/dma.hpp"
#include "devices/xhci/event_queue.hpp"
#include "devices/xhci/event_ring.hpp"
#include "sim/core/trace.hpp"

namespace xhci {

class Interrupter {
 public:
  struct Hooks {
    std::function<bool()> interrupts_enabled;  // USBCMD.INTE
    std::function<void()> set_eint;             // IP went from 0 to 1: USBSTS.EINT
    std::function<void(unsigned index)> raise;  // send the MSI-X message
    std::function<void(const char* why)> host_system_error;
  };
  static constexpr sim::Picos kImodUnit = sim::ns(250);

  Interrupter(unsigned index, EventQueue& q, sim::Trace& trace, const std::string& component, Hooks hooks)
      : index_(index), q_(q), trace_(trace), component_(component), hooks_(std::move(hooks)) {}

  void reset();
  std::uint32_t read(std::uint32_t offset) const;  // dword offsets 0x00..0x1C
  void write(Dma& dma, std::uint32_t offset, std::uint32_t value);
  /// Posts an event; `interrupt` says whether it asks for an interrupt
  /// (IOC, an error, a command completion, a port change; not with BEI).
  void post(Dma& dma, const Trb& ev, bool interrupt);
  /// USBCMD.INTE or IMAN.IE changed: an IP that was held may now go out.
  void reevaluate();

  const EventRing& ring() const { return ring_; }
  std::uint64_t interrupts() const { return interrupts_; }
  std::uint64_t events() const { return events_; }

 private:
  void try_fire();
  void init_ring(Dma& dma);
  sim::Picos imod_interval() const { return (imod_ & 0xFFFF) * kImodUnit; }

  unsigned index_;
  EventQueue& q_;
  sim::Trace& trace_;
  const std::string& component_;
  Hooks hooks_;
  std::uint32_t iman_ = 0, imod_ = 4000;  // IMODI resets to 4000 (1 ms), §5.5.2.2
  std::uint32_t erstsz_ = 0;
  std::uint64_t erstba_ = 0, erdp_ = 0;
  bool ehb_ = false;
  bool pending_ = false;          // the Interrupt Pending flag of §4.17.5
  sim::Picos imod_until_ = 0;     // IMODC reaches 0 at this time
  EventQueue::Ticket timer_;
  EventRing ring_;
  std::uint64_t interrupts_ = 0, events_ = 0;
};

}  // namespace xhci
