// NvmeController: construction, the controller registers (§3.1) and the
// CC.EN / CC.SHN / CSTS state machine (§7.3 reset, §7.6 initialization and
// shutdown).
#include "devices/nvme/controller.hpp"

#include <algorithm>
#include <bit>
#include <set>
#include <stdexcept>

#include "devices/pci/pci_regs.hpp"

namespace nvme {

namespace {
constexpr std::uint32_t kFixedWhileEnabled = (0x7u << cc::kCssShift) | (0xFu << cc::kMpsShift) | (0x7u << cc::kAmsShift);
constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("nvme: ") + what);
}
}  // namespace

NvmeController::NvmeController(sc_core::sc_module_name name, sim::Trace& trace, const NvmeParams& params)
    : PciFunction(name, trace, params.link),
      p_(params),
      coalescer_(std::max({1u, params.msix_vectors, params.msi_vectors})),
      aer_(params.aerl + 1),
      errors_(params.elpe + 1),
      datapath_(params.timing),
      events_("events", [this](const Action& a) { on_action(a); }, [this] { flush_interrupts(); }) {
  check(p_.msix_vectors >= 1 && p_.msix_vectors <= 2048, "msix_vectors must be 1..2048");
  check(p_.msi_vectors == 0 || (std::has_single_bit(p_.msi_vectors) && p_.msi_vectors <= 32),
        "msi_vectors must be 0, 1, 2, 4, 8, 16 or 32");
  check(p_.max_io_queues >= 1 && p_.max_io_queues <= 65535, "max_io_queues must be 1..65535");
  check(p_.max_queue_entries >= 2 && p_.max_queue_entries <= 65536, "max_queue_entries must be 2..65536");
  check(p_.mps_min <= p_.mps_max && p_.mps_max <= 15, "need mps_min <= mps_max <= 15");
  check(p_.doorbell_stride <= 15, "doorbell_stride must be 0..15");
  check(p_.aerl <= 255 && p_.acl <= 255 && p_.elpe <= 255, "aerl, acl and elpe are 8-bit fields");
  check(p_.mdts <= 20, "mdts must be 0..20");
  check(!p_.namespaces.empty(), "at least one namespace");

  std::set<std::uint32_t> ids;
  for (std::size_t i = 0; i < p_.namespaces.size(); ++i) {
    const std::uint32_t nsid = p_.namespaces[i].nsid ? p_.namespaces[i].nsid : static_cast<std::uint32_t>(i + 1);
    check(nsid < 0xFFFF'FFFE, "namespace ID too large");
    check(ids.insert(nsid).second, "duplicate namespace ID");
    namespaces_.push_back(std::make_unique<Namespace>(p_.namespaces[i], nsid, p_.dirty_limit_bytes));
    nn_ = std::max(nn_, nsid);
  }

  // BAR0: registers, doorbells, then the MSI-X table and PBA on their own pages.
  const std::uint64_t stride = 4ULL << p_.doorbell_stride;
  doorbell_end_ = static_cast<std::uint32_t>(reg::kDoorbellBase + 2 * (std::uint64_t{p_.max_io_queues} + 1) * stride);
  msix_table_off_ = static_cast<std::uint32_t>(align_up(std::max<std::uint64_t>(doorbell_end_, 0x2000), 4096));
  msix_pba_off_ = static_cast<std::uint32_t>(msix_table_off_ + align_up(p_.msix_vectors * pci::kMsixEntrySize, 4096));
  bar0_size_ = std::bit_ceil(std::max<std::uint64_t>(16 * 1024, msix_pba_off_ + ((p_.msix_vectors + 63) / 64) * 8));

  cs_.set_ids(p_.vendor_id, p_.device_id, 0x01, 0x08, 0x02, 0x00);  // mass storage, NVM, NVM Express
  cs_.set16(pci::kSubsystemVendorId, p_.subsystem_vendor_id);
  cs_.set16(pci::kSubsystemId, p_.subsystem_id);
  cs_.set8(pci::kInterruptPin, 1);  // INTA#
  cs_.define_bar(0, pci::BarKind::mem64, bar0_size_, false);
  install_pcie();
  if (p_.msi_vectors) install_msi(p_.msi_vectors, true);
  install_msix(p_.msix_vectors, 0, msix_table_off_, 0, msix_pba_off_);

  sqs_.resize(std::size_t{p_.max_io_queues} + 1);
  cqs_.resize(std::size_t{p_.max_io_queues} + 1);
  irq_is_marked_.assign(std::max(p_.msix_vectors, p_.msi_vectors), false);
  features_.volatile_write_cache = p_.volatile_write_cache;
  features_.nsqa = features_.ncqa = static_cast<std::uint16_t>(p_.max_io_queues);
}

Namespace* NvmeController::find_namespace(std::uint32_t nsid) const {
  for (const auto& ns : namespaces_)
    if (ns->nsid() == nsid) return ns.get();
  return nullptr;
}

// ---------------------------------------------------------------------------
// Registers

std::uint64_t NvmeController::cap() const {
  const std::uint64_t to = std::clamp<std::uint64_t>((p_.timing.enable_latency + sim::ms(500) - 1) / sim::ms(500), 1, 255);
  return std::uint64_t{p_.max_queue_entries - 1} << cap::kMqesShift | cap::kCqr | to << cap::kToShift |
         std::uint64_t{p_.doorbell_stride} << cap::kDstrdShift | cap::kCssNvm |
         std::uint64_t{p_.mps_min} << cap::kMpsminShift | std::uint64_t{p_.mps_max} << cap::kMpsmaxShift;
}

// §3.1: registers are read and written as naturally aligned dwords; the
// 64-bit ones (CAP, ASQ, ACQ, and the optional BPMBL and CMBMSC, which read
// zero here) also as naturally aligned qwords.
bool NvmeController::allowed_access(std::uint64_t off, unsigned size) const {
  if (size == 4) return off % 4 == 0;
  if (size == 8) return off == reg::kCap || off == reg::kAsq || off == reg::kAcq || off == 0x48 || off == 0x50;
  return false;
}

std::uint64_t NvmeController::register_read(std::uint32_t off) const {
  switch (off) {
    case reg::kCap: return cap() & 0xFFFF'FFFFu;
    case reg::kCap + 4: return cap() >> 32;
    case reg::kVs: return kVersion14;
    case reg::kIntms:
    case reg::kIntmc:
      // §3.1.3: for MSI-X the host uses the MSI-X mask; accessing INTMS/INTMC is undefined.
      if (msix_.enabled(cs_)) {
        trace_.warn(component(), "nvme.intm_with_msix", {{"offset", sim::Hex{off}}});
        return 0;
      }
      return intms_;
    case reg::kCc: return cc_;
    case reg::kCsts: return csts_;
    case reg::kAqa: return aqa_;
    case reg::kAsq: return asq_ & 0xFFFF'FFFFu;
    case reg::kAsq + 4: return asq_ >> 32;
    case reg::kAcq: return acq_ & 0xFFFF'FFFFu;
    case reg::kAcq + 4: return acq_ >> 32;
    default: return 0;  // NSSR (not supported), reserved and optional registers
  }
}

std::uint64_t NvmeController::bar_read(unsigned bar, std::uint64_t off, unsigned size) {
  if (apply_posted_doorbells()) flush_interrupts();
  if (bar != 0) return 0;
  if (off >= reg::kDoorbellBase) {
    if (size != 4 || off % 4) trace_.warn(component(), "nvme.bad_access", {{"offset", sim::Hex{off}}, {"size", size}});
    return 0;  // doorbells are write-only
  }
  if (!allowed_access(off, size)) {
    trace_.warn(component(), "nvme.bad_access", {{"op", "read"}, {"offset", sim::Hex{off}}, {"size", size}});
    return 0;
  }
  const auto o = static_cast<std::uint32_t>(off);
  if (size == 8) return register_read(o) | register_read(o + 4) << 32;
  return register_read(o);
}

void NvmeController::bar_write(unsigned bar, std::uint64_t off, unsigned size, std::uint64_t v) {
  apply_posted_doorbells();
  if (bar != 0) return;
  if (off >= reg::kDoorbellBase) {
    doorbell_write(off, size, static_cast<std::uint32_t>(v));
  } else if (!allowed_access(off, size)) {
    trace_.warn(component(), "nvme.bad_access",
                {{"op", "write"}, {"offset", sim::Hex{off}}, {"size", size}, {"value", sim::Hex{v}}});
  } else if (size == 8) {
    register_write(static_cast<std::uint32_t>(off), 4, v & 0xFFFF'FFFFu);
    register_write(static_cast<std::uint32_t>(off) + 4, 4, v >> 32);
  } else {
    register_write(static_cast<std::uint32_t>(off), 4, v);
  }
  flush_interrupts();  // a doorbell may have posted held completions
}

void NvmeController::register_write(std::uint32_t off, unsigned, std::uint64_t value) {
  const auto v = static_cast<std::uint32_t>(value);
  const auto lo = [](std::uint64_t& r, std::uint32_t x) { r = (r & ~0xFFFF'FFFFULL) | x; };
  const auto hi = [](std::uint64_t& r, std::uint32_t x) { r = (r & 0xFFFF'FFFFULL) | std::uint64_t{x} << 32; };
  switch (off) {
    case reg::kIntms: write_interrupt_mask(true, v); break;
    case reg::kIntmc: write_interrupt_mask(false, v); break;
    case reg::kCc: write_cc(v); break;
    case reg::kAqa: aqa_ = v & 0x0FFF'0FFFu; break;
    case reg::kAsq: lo(asq_, v & ~0xFFFu); break;  // bits 11:0 reserved
    case reg::kAsq + 4: hi(asq_, v); break;
    case reg::kAcq: lo(acq_, v & ~0xFFFu); break;
    case reg::kAcq + 4: hi(acq_, v); break;
    case reg::kCap:
    case reg::kCap + 4:
    case reg::kVs:
    case reg::kCsts:
      trace_.warn(component(), "nvme.write_read_only", {{"offset", sim::Hex{off}}, {"value", sim::Hex{v}}});
      break;
    default:  // NSSR (CAP.NSSRS = 0: reserved), reserved and absent optional registers
      trace_.warn(component(), "nvme.write_reserved", {{"offset", sim::Hex{off}}, {"value", sim::Hex{v}}});
      break;
  }
}

void NvmeController::write_interrupt_mask(bool set, std::uint32_t bits) {
  if (msix_.enabled(cs_)) {
    trace_.warn(component(), "nvme.intm_with_msix", {{"set", set}, {"value", sim::Hex{bits}}});
    return;  // §3.1.3/§3.1.4: ignored (undefined) when MSI-X is in use
  }
  if (set) {
    intms_ |= bits;
  } else {
    const std::uint32_t released = msi_held_ & bits;
    intms_ &= ~bits;
    msi_held_ &= ~bits;
    // An MSI requested while masked goes out when its mask clears, if the
    // condition still holds (§7.5.1.2: unacknowledged completion entries).
    if (released && msi_.enabled(cs_)) {
      const unsigned n = msi_.enabled_vectors(cs_);
      for (unsigned mv = 0; mv < 32; ++mv) {
        if (!(released & (1u << mv))) continue;
        for (const auto& cq : cqs_) {
          if (cq && cq->ien && (cq->iv & (n - 1)) == mv && cq->unconsumed() > 0) {
            signal_interrupt(cq->iv);
            break;
          }
        }
      }
    }
  }
  update_intx();
}

void NvmeController::config_written(std::uint16_t, unsigned) { update_intx(); }

// ---------------------------------------------------------------------------
// CC and the controller state machine

void NvmeController::write_cc(std::uint32_t v) {
  v &= cc::kWritableMask;
  const std::uint32_t old = cc_;
  if ((old & cc::kEn) && (v & cc::kEn) && ((old ^ v) & kFixedWhileEnabled)) {
    // §3.1.5: CSS, MPS and AMS are set only while CC.EN is 0.
    trace_.warn(component(), "nvme.cc_changed_while_enabled", {{"old", sim::Hex{old}}, {"new", sim::Hex{v}}});
    v = (v & ~kFixedWhileEnabled) | (old & kFixedWhileEnabled);
  }
  cc_ = v;
  trace_.info(component(), "nvme.cc", {{"value", sim::Hex{v}}, {"en", (v & cc::kEn) != 0}, {"shn", cc::shn(v)}});
  if (!(old & cc::kEn) && (v & cc::kEn))
    start_enable();
  else if ((old & cc::kEn) && !(v & cc::kEn))
    start_reset();
  if (cc::shn(old) == 0 && cc::shn(v) != 0) start_shutdown();
}

const char* NvmeController::enable_problem() const {
  const std::uint32_t mps = cc::mps(cc_);
  const std::uint64_t page = 4096ULL << mps;
  if (cc::css(cc_) != 0) return "CC.CSS selects a command set CAP.CSS does not list";
  if (mps < p_.mps_min || mps > p_.mps_max) return "CC.MPS is outside CAP.MPSMIN..CAP.MPSMAX";
  if (cc::ams(cc_) != 0) return "CC.AMS selects an arbitration mechanism CAP.AMS does not list";
  if (cc::iosqes(cc_) != 0 && cc::iosqes(cc_) != kSqesLog2) return "CC.IOSQES is not a size Identify SQES allows";
  if (cc::iocqes(cc_) != 0 && cc::iocqes(cc_) != kCqesLog2) return "CC.IOCQES is not a size Identify CQES allows";
  if (aqa_asqs(aqa_) == 0) return "AQA.ASQS is 0 (the minimum is 1: two entries)";
  if (aqa_acqs(aqa_) == 0) return "AQA.ACQS is 0 (the minimum is 1: two entries)";
  if (asq_ % page) return "ASQ is not aligned to the memory page size";
  if (acq_ % page) return "ACQ is not aligned to the memory page size";
  return nullptr;
}

void NvmeController::start_enable() {
  if (state_ == State::resetting) return;  // reset_done() enables once the reset is over
  if (const char* problem = enable_problem()) {
    // §3.1.6: CFS is set when a fatal error is detected during initialization;
    // the controller does not become ready. The host resets it (CC.EN = 0).
    csts_ |= csts::kCfs;
    state_ = State::failed;
    trace_.warn(component(), "nvme.enable_failed", {{"reason", problem}, {"cc", sim::Hex{cc_}}, {"aqa", sim::Hex{aqa_}}});
    return;
  }
  page_size_ = 4096ULL << cc::mps(cc_);
  state_ = State::enabling;
  schedule(sim::now() + p_.timing.enable_latency, Action::Kind::ready);
}

void NvmeController::become_ready() {
  SubmissionQueue sq;
  sq.qid = 0;
  sq.base = asq_;
  sq.size = aqa_asqs(aqa_) + 1;
  sq.cqid = 0;
  CompletionQueue cq;
  cq.qid = 0;
  cq.base = acq_;
  cq.size = aqa_acqs(aqa_) + 1;
  cq.ien = true;  // the Admin CQ uses interrupt vector 0 (§3.1.8)
  cq.iv = 0;
  cq.sq_count = 1;
  sqs_[0] = sq;
  cqs_[0] = cq;
  rebuild_sq_order();
  csts_ |= csts::kRdy;
  state_ = State::ready;
  trace_.info(component(), "nvme.ready", {{"page_size", page_size_}, {"asq", sim::Hex{asq_}}, {"acq", sim::Hex{acq_}}});
}

// §7.3.2 controller reset: outstanding commands are dropped (no completions),
// every queue is deleted, registers other than AQA/ASQ/ACQ and all internal
// state return to their defaults. CSTS.RDY goes to 0 after the reset latency.
void NvmeController::start_reset() {
  trace_.info(component(), "nvme.reset", {{"in_flight", cmds_.active()}});
  ++epoch_;
  cmds_.clear();
  faults_.clear();  // a reset ends an injected hang and forgets lost completions to come
  for (auto& q : sqs_) q.reset();
  for (auto& q : cqs_) q.reset();
  sq_order_.clear();
  fetch_at_ = ~sim::Picos{0};
  aer_.reset();
  coalescer_.reset();
  features_ = FeatureState{};
  features_.volatile_write_cache = p_.volatile_write_cache;
  features_.nsqa = features_.ncqa = static_cast<std::uint16_t>(p_.max_io_queues);
  intms_ = 0;
  msi_held_ = 0;
  for (unsigned v : irq_marked_) irq_is_marked_[v] = false;
  irq_marked_.clear();
  update_intx();
  state_ = State::resetting;
  schedule(sim::now() + p_.timing.reset_latency, Action::Kind::reset_done);
}

void NvmeController::reset_done() {
  csts_ = 0;
  state_ = State::disabled;
  trace_.info(component(), "nvme.reset_done");
  if (cc_ & cc::kEn) start_enable();
}

void NvmeController::start_shutdown() {
  csts_ = (csts_ & ~csts::kShstMask) | (static_cast<std::uint32_t>(Shst::processing) << csts::kShstShift);
  const sim::Picos now = sim::now();
  const sim::Picos done = std::max(now + p_.timing.shutdown_latency, datapath_.flash().flush(now));
  trace_.info(component(), "nvme.shutdown", {{"shn", cc::shn(cc_)}});
  schedule(done, Action::Kind::shutdown_done);
}

void NvmeController::shutdown_done() {
  // The volatile write cache reaches the media before SHST says complete (§7.6.2).
  for (const auto& ns : namespaces_)
    if (!ns->flush()) trace_.error(component(), "nvme.flush_failed", {{"nsid", ns->nsid()}});
  csts_ = (csts_ & ~csts::kShstMask) | (static_cast<std::uint32_t>(Shst::complete) << csts::kShstShift);
  trace_.info(component(), "nvme.shutdown_complete");
}

// §3.1.6: CFS reports a fatal error that could not be communicated in a
// completion queue. The controller stops; the host must reset it.
void NvmeController::fatal(const char* reason) {
  trace_.error(component(), "nvme.fatal", {{"reason", reason}});
  stop_failed();
}

void NvmeController::stop_failed() {
  csts_ |= csts::kCfs;
  state_ = State::failed;
  ++epoch_;
  cmds_.clear();
  fetch_at_ = ~sim::Picos{0};
}

void NvmeController::schedule(sim::Picos at, Action::Kind kind, std::uint32_t a, std::uint64_t b) {
  events_.schedule(at, Action{kind, a, b, epoch_});
}

void NvmeController::on_action(const Action& a) {
  apply_posted_doorbells();       // doorbells that have arrived by now, before anything looks at a queue
  if (a.epoch != epoch_) return;  // scheduled before a reset or a failure
  switch (a.kind) {
    case Action::Kind::fetch: fetch(); break;
    case Action::Kind::complete: complete(a.a, static_cast<std::uint32_t>(a.b)); break;
    case Action::Kind::coalesce_timer: coalesce_timer(a.a, a.b); break;
    case Action::Kind::ready: become_ready(); break;
    case Action::Kind::reset_done: reset_done(); break;
    case Action::Kind::shutdown_done: shutdown_done(); break;
    case Action::Kind::fault_end: end_hang(a.b); break;
    case Action::Kind::doorbells: break;  // posted doorbells landed: applied above
  }
}

}  // namespace nvme
