#include "devices/xhci/interrupter.hpp"

#include "devices/xhci/xhci_regs.hpp"

namespace xhci {

void Interrupter::reset() {
  q_.cancel(timer_);
  iman_ = 0;
  imod_ = 4000;
  erstsz_ = 0;
  erstba_ = erdp_ = 0;
  ehb_ = pending_ = false;
  imod_until_ = 0;
  ring_.disable();
}

std::uint32_t Interrupter::read(std::uint32_t off) const {
  switch (off) {
    case kIman: return iman_;
    case kImod: {
      const sim::Picos now = sim::now();
      const auto imodc = imod_until_ > now ? static_cast<std::uint32_t>((imod_until_ - now) / kImodUnit) : 0u;
      return (imod_ & 0xFFFF) | (imodc << 16);
    }
    case kErstsz: return erstsz_;
    case kErstba: return static_cast<std::uint32_t>(erstba_);
    case kErstba + 4: return static_cast<std::uint32_t>(erstba_ >> 32);
    case kErdp: return static_cast<std::uint32_t>(erdp_) | (ehb_ ? static_cast<std::uint32_t>(kErdpEhb) : 0u);
    case kErdp + 4: return static_cast<std::uint32_t>(erdp_ >> 32);
    default: return 0;  // RsvdZ
  }
}

void Interrupter::init_ring(Dma& dma) {
  switch (ring_.init(dma, erstba_, erstsz_)) {
    case EventRing::Setup::ok:
      trace_.debug(component_, "er.init", {{"interrupter", index_}, {"segments", erstsz_}});
      break;
    case EventRing::Setup::dma_error: hooks_.host_system_error("ERST read failed"); break;
    case EventRing::Setup::bad_table:
      trace_.warn(component_, "er.bad_erst", {{"interrupter", index_}, {"erstba", sim::Hex{erstba_}},
                                              {"erstsz", erstsz_}});
      break;
  }
}

void Interrupter::write(Dma& dma, std::uint32_t off, std::uint32_t v) {
  switch (off) {
    case kIman:
      if (v & kImanIp) iman_ &= ~kImanIp;  // RW1C
      iman_ = (iman_ & ~kImanIe) | (v & kImanIe);
      reevaluate();
      break;
    case kImod:
      imod_ = v & 0xFFFF;
      imod_until_ = sim::now() + (v >> 16) * kImodUnit;  // writing IMODC loads the counter
      break;
    case kErstsz: erstsz_ = v & 0xFFFF; break;
    case kErstba: erstba_ = (erstba_ & ~0xFFFF'FFFFULL) | (v & ~0x3Fu); break;
    case kErstba + 4:
      // Writing ERSTBA (its high dword, or a qword write) starts the ring.
      erstba_ = (erstba_ & 0xFFFF'FFFFULL) | (std::uint64_t{v} << 32);
      init_ring(dma);
      break;
    case kErdp:
      erdp_ = (erdp_ & ~0xFFFF'FFFFULL) | (v & ~0xFu) | (v & kErdpDesiMask);
      if (v & kErdpEhb) ehb_ = false;  // RW1C (§5.5.2.3.3)
      ring_.set_dequeue(erdp_);
      // §4.17.2: events left behind the new dequeue pointer interrupt again.
      if (!ehb_ && ring_.ready() && ring_.has_unconsumed()) {
        pending_ = true;
        try_fire();
      }
      break;
    case kErdp + 4:
      erdp_ = (erdp_ & 0xFFFF'FFFFULL) | (std::uint64_t{v} << 32);
      ring_.set_dequeue(erdp_);
      break;
    default: break;
  }
}

void Interrupter::post(Dma& dma, const Trb& ev, bool interrupt) {
  const EventRing::Post r = ring_.post(dma, ev);
  switch (r) {
    case EventRing::Post::ok: ++events_; break;
    case EventRing::Post::became_full:
      trace_.warn(component_, "er.full", {{"interrupter", index_}});
      interrupt = true;
      break;
    case EventRing::Post::dropped:
      trace_.warn(component_, "er.event_lost", {{"interrupter", index_}, {"type", to_string(ev.type())}});
      return;
    case EventRing::Post::not_ready:
      trace_.warn(component_, "er.not_ready", {{"interrupter", index_}, {"type", to_string(ev.type())}});
      return;
    case EventRing::Post::dma_error: hooks_.host_system_error("event write failed"); return;
  }
  trace_.debug(component_, "event", {{"interrupter", index_}, {"type", to_string(ev.type())},
                                     {"cc", static_cast<unsigned>(ev.status() >> 24)}});
  if (interrupt) {
    pending_ = true;
    try_fire();
  }
}

void Interrupter::reevaluate() {
  if ((iman_ & kImanIp) && (iman_ & kImanIe) && hooks_.interrupts_enabled()) {
    iman_ &= ~kImanIp;  // MSI-X: IP clears once the message is out
    ++interrupts_;
    hooks_.raise(index_);
  }
}

// §4.17.5: IP is set when IMODC has reached 0, EHB is 0 and an interrupt is
// pending; setting IP sets EHB, and IMODC reloads from IMODI.
void Interrupter::try_fire() {
  if (!pending_ || ehb_ || (iman_ & kImanIp)) return;
  const sim::Picos now = sim::now();
  if (now < imod_until_) {
    if (!timer_.valid())
      timer_ = q_.at(imod_until_, [this] {
        timer_ = EventQueue::Ticket{};
        try_fire();
      });
    return;
  }
  pending_ = false;
  ehb_ = true;
  iman_ |= kImanIp;
  hooks_.set_eint();
  imod_until_ = now + imod_interval();
  trace_.debug(component_, "interrupter.ip", {{"interrupter", index_}});
  reevaluate();
}

}  // namespace xhci
