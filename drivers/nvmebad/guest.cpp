#include "drivers/nvmebad/guest.hpp"

#include "drivers/nvmed/regs.hpp"

namespace nvmebad {

namespace {
constexpr std::uint32_t kAdminEntries = 16;
constexpr std::uint64_t kPollNs = 5'000;
}  // namespace

Guest::Guest(hal::Sys& sys, hal::Mmio regs) : sys_(sys), regs_(regs), ctrl_(sys, regs) {}

hal::Task<hal::Result<void>> Guest::enable_raw(std::uint32_t cc) {
  const hal::Result<void> off = co_await ctrl_.disable();
  if (!off) co_return off.error();
  hal::Result<hal::DmaBuffer> sq = sys_.physalloc(std::size_t{kAdminEntries} * nvmed::kSqeBytes);
  if (!sq) co_return sq.error();
  hal::Result<hal::DmaBuffer> cq = sys_.physalloc(std::size_t{kAdminEntries} * nvmed::kCqeBytes);
  if (!cq) co_return cq.error();
  admin_ = std::make_unique<nvmed::QueuePair>(0, kAdminEntries, *sq, *cq, regs_, ctrl_.caps().dstrd, 0);
  ctrl_.set_admin_queue(kAdminEntries, sq->phys, kAdminEntries, cq->phys);
  regs_.write32(nvmed::reg::CC, cc & ~nvmed::reg::cc::EN);  // fields first, with EN still 0
  regs_.write32(nvmed::reg::CC, cc | nvmed::reg::cc::EN);
  co_return hal::ok();
}

hal::Task<bool> Guest::wait_csts(std::uint32_t mask, std::uint32_t want, std::uint64_t timeout_ms) {
  const hal::Result<void> r = co_await ctrl_.wait_csts(mask, want, timeout_ms, "CSTS", false);
  co_return r.has_value();
}

hal::Task<hal::Result<void>> Guest::enable() {
  const hal::Result<void> raw = co_await enable_raw(nvmed::reg::cc::value(0, true));
  if (!raw) co_return raw.error();
  if (!co_await wait_csts(nvmed::reg::csts::RDY | nvmed::reg::csts::CFS, nvmed::reg::csts::RDY,
                          ctrl_.caps().timeout_ms))
    co_return hal::Error(hal::errc::io, "the controller did not become ready");
  admin_->set_live(true);
  co_return hal::ok();
}

hal::Result<nvmed::QueuePair*> Guest::make_io_queue(std::uint16_t qid, std::uint32_t entries) {
  hal::Result<hal::DmaBuffer> sq = sys_.physalloc(std::size_t{entries} * nvmed::kSqeBytes);
  if (!sq) return sq.error();
  hal::Result<hal::DmaBuffer> cq = sys_.physalloc(std::size_t{entries} * nvmed::kCqeBytes);
  if (!cq) return cq.error();
  io_ = std::make_unique<nvmed::QueuePair>(qid, entries, *sq, *cq, regs_, ctrl_.caps().dstrd, 0);
  return io_.get();
}

std::uint16_t Guest::submit(nvmed::QueuePair& q, nvmed::SubmissionEntry sqe) {
  nvmed::Pending p;
  p.submitted_ns = sys_.now_ns();
  return q.submit(sqe, p);
}

hal::Task<std::optional<nvmed::CompletionEntry>> Guest::wait(nvmed::QueuePair& q, std::uint16_t cid,
                                                             std::uint64_t timeout_ns) {
  const std::uint64_t end = sys_.now_ns() + timeout_ns;
  for (;;) {
    q.drain([&](const nvmed::CompletionEntry& e) {
      q.take(e.cid);
      early_[{q.qid(), e.cid}] = e;
    });
    if (auto it = early_.find({q.qid(), cid}); it != early_.end()) {
      const nvmed::CompletionEntry e = it->second;
      early_.erase(it);
      co_return e;
    }
    if (sys_.now_ns() >= end) co_return std::nullopt;
    co_await sys_.sleep_ns(kPollNs);
  }
}

hal::Task<std::optional<nvmed::CompletionEntry>> Guest::run(nvmed::QueuePair& q, nvmed::SubmissionEntry sqe,
                                                            std::uint64_t timeout_ns) {
  const std::uint16_t cid = submit(q, sqe);
  co_return co_await wait(q, cid, timeout_ns);
}

hal::Result<hal::DmaBuffer> Guest::page() { return sys_.physalloc(nvmed::Controller::kPageBytes); }

std::uint64_t Guest::doorbell(std::uint16_t qid, bool cq) const {
  return nvmed::reg::kDoorbellBase + (2ULL * qid + (cq ? 1 : 0)) * (4ULL << ctrl_.caps().dstrd);
}

}  // namespace nvmebad
