#include "drivers/xhcid/ring.hpp"

#include <cstring>
#include <stdexcept>

namespace xhcid {

ProducerRing::ProducerRing(hal::DmaBuffer memory) : mem_(memory), trbs_(static_cast<unsigned>(memory.size / kTrbSize)) {
  if (trbs_ < 2 || (memory.phys & 0x3F)) throw std::invalid_argument("ProducerRing: bad ring memory");
  reset();
}

void ProducerRing::reset() {
  std::memset(mem_.data, 0, std::size_t{trbs_} * kTrbSize);
  index_ = 0;
  cycle_ = true;
  in_use_ = 0;
  // The Link TRB back to the start; its cycle bit is handed over on each lap.
  Trb link = link_trb(mem_.phys, true);
  link.set_cycle(false);
  write(trbs_ - 1, link);
}

void ProducerRing::write(unsigned index, const Trb& t) {
  std::uint8_t* p = mem_.data + std::size_t{index} * kTrbSize;
  std::memcpy(p, t.d, 12);
  std::memcpy(p + 12, &t.d[3], 4);  // DW3 (the cycle bit) last
}

Trb ProducerRing::at(unsigned index) const {
  Trb t;
  std::memcpy(t.d, mem_.data + std::size_t{index % trbs_} * kTrbSize, kTrbSize);
  return t;
}

std::uint64_t ProducerRing::push(Trb t) {
  if (in_use_ >= capacity()) throw std::logic_error("ProducerRing: full");
  const std::uint64_t address = enqueue_pointer();
  t.set_cycle(cycle_);
  write(index_, t);
  ++in_use_;
  if (++index_ == trbs_ - 1) {
    Trb link = at(trbs_ - 1);
    link.set_flag(kTrbChain, t.flag(kTrbChain));
    link.set_cycle(cycle_);
    write(trbs_ - 1, link);
    index_ = 0;
    cycle_ = !cycle_;
  }
  return address;
}

EventRing::EventRing(hal::DmaBuffer segment) : mem_(segment), trbs_(static_cast<unsigned>(segment.size / kTrbSize)) {
  if (trbs_ < 16 || trbs_ > 4096 || (segment.phys & 0x3F)) throw std::invalid_argument("EventRing: bad segment");
  reset();
}

void EventRing::reset() {
  std::memset(mem_.data, 0, std::size_t{trbs_} * kTrbSize);
  index_ = 0;
  ccs_ = true;
}

bool EventRing::has_event() const {
  std::uint32_t dw3 = 0;
  std::memcpy(&dw3, mem_.data + std::size_t{index_} * kTrbSize + 12, 4);
  return ((dw3 & kTrbCycle) != 0) == ccs_;
}

Trb EventRing::peek() const {
  Trb t;
  std::memcpy(t.d, mem_.data + std::size_t{index_} * kTrbSize, kTrbSize);
  return t;
}

void EventRing::pop() {
  if (++index_ == trbs_) {
    index_ = 0;
    ccs_ = !ccs_;
  }
}

void write_erst_entry(const hal::DmaBuffer& erst, unsigned index, std::uint64_t segment, unsigned trbs) {
  const std::uint32_t e[4] = {static_cast<std::uint32_t>(segment), static_cast<std::uint32_t>(segment >> 32),
                              trbs & 0xFFFF, 0};
  std::memcpy(erst.slice(std::size_t{index} * 16, 16).data, e, sizeof e);
}

}  // namespace xhcid
