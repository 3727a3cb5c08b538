// The queue engine: doorbells (§3.1.24, §4.1), command fetch with round-robin
// arbitration (§4.13.1), completion posting with the Phase Tag (§4.6), and
// interrupts (§7.5: MSI-X per CQ vector, MSI with INTMS/INTMC, INTx).
#include <algorithm>
#include <array>

#include "devices/nvme/controller.hpp"

namespace nvme {

// ---------------------------------------------------------------------------
// Doorbells

void NvmeController::doorbell_write(std::uint64_t off, unsigned size, std::uint32_t value) {
  if (size != 4 || off % 4) {
    trace_.warn(component(), "nvme.bad_access", {{"op", "write"}, {"offset", sim::Hex{off}}, {"size", size}});
    return;
  }
  const std::uint64_t stride = 4ULL << p_.doorbell_stride, rel = off - reg::kDoorbellBase;
  if (rel % stride) {
    trace_.warn(component(), "nvme.write_reserved", {{"offset", sim::Hex{off}}, {"value", value}});
    return;
  }
  if (state_ != State::ready) {
    trace_.warn(component(), "nvme.doorbell_not_ready", {{"offset", sim::Hex{off}}, {"value", value}});
    return;
  }
  const std::uint64_t index = rel / stride;
  const bool is_cq = index & 1;
  const std::uint64_t qid = index / 2;
  if (is_cq) {
    if (qid >= cqs_.size() || !cqs_[qid])
      return invalid_doorbell(aer::kInfoInvalidDoorbellRegister, static_cast<std::uint16_t>(qid), value,
                              "CQ head doorbell of a queue that does not exist");
    CompletionQueue& cq = *cqs_[qid];
    const std::uint32_t advance = (value + cq.size - cq.head) % cq.size;
    if (value >= cq.size || advance > cq.unconsumed())
      return invalid_doorbell(aer::kInfoInvalidDoorbellValue, cq.qid, value,
                              value >= cq.size ? "CQ head beyond the queue size" : "CQ head passes entries not posted");
    cq.head = value;
    drain_held(cq);
    update_intx();
    return;
  }
  if (qid >= sqs_.size() || !sqs_[qid])
    return invalid_doorbell(aer::kInfoInvalidDoorbellRegister, static_cast<std::uint16_t>(qid), value,
                            "SQ tail doorbell of a queue that does not exist");
  SubmissionQueue& sq = *sqs_[qid];
  if (value >= sq.size)
    return invalid_doorbell(aer::kInfoInvalidDoorbellValue, sq.qid, value, "SQ tail beyond the queue size");
  sq.tail = value;
  if (p_.trace_io) trace_.debug(component(), "nvme.sq_doorbell", {{"sqid", sq.qid}, {"tail", value}});
  // A posted write: the controller sees it one link traversal later.
  request_fetch(sim::now() + link().cpu_write_time(4));
}

// A posted SQ Tail doorbell write from a CPU running ahead of SystemC time:
// taken now only when it is valid as far as the controller can tell now (any
// other write, or an invalid one, is applied at its arrival by PciFunction).
// The tail becomes visible at `arrival`, exactly as a write received then
// (apply_posted_doorbells() runs before anything that could look at it), and
// the fetch it needs is requested for when the write lands, as in
// doorbell_write(): no SystemC event of its own.
bool NvmeController::bar_write_posted(unsigned bar, std::uint64_t off, unsigned size, std::uint64_t value,
                                      sim::Picos arrival) {
  if (bar != 0 || off < reg::kDoorbellBase || size != 4 || off % 4 || state_ != State::ready) return false;
  const std::uint64_t stride = 4ULL << p_.doorbell_stride, rel = off - reg::kDoorbellBase;
  if (rel % stride) return false;
  if (!posted_doorbells_.empty() && posted_doorbells_.back().at > arrival) return false;  // keep them in order
  for (const PostedDoorbell& d : posted_doorbells_)
    if (d.offset == off) return false;  // checked against a register value still to change
  const std::uint64_t index = rel / stride, qid = index / 2;
  if (index & 1) {
    // CQ Head: its only effects before the next completion are the INTx
    // level (not with MSI/MSI-X) and completions held for a full queue (none
    // now; post() asks for the doorbell at its arrival if one gets held).
    if (qid >= cqs_.size() || !cqs_[qid] || (!msix_.enabled(cs_) && !msi_.enabled(cs_))) return false;
    const CompletionQueue& cq = *cqs_[qid];
    if (value >= cq.size || (value + cq.size - cq.head) % cq.size > cq.unconsumed() || !cq.held.empty())
      return false;
    posted_doorbells_.push_back(PostedDoorbell{arrival, off, static_cast<std::uint32_t>(value)});
    return true;
  }
  if (qid >= sqs_.size() || !sqs_[qid] || value >= sqs_[qid]->size) return false;
  posted_doorbells_.push_back(PostedDoorbell{arrival, off, static_cast<std::uint32_t>(value)});
  request_fetch(arrival + link().cpu_write_time(4));
  return true;
}

bool NvmeController::apply_posted_doorbells() {
  if (posted_doorbells_.empty()) return false;
  const sim::Picos now = sim::now();
  bool applied = false;
  while (!posted_doorbells_.empty() && posted_doorbells_.front().at <= now) {
    const PostedDoorbell d = posted_doorbells_.front();
    posted_doorbells_.pop_front();
    doorbell_write(d.offset, 4, d.value);  // every check again: the queue may be gone by now
    applied = true;
  }
  return applied;
}

// §4.1 / §5.2: the write is ignored; an Error Status asynchronous event
// (Invalid Doorbell Register or Invalid Doorbell Write Value) is reported if
// an AER is outstanding.
void NvmeController::invalid_doorbell(std::uint8_t info, std::uint16_t qid, std::uint32_t value, const char* why) {
  trace_.warn(component(), "nvme.invalid_doorbell", {{"qid", qid}, {"value", value}, {"reason", why}});
  ErrorEntry e;
  e.sqid = qid;
  errors_.add(e);
  report_event(aer::kTypeErrorStatus, info, log::kErrorInformation);
}

// ---------------------------------------------------------------------------
// Fetch and dispatch

void NvmeController::request_fetch(sim::Picos at) {
  if (at >= fetch_at_) return;  // an earlier fetch will see this doorbell too
  fetch_at_ = at;
  schedule(at, Action::Kind::fetch);
}

void NvmeController::rebuild_sq_order() {
  sq_order_.clear();
  for (std::size_t q = 0; q < sqs_.size(); ++q)
    if (sqs_[q]) sq_order_.push_back(static_cast<std::uint16_t>(q));
  if (!sq_order_.empty()) rr_next_ %= sq_order_.size();
}

void NvmeController::fetch() {
  fetch_at_ = ~sim::Picos{0};
  if (state_ != State::ready || sq_order_.empty() || faults_.hung) return;
  const sim::Picos now = sim::now();
  datapath_.prune(now);
  // Arbitration Burst (Feature 01h): 2^AB commands per SQ per turn, 111b = no limit.
  const std::uint32_t ab = features_.arbitration & 0x7;
  const std::uint32_t burst = ab == 7 ? ~0u : (1u << ab);
  // Not zeroed: dma_read() fills the k entries used (4 KiB of zeroes per
  // fetch were most of its cost).
  std::array<Sqe, 64> buf;
  const std::uint32_t batch = std::clamp<std::uint32_t>(std::min(burst, p_.timing.max_fetch_batch), 1, buf.size());
  for (bool any = true; any;) {
    any = false;
    for (std::size_t n = 0; n < sq_order_.size(); ++n) {
      const std::uint16_t qid = sq_order_[(rr_next_ + n) % sq_order_.size()];
      SubmissionQueue& sq = *sqs_[qid];
      const std::uint32_t k = std::min({sq.pending(), sq.size - sq.head, batch});
      if (k == 0) continue;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      if (dma_read(sq.base + std::uint64_t{sq.head} * kSqeSize, buf.data(), std::uint64_t{k} * kSqeSize, delay) !=
          pci::DmaStatus::ok)
        return fatal(qid == 0 ? "admin submission queue cannot be read" : "I/O submission queue cannot be read");
      const sim::Picos in = datapath_.from_host_measured(link(), now, std::uint64_t{k} * kSqeSize, delay.value());
      sq.head = (sq.head + k) % sq.size;  // consumed: reported in SQHD from now on
      for (std::uint32_t i = 0; i < k; ++i) dispatch(qid, buf[i], in);
      any = true;
    }
    rr_next_ = (rr_next_ + 1) % sq_order_.size();
  }
}

void NvmeController::dispatch(std::uint16_t sqid, const Sqe& sqe, sim::Picos fetched) {
  const std::uint32_t slot = cmds_.alloc();
  Command& c = cmds_.at(slot);
  c.sqe = sqe;
  c.sqid = sqid;
  sim::Picos done;
  if (sqid == 0) {
    done = datapath_.firmware(fetched, p_.timing.admin_command_overhead);
  } else {
    done = plan_io(c, datapath_.firmware(fetched, p_.timing.io_command_overhead));
  }
  if (p_.trace_io)
    trace_.debug(component(), "nvme.fetch",
                 {{"sqid", sqid}, {"cid", sqe.cid}, {"opcode", sim::Hex{sqe.opcode}}, {"done", done}});
  schedule(done, Action::Kind::complete, slot, c.gen);
}

void NvmeController::complete(std::uint32_t slot, std::uint32_t gen) {
  if (slot >= cmds_.size()) return;
  Command& c = cmds_.at(slot);
  if (!c.active || c.gen != gen) return;  // aborted or deleted meanwhile
  if (fault_defers(slot, gen)) return;     // an injected hang: runs when it ends
  const std::optional<Status> st = c.sqid == 0 ? execute_admin(c) : std::optional<Status>(execute_io(c));
  if (!c.active || c.gen != gen) return;  // the controller failed while executing it
  if (st) finish(c, *st);
  cmds_.release(slot);
}

void NvmeController::finish(Command& c, Status st) {
  if (!st.ok()) record_error(&c, c.sqid, c.sqe.cid, st);
  ++completed_;
  if (p_.trace_io && c.sqid != 0)
    trace_.debug(component(), "nvme.complete", {{"sqid", c.sqid}, {"cid", c.sqe.cid}, {"status", status_name(st)}});
  if (c.sqid >= sqs_.size() || !sqs_[c.sqid]) return;
  if (fault_drops(c)) return;  // an injected lost completion
  post(sqs_[c.sqid]->cqid, HeldCompletion{c.dw0, c.sqid, c.sqe.cid, st});
}

void NvmeController::record_error(const Command* c, std::uint16_t sqid, std::uint16_t cid, Status st) {
  const std::uint8_t opcode = c ? c->sqe.opcode : 0;
  trace_.warn(component(), "nvme.command_error",
              {{"sqid", sqid}, {"cid", cid}, {"opcode", sim::Hex{opcode}}, {"status", status_name(st)},
               {"sct", st.sct}, {"sc", sim::Hex{st.sc}}});
  if (st == kAbortRequested || st == kAbortSqDeletion) return;  // requested by the host: not an error
  ErrorEntry e;
  e.sqid = sqid;
  e.cid = cid;
  e.status = st.field();
  if (c) {
    e.nsid = c->sqe.nsid;
    if (sqid != 0 && (opcode == io::kRead || opcode == io::kWrite || opcode == io::kWriteZeroes))
      e.lba = std::uint64_t{c->sqe.cdw11} << 32 | c->sqe.cdw10;
    if (st == kInvalidOpcode) e.param_location = 0;        // CDW0 byte 0
    if (st == kInvalidNamespace) e.param_location = 4;     // NSID
    if (st == kLbaOutOfRange) e.param_location = 40;       // CDW10
  }
  errors_.add(e);
}

// ---------------------------------------------------------------------------
// Completion queues

void NvmeController::post(std::uint16_t cqid, const HeldCompletion& e) {
  if (cqid >= cqs_.size() || !cqs_[cqid]) {
    trace_.warn(component(), "nvme.completion_dropped", {{"cqid", cqid}, {"cid", e.cid}});
    return;
  }
  if (fault_stashes(cqid, e)) return;  // an injected hang: posted when it ends
  CompletionQueue& cq = *cqs_[cqid];
  if (!cq.held.empty() || cq.full()) {  // never overwrite an entry the host has not consumed
    cq.held.push_back(e);
    if (cq.held.size() == 1) {
      trace_.debug(component(), "nvme.cq_full", {{"cqid", cqid}});
      // A CQ Head doorbell already on its way frees room when it lands.
      for (const PostedDoorbell& d : posted_doorbells_)
        if (d.at > sim::now()) schedule(d.at, Action::Kind::doorbells);
    }
    return;
  }
  write_cqe(cq, e);
}

bool NvmeController::write_cqe(CompletionQueue& cq, const HeldCompletion& e) {
  Cqe q{};
  q.dw0 = e.dw0;
  q.sqhd = (e.sqid < sqs_.size() && sqs_[e.sqid]) ? static_cast<std::uint16_t>(sqs_[e.sqid]->head) : 0;
  q.sqid = e.sqid;
  q.cid = e.cid;
  q.status = static_cast<std::uint16_t>(e.status.field() | (cq.phase ? 1u : 0u));
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (dma_write(cq.base + std::uint64_t{cq.tail} * kCqeSize, &q, sizeof q, delay) != pci::DmaStatus::ok) {
    fatal(cq.qid == 0 ? "admin completion queue cannot be written" : "I/O completion queue cannot be written");
    return false;
  }
  if (++cq.tail == cq.size) {
    cq.tail = 0;
    cq.phase = !cq.phase;  // §4.6: the Phase Tag inverts on each pass through the queue
  }
  if (cq.ien) note_interrupt(cq);
  return true;
}

void NvmeController::drain_held(CompletionQueue& cq) {
  if (faults_.hung) return;  // an injected hang posts nothing
  while (!cq.held.empty() && !cq.full()) {
    const HeldCompletion e = cq.held.front();
    cq.held.pop_front();
    if (!write_cqe(cq, e)) return;
  }
}

// ---------------------------------------------------------------------------
// Interrupts

unsigned NvmeController::interrupt_vectors() const {
  if (msix_.enabled(cs_)) return msix_.table_size();
  if (msi_.enabled(cs_)) return msi_.capable_vectors();
  return 1;  // INTx: every CQ uses vector 0
}

void NvmeController::note_interrupt(const CompletionQueue& cq) {
  if (!msix_.enabled(cs_) && !msi_.enabled(cs_)) return;  // INTx is a level: flush_interrupts() computes it
  const Coalescer::Decision d = coalescer_.on_completion(cq.iv, cq.qid == 0, sim::now());
  if (d.signal_now && cq.iv < irq_is_marked_.size() && !irq_is_marked_[cq.iv]) {
    irq_is_marked_[cq.iv] = true;
    irq_marked_.push_back(cq.iv);
  }
  if (d.arm_timer) schedule(d.timer_at, Action::Kind::coalesce_timer, cq.iv, d.token);
}

void NvmeController::coalesce_timer(unsigned vector, std::uint64_t token) {
  if (vector < irq_is_marked_.size() && coalescer_.on_timer(vector, token) && !irq_is_marked_[vector]) {
    irq_is_marked_[vector] = true;
    irq_marked_.push_back(vector);
  }
}

// Called when an event batch or a register write ends: one message per
// vector however many entries were posted at this instant.
void NvmeController::flush_interrupts() {
  if (!irq_marked_.empty()) {
    std::sort(irq_marked_.begin(), irq_marked_.end());
    for (unsigned v : irq_marked_) {
      irq_is_marked_[v] = false;
      coalescer_.signalled(v);
      signal_vector(v);
    }
    irq_marked_.clear();
  }
  update_intx();
}

void NvmeController::signal_vector(unsigned v) {
  if (msix_.enabled(cs_)) {
    signal_interrupt(v);
  } else if (msi_.enabled(cs_)) {
    const unsigned mv = v & (msi_.enabled_vectors(cs_) - 1);
    if (intms_ & (1u << mv)) {
      msi_held_ |= 1u << mv;  // INTMS masks it; INTMC releases it
      return;
    }
    signal_interrupt(v);
  }
}

// Pin-based interrupts (§7.5.1.1): INTA# is asserted while any CQ with
// interrupts enabled holds entries the host has not consumed, unless INTMS
// bit 0 masks it.
void NvmeController::update_intx() {
  if (msix_.enabled(cs_) || msi_.enabled(cs_)) {
    set_intx(false);
    return;
  }
  bool level = false;
  if (!(intms_ & 1))
    for (const auto& cq : cqs_)
      if (cq && cq->ien && cq->unconsumed() > 0) {
        level = true;
        break;
      }
  set_intx(level);
}

// ---------------------------------------------------------------------------
// Data transfer through PRPs

Status NvmeController::map_prps(const Command& c, std::uint64_t len, std::vector<Segment>& out,
                                sim::Picos* list_time) {
  const HostReader reader = [this](std::uint64_t addr, void* dst, std::uint64_t n, sim::Picos& took) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const bool ok = dma_read(addr, dst, n, d) == pci::DmaStatus::ok;
    took += d.value();
    return ok;
  };
  const PrpWalk w = walk_prps(c.sqe.prp1, c.sqe.prp2, len, page_size_, reader, out);
  if (list_time) *list_time = w.list_time;
  return w.status;
}

Status NvmeController::dma_segments(const std::vector<Segment>& segs, std::uint8_t* data, bool to_host) {
  std::uint64_t off = 0;
  for (const Segment& s : segs) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const pci::DmaStatus st = to_host ? dma_write(s.addr, data + off, s.len, d) : dma_read(s.addr, data + off, s.len, d);
    if (st != pci::DmaStatus::ok) return kDataTransferError;
    off += s.len;
  }
  return kSuccess;
}

Status NvmeController::transfer_to_host(const Command& c, const void* data, std::uint64_t len) {
  std::vector<Segment> segs;
  const Status st = map_prps(c, len, segs, nullptr);
  if (!st.ok()) return st;
  return dma_segments(segs, const_cast<std::uint8_t*>(static_cast<const std::uint8_t*>(data)), true);
}

Status NvmeController::transfer_from_host(const Command& c, void* data, std::uint64_t len) {
  std::vector<Segment> segs;
  const Status st = map_prps(c, len, segs, nullptr);
  if (!st.ok()) return st;
  return dma_segments(segs, static_cast<std::uint8_t*>(data), false);
}

}  // namespace nvme
