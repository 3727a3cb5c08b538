#include "drivers/xhcid/controller.hpp"

#include <string>

#include "drivers/xhcid/regs.hpp"

namespace xhcid {

using namespace regs;

Protocol parse_supported_protocol(const std::uint32_t dw[4]) {
  Protocol p;
  p.major = static_cast<std::uint8_t>(dw[0] >> 24);
  p.minor = static_cast<std::uint8_t>(dw[0] >> 16);
  p.first_port = dw[2] & 0xFF;
  p.port_count = (dw[2] >> 8) & 0xFF;
  p.slot_type = dw[3] & 0x1F;
  return p;
}

Controller::Controller(hal::Sys& sys, hal::Mmio bar0, Params params)
    : sys_(sys), bar_(bar0), params_(params), pages_(sys) {
  op_base_ = bar_.read8(kCapLength);
  // HCIVERSION is bits 31:16 of the first capability dword (xHCI 1.2 §5.3.2),
  // read as a dword as Linux does: QEMU 7.2's xHCI answers a 2-byte read at
  // 02h with 0 (docs/qemu-platform.md).
  hci_version_ = static_cast<std::uint16_t>(bar_.read32(0) >> 16);
  const std::uint32_t hcs1 = bar_.read32(kHcsParams1);
  const std::uint32_t hcs2 = bar_.read32(kHcsParams2);
  const std::uint32_t hcc1 = bar_.read32(kHccParams1);
  max_slots_ = regs::max_slots(hcs1);
  max_ports_ = regs::max_ports(hcs1);
  max_intrs_ = regs::max_intrs(hcs1);
  scratchpads_ = max_scratchpad_bufs(hcs2);
  context_size_ = (hcc1 & kHcc1Csz) ? 64 : 32;
  ppc_ = (hcc1 & kHcc1Ppc) != 0;
  xecp_ = regs::xecp(hcc1);
  db_base_ = bar_.read32(kDbOff) & ~0x3u;
  rt_base_ = bar_.read32(kRtsOff) & ~0x1Fu;
}

std::uint32_t Controller::portsc(unsigned port) const {
  return bar_.read32(op(kPortRegisterBase + kPortRegisterStride * (port - 1) + kPortSc));
}

void Controller::write_portsc(unsigned port, std::uint32_t value) const {
  bar_.write32(op(kPortRegisterBase + kPortRegisterStride * (port - 1) + kPortSc), value);
}

void Controller::ring_doorbell(unsigned slot, unsigned target) const { bar_.write32(db_base_ + 4ULL * slot, target); }

std::uint32_t Controller::usbsts() const { return bar_.read32(op(kUsbSts)); }

const Protocol* Controller::protocol_of(unsigned port) const {
  for (const Protocol& p : protocols_)
    if (p.covers(port)) return &p;
  return nullptr;
}

void Controller::set_device_context(unsigned slot, std::uint64_t phys) {
  if (slot >= 1 && slot <= max_slots_) dcbaa_.store<std::uint64_t>(8ULL * slot, phys);
}

hal::Task<hal::Result<void>> Controller::wait_register(std::uint32_t offset, std::uint32_t mask, std::uint32_t want,
                                                       std::uint64_t timeout_ns, const char* what) {
  // Bring-up only: the spec asks software to poll these (HCH, CNR, HCRST,
  // BIOS Owned). Nothing after bring-up polls.
  const std::uint64_t start = sys_.now_ns();
  for (;;) {
    if ((bar_.read32(offset) & mask) == want) co_return hal::ok();
    if (sys_.now_ns() - start > timeout_ns) co_return hal::Error(hal::errc::timedout, what);
    ++stats_.init_polls;
    co_await sys_.sleep_ns(2000);
  }
}

hal::Task<hal::Result<void>> Controller::take_ownership() {
  // USB Legacy Support (§7.1.1): set HC OS Owned, wait for HC BIOS Owned to clear.
  std::uint32_t off = xecp_;
  for (unsigned n = 0; off != 0 && off + 8 <= bar_.size() && n < 64; ++n) {
    const std::uint32_t dw0 = bar_.read32(off);
    if ((dw0 & 0xFF) == kExtCapLegacySupport) {
      bar_.write32(off, (dw0 & kUsbLegSupBiosOwned) | kUsbLegSupOsOwned);
      const hal::Result<void> r = co_await wait_register(off, kUsbLegSupBiosOwned, 0, 1'000'000'000, "BIOS hand-off");
      if (!r) co_return r;
      bar_.write32(off + 4, 0);  // USBLEGCTLSTS: no SMIs
    }
    const std::uint32_t next = (dw0 >> 8) & 0xFF;
    if (next == 0) break;
    off += next * 4;
  }
  co_return hal::ok();
}

void Controller::read_protocols() {
  protocols_.clear();
  std::uint32_t off = xecp_;
  for (unsigned n = 0; off != 0 && off + 16 <= bar_.size() && n < 64; ++n) {
    const std::uint32_t dw0 = bar_.read32(off);
    if ((dw0 & 0xFF) == kExtCapSupportedProtocol) {
      const std::uint32_t dw[4] = {dw0, bar_.read32(off + 4), bar_.read32(off + 8), bar_.read32(off + 12)};
      const Protocol p = parse_supported_protocol(dw);
      protocols_.push_back(p);
      sys_.log(hal::LogLevel::info, "xhcid.protocol",
               "USB " + std::to_string(p.major) + "." + std::to_string(p.minor >> 4) + " ports " +
                   std::to_string(p.first_port) + ".." + std::to_string(p.first_port + p.port_count - 1) +
                   " slot type " + std::to_string(p.slot_type));
    }
    const std::uint32_t next = (dw0 >> 8) & 0xFF;
    if (next == 0) break;
    off += next * 4;
  }
}

hal::Task<hal::Result<void>> Controller::reset_and_init() {
  if (max_slots_ == 0 || max_ports_ == 0) co_return hal::Error(hal::errc::nodev, "HCSPARAMS1 reports no slots or ports");
  hal::Result<void> r = co_await take_ownership();
  if (!r) co_return r;
  read_protocols();

  // Halt (§4.2: the controller must be halted before HCRST), then reset.
  if (!(bar_.read32(op(kUsbSts)) & kStsHch)) {
    bar_.write32(op(kUsbCmd), bar_.read32(op(kUsbCmd)) & ~kCmdRunStop);
    r = co_await wait_register(op(kUsbSts), kStsHch, kStsHch, 16'000'000, "halt (USBSTS.HCH)");
    if (!r) co_return r;
  }
  bar_.write32(op(kUsbCmd), kCmdHcReset);
  r = co_await wait_register(op(kUsbCmd), kCmdHcReset, 0, 1'000'000'000, "reset (USBCMD.HCRST)");
  if (!r) co_return r;
  r = co_await wait_register(op(kUsbSts), kStsCnr, 0, 1'000'000'000, "reset (USBSTS.CNR)");
  if (!r) co_return r;

  // CONFIG.MaxSlotsEn (§4.2 step 3).
  bar_.write32(op(kConfig), (bar_.read32(op(kConfig)) & ~0xFFu) | max_slots_);

  // DCBAA (§6.1): MaxSlotsEn + 1 pointers; entry 0 is the Scratchpad Buffer Array.
  hal::Result<hal::DmaBuffer> page = pages_.alloc();
  if (!page) co_return page.error();
  dcbaa_ = *page;
  if (scratchpads_ > 0) {
    const std::uint32_t pagesize_bits = bar_.read32(op(kPageSize)) & 0xFFFF;
    std::size_t page_bytes = 4096;
    for (unsigned b = 0; b < 16; ++b)
      if (pagesize_bits & (1u << b)) {
        page_bytes = std::size_t{4096} << b;
        break;
      }
    hal::Result<hal::DmaBuffer> array = sys_.physalloc(8ULL * scratchpads_);
    if (!array) co_return array.error().with_context("scratchpad array");
    scratchpad_array_ = *array;
    for (unsigned i = 0; i < scratchpads_; ++i) {
      hal::Result<hal::DmaBuffer> sp = sys_.physalloc(page_bytes);
      if (!sp) co_return sp.error().with_context("scratchpad buffer");
      scratchpad_pages_.push_back(*sp);
      scratchpad_array_.store<std::uint64_t>(8ULL * i, sp->phys);
    }
    dcbaa_.store<std::uint64_t>(0, scratchpad_array_.phys);
  }
  bar_.write64(op(kDcbaap), dcbaa_.phys);

  // Command ring (§4.9.3, §5.4.5).
  hal::Result<hal::DmaBuffer> cmd = sys_.physalloc(std::size_t{params_.command_ring_trbs} * kTrbSize);
  if (!cmd) co_return cmd.error().with_context("command ring");
  cmd_ring_ = ProducerRing(cmd->slice(0, std::size_t{params_.command_ring_trbs} * kTrbSize));
  bar_.write64(op(kCrcr), cmd_ring_.base() | kCrcrRcs);

  // Event ring of interrupter 0 (§4.9.4): ERSTSZ, ERDP, then ERSTBA (which starts it).
  hal::Result<hal::DmaBuffer> seg = sys_.physalloc(std::size_t{params_.event_ring_trbs} * kTrbSize);
  if (!seg) co_return seg.error().with_context("event ring");
  event_ring_ = EventRing(seg->slice(0, std::size_t{params_.event_ring_trbs} * kTrbSize));
  hal::Result<hal::DmaBuffer> erst = pages_.alloc();
  if (!erst) co_return erst.error();
  erst_ = *erst;
  write_erst_entry(erst_, 0, event_ring_.base(), event_ring_.size());
  bar_.write32(ir0(kErstsz), 1);
  bar_.write64(ir0(kErdp), event_ring_.dequeue_pointer());
  bar_.write64(ir0(kErstba), erst_.phys);
  // Interrupt moderation (§4.17.2).
  bar_.write32(ir0(kImod), params_.imod_interval & 0xFFFF);

  // Port power (§4.19.4): with PPC, ports start unpowered.
  if (ppc_) {
    for (unsigned p = 1; p <= max_ports_; ++p) write_portsc(p, kPortPp);
    co_await sys_.sleep_ns(20'000'000);  // 20 ms power-on to power-good (USB 2.0 §11.23.2.1 bPwrOn2PwrGood)
  }
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Controller::run() {
  bar_.write32(ir0(kIman), kImanIe | kImanIp);
  bar_.write32(op(kUsbCmd), kCmdRunStop | kCmdInte | kCmdHsee);
  co_return co_await wait_register(op(kUsbSts), kStsHch, 0, 16'000'000, "run (USBSTS.HCH)");
}

hal::Task<CommandResult> Controller::command(Trb trb) {
  while (cmd_ring_.free_trbs() == 0) co_await cmd_room_.wait();
  hal::Signal<CommandResult> done;
  const std::uint64_t address = cmd_ring_.push(trb);
  commands_[address] = &done;
  struct Forget {  // a task destroyed while waiting leaves nothing behind
    std::map<std::uint64_t, hal::Signal<CommandResult>*>& m;
    std::uint64_t a;
    ~Forget() { m.erase(a); }
  } forget{commands_, address};
  ++stats_.commands;
  bar_.write32(db_base_, 0);  // Host Controller Doorbell, DB Target 0: the command ring
  co_return co_await done;
}

hal::Task<void> Controller::event_loop(hal::IrqVector irq) {
  for (;;) {
    const hal::Result<std::uint64_t> n = co_await hal::wait_irq(sys_, irq);
    if (!n) {
      sys_.log(hal::LogLevel::error, "xhcid.irq_failed", n.error().message());
      co_return;
    }
    stats_.interrupts += *n;
    ++stats_.wakeups;
    drain();
  }
}

void Controller::drain() {
  unsigned handled = 0;
  while (event_ring_.has_event()) {
    const Trb e = event_ring_.peek();
    event_ring_.pop();
    ++handled;
    ++stats_.events;
    dispatch(e);
  }
  if (handled == 0) ++stats_.spurious_wakeups;
  // §4.9.4: tell the controller how far we got, and clear Event Handler Busy.
  bar_.write64(ir0(kErdp), event_ring_.dequeue_pointer() | kErdpEhb);
}

void Controller::dispatch(const Trb& e) {
  switch (e.type()) {
    case TrbType::command_completion_event: {
      if (e.completion_code() != CompletionCode::command_ring_stopped) {
        cmd_ring_.release(1);
        cmd_room_.wake_all();
      }
      const auto it = commands_.find(e.parameter() & ~0xFULL);
      if (it == commands_.end()) {
        sys_.log(hal::LogLevel::warn, "xhcid.stray_command_completion", to_string(e.completion_code()));
        return;
      }
      hal::Signal<CommandResult>* s = it->second;
      commands_.erase(it);
      s->complete(CommandResult{e.completion_code(), e.slot_id(), e.event_length()});
      return;
    }
    case TrbType::transfer_event:
      if (on_transfer_event) on_transfer_event(e);
      return;
    case TrbType::port_status_change_event:
      if (on_port_change) on_port_change(e.port_id());
      return;
    case TrbType::host_controller_event:
      sys_.log(hal::LogLevel::warn, "xhcid.host_controller_event", to_string(e.completion_code()));
      return;
    default:
      sys_.log(hal::LogLevel::debug, "xhcid.event_ignored", to_string(e.type()));
      return;
  }
}

}  // namespace xhcid
