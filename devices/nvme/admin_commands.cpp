// Admin command set (§5): queue management, Identify, Get Log Page, Abort and
// Asynchronous Event Request. Get/Set Features are in features.cpp. Each
// runs when its modelled time has passed (complete()), so its effects appear
// then; a returned status completes it, nullopt leaves it outstanding (AER).
#include <algorithm>

#include "devices/nvme/controller.hpp"
#include "devices/nvme/identify.hpp"

namespace nvme {

std::optional<Status> NvmeController::execute_admin(Command& c) {
  const Sqe& s = c.sqe;
  std::optional<Status> st;
  if (sqe_fuse(s) != 0 || sqe_psdt(s) != 0) {
    st = kInvalidField;  // no fused operations, no SGLs (Identify SGLS = 0)
  } else {
    switch (s.opcode) {
      case admin::kDeleteIoSq: st = delete_io_sq(c); break;
      case admin::kCreateIoSq: st = create_io_sq(c); break;
      case admin::kGetLogPage: st = get_log_page(c); break;
      case admin::kDeleteIoCq: st = delete_io_cq(c); break;
      case admin::kCreateIoCq: st = create_io_cq(c); break;
      case admin::kIdentify: st = identify(c); break;
      case admin::kAbort: st = abort_command(c); break;
      case admin::kSetFeatures: st = set_features(c); break;
      case admin::kGetFeatures: st = get_features(c); break;
      case admin::kAsyncEventRequest:
        if (!aer_.add_request(s.cid)) {
          st = kAsyncEventLimitExceeded;
        } else {
          trace_.debug(component(), "nvme.aer_outstanding", {{"cid", s.cid}, {"count", aer_.outstanding()}});
          return std::nullopt;
        }
        break;
      default: st = kInvalidOpcode; break;
    }
  }
  if (c.active)
    trace_.info(component(), "nvme.admin",
                {{"opcode", sim::Hex{s.opcode}}, {"cid", s.cid}, {"status", status_name(*st)}, {"dw0", sim::Hex{c.dw0}}});
  return st;
}

// §5.3 Create I/O Completion Queue.
Status NvmeController::create_io_cq(const Command& c) {
  const Sqe& s = c.sqe;
  const std::uint32_t qid = s.cdw10 & 0xFFFF, qsize = (s.cdw10 >> 16) + 1;
  const bool pc = s.cdw11 & 0x1, ien = s.cdw11 & 0x2;
  const std::uint32_t iv = s.cdw11 >> 16;
  if (qid == 0 || qid > features_.ncqa || cqs_[qid]) return kInvalidQueueIdentifier;
  // Invalid Queue Size also covers CC.IOCQES not set to a size Identify CQES
  // allows: 1.4 has no status of its own for it (§3.1.5: set before creating queues).
  if (qsize < 2 || qsize > p_.max_queue_entries || cc::iocqes(cc_) != kCqesLog2) return kInvalidQueueSize;
  if (iv >= interrupt_vectors()) return kInvalidInterruptVector;
  if (!pc) return kInvalidField;  // CAP.CQR = 1: queues must be physically contiguous
  if (s.prp1 & (page_size_ - 1)) return kInvalidPrpOffset;  // the base is page aligned
  CompletionQueue cq;
  cq.qid = static_cast<std::uint16_t>(qid);
  cq.base = s.prp1;
  cq.size = qsize;
  cq.ien = ien;
  cq.iv = static_cast<std::uint16_t>(iv);
  cqs_[qid] = std::move(cq);
  return kSuccess;
}

// §5.4 Create I/O Submission Queue.
Status NvmeController::create_io_sq(const Command& c) {
  const Sqe& s = c.sqe;
  const std::uint32_t qid = s.cdw10 & 0xFFFF, qsize = (s.cdw10 >> 16) + 1;
  const bool pc = s.cdw11 & 0x1;
  const std::uint32_t cqid = s.cdw11 >> 16;
  if (qid == 0 || qid > features_.nsqa || sqs_[qid]) return kInvalidQueueIdentifier;
  if (cqid == 0 || cqid >= cqs_.size() || !cqs_[cqid]) return kCompletionQueueInvalid;
  if (qsize < 2 || qsize > p_.max_queue_entries || cc::iosqes(cc_) != kSqesLog2) return kInvalidQueueSize;
  if (!pc) return kInvalidField;
  if (s.prp1 & (page_size_ - 1)) return kInvalidPrpOffset;
  SubmissionQueue sq;
  sq.qid = static_cast<std::uint16_t>(qid);
  sq.base = s.prp1;
  sq.size = qsize;
  sq.cqid = static_cast<std::uint16_t>(cqid);
  sqs_[qid] = sq;
  ++cqs_[cqid]->sq_count;
  rebuild_sq_order();
  return kSuccess;
}

// §5.6 Delete I/O Submission Queue: commands still outstanding from it
// complete with Command Aborted due to SQ Deletion before the delete does.
Status NvmeController::delete_io_sq(const Command& c) {
  const std::uint32_t qid = c.sqe.cdw10 & 0xFFFF;
  if (qid == 0 || qid >= sqs_.size() || !sqs_[qid]) return kInvalidQueueIdentifier;
  for (std::uint32_t i = 0; i < cmds_.size(); ++i) {
    Command& t = cmds_.at(i);
    if (!t.active || t.sqid != qid) continue;
    finish(t, kAbortSqDeletion);
    cmds_.release(i);
  }
  --cqs_[sqs_[qid]->cqid]->sq_count;
  sqs_[qid].reset();
  rebuild_sq_order();
  return kSuccess;
}

// §5.5 Delete I/O Completion Queue: not while an SQ still completes into it.
Status NvmeController::delete_io_cq(const Command& c) {
  const std::uint32_t qid = c.sqe.cdw10 & 0xFFFF;
  if (qid == 0 || qid >= cqs_.size() || !cqs_[qid]) return kInvalidQueueIdentifier;
  if (cqs_[qid]->sq_count > 0) return kInvalidQueueDeletion;
  cqs_[qid].reset();
  return kSuccess;
}

// §5.15 Identify.
Status NvmeController::identify(const Command& c) {
  const Sqe& s = c.sqe;
  IdentifyData d;
  switch (s.cdw10 & 0xFF) {
    case cns::kNamespace:
      // NSID FFFFFFFFh asks for capabilities common to all namespaces, which
      // needs Namespace Management (OACS bit 3): not supported.
      if (s.nsid == 0 || s.nsid > nn_) return kInvalidNamespace;
      if (const Namespace* ns = find_namespace(s.nsid))
        build_identify_namespace(*ns, p_, d);
      else
        d.fill(0);  // an inactive NSID: a zero-filled structure
      break;
    case cns::kController: build_identify_controller(p_, nn_, d); break;
    case cns::kActiveNamespaceList:
      if (s.nsid >= 0xFFFF'FFFE) return kInvalidNamespace;
      build_active_ns_list(namespaces_, s.nsid, d);
      break;
    default: return kInvalidField;
  }
  return transfer_to_host(c, d.data(), d.size());
}

// §5.14 Get Log Page.
Status NvmeController::get_log_page(const Command& c) {
  const Sqe& s = c.sqe;
  const std::uint8_t lid = s.cdw10 & 0xFF;
  const bool rae = s.cdw10 & (1u << 15);
  const std::uint64_t numd = ((std::uint64_t{s.cdw11 & 0xFFFF} << 16) | (s.cdw10 >> 16)) + 1;
  const std::uint64_t len = numd * 4, offset = std::uint64_t{s.cdw13} << 32 | s.cdw12;
  // Without an MDTS a log read is still bounded (the logs are a few KiB).
  if (offset & 3 || len > std::min<std::uint64_t>(max_transfer_bytes(), 64ULL << 20)) return kInvalidField;
  std::vector<std::uint8_t> page;
  switch (lid) {
    case log::kErrorInformation:
      page = errors_.page();
      if (!rae) aer_.unmask(aer::kTypeErrorStatus);
      break;
    case log::kSmartHealth:
      if (s.nsid != 0 && s.nsid != kBroadcastNsid) return kInvalidField;  // LPA bit 0 = 0: controller-wide only
      page = smart_page(health_, errors_.count(), sim::now());
      if (!rae) aer_.unmask(aer::kTypeSmartHealth);
      break;
    default: return kInvalidLogPage;
  }
  if (offset >= page.size()) return kInvalidField;
  std::vector<std::uint8_t> out(len, 0);  // beyond the end of the page: zeros
  std::copy_n(page.begin() + static_cast<std::ptrdiff_t>(offset), std::min<std::uint64_t>(len, page.size() - offset),
              out.begin());
  return transfer_to_host(c, out.data(), len);
}

// §5.1 Abort: best effort. DW0 bit 0 is 0 if the command was aborted, 1 if
// not (it had completed or was never seen). The aborted command completes
// with Command Abort Requested before the Abort does.
Status NvmeController::abort_command(Command& c) {
  const std::uint16_t sqid = c.sqe.cdw10 & 0xFFFF, cid = static_cast<std::uint16_t>(c.sqe.cdw10 >> 16);
  // ACL (0's based) Abort commands may be outstanding at once; this one included.
  unsigned aborts = 0;
  for (std::uint32_t i = 0; i < cmds_.size(); ++i) {
    const Command& t = cmds_.at(i);
    aborts += t.active && t.sqid == 0 && t.sqe.opcode == admin::kAbort;
  }
  if (aborts > p_.acl + 1) return kAbortCommandLimitExceeded;
  c.dw0 = 1;
  if (sqid == 0 && aer_.remove(cid)) {
    ++completed_;
    post(0, HeldCompletion{0, 0, cid, kAbortRequested});
    c.dw0 = 0;
    return kSuccess;
  }
  for (std::uint32_t i = 0; i < cmds_.size(); ++i) {
    Command& t = cmds_.at(i);
    if (&t == &c || !t.active || t.sqid != sqid || t.sqe.cid != cid) continue;
    finish(t, kAbortRequested);
    cmds_.release(i);
    c.dw0 = 0;
    break;
  }
  return kSuccess;
}

void NvmeController::report_event(std::uint8_t type, std::uint8_t info, std::uint8_t log_page) {
  const std::optional<std::uint16_t> cid = aer_.report(type);
  if (!cid) return;
  trace_.info(component(), "nvme.async_event", {{"type", type}, {"info", info}, {"cid", *cid}});
  ++completed_;
  post(0, HeldCompletion{AsyncEvents::dw0(type, info, log_page), 0, *cid, kSuccess});
}

}  // namespace nvme
