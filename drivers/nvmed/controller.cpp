#include "drivers/nvmed/controller.hpp"

#include <algorithm>

#include "drivers/nvmed/regs.hpp"

namespace nvmed {

Capabilities Capabilities::decode(std::uint64_t cap) {
  Capabilities c;
  c.max_queue_entries = reg::cap::MQES(cap) + 1;
  c.contiguous_queues_required = reg::cap::CQR(cap);
  c.timeout_ms = std::uint64_t{reg::cap::TO(cap)} * 500;
  c.dstrd = reg::cap::DSTRD(cap);
  c.nvm_command_set = reg::cap::CSS(cap) & reg::cap::kCssNvm;
  c.mpsmin = reg::cap::MPSMIN(cap);
  c.mpsmax = reg::cap::MPSMAX(cap);
  return c;
}

Controller::Controller(hal::Sys& sys, hal::Mmio regs) : sys_(sys), regs_(regs) {}

hal::Result<void> Controller::read_capabilities() {
  // Two dword reads (lo, hi): valid on every platform, 64-bit reads are not.
  const std::uint64_t lo = regs_.read32(reg::CAP), hi = regs_.read32(reg::CAP + 4);
  cap_ = hi << 32 | lo;
  vs_ = regs_.read32(reg::VS);
  if (cap_ == ~std::uint64_t{0}) return hal::Error(hal::errc::io, "CAP reads all ones: the controller does not answer");
  caps_ = Capabilities::decode(cap_);
  if (!caps_.nvm_command_set) return hal::Error(hal::errc::opnotsupp, "CAP.CSS: no NVM command set");
  if (caps_.mpsmin > 0) return hal::Error(hal::errc::opnotsupp, "CAP.MPSMIN: 4 KiB pages not supported");
  if (caps_.max_queue_entries < 2) return hal::Error(hal::errc::opnotsupp, "CAP.MQES: fewer than 2 entries");
  if (caps_.timeout_ms == 0) caps_.timeout_ms = 500;  // TO 0 is not valid; assume the minimum
  return hal::ok();
}

std::uint32_t Controller::csts() const { return regs_.read32(reg::CSTS); }
std::uint32_t Controller::cc() const { return regs_.read32(reg::CC); }

void Controller::write64(std::uint32_t offset, std::uint64_t v) const {
  regs_.write32(offset, static_cast<std::uint32_t>(v));
  regs_.write32(offset + 4, static_cast<std::uint32_t>(v >> 32));
}

hal::Task<hal::Result<void>> Controller::wait_csts(std::uint32_t mask, std::uint32_t want, std::uint64_t timeout_ms,
                                                   const char* what, bool fail_on_cfs) {
  const std::uint64_t start = sys_.now_ns(), limit = timeout_ms * 1'000'000;
  std::uint64_t pause = 2'000;  // 2 us, doubling up to 1 ms
  for (;;) {
    const std::uint32_t v = csts();
    if (v == reg::csts::kGone) co_return hal::Error(hal::errc::io, std::string(what) + ": CSTS reads all ones");
    if ((v & mask) == want) co_return hal::ok();
    if (fail_on_cfs && (v & reg::csts::CFS))
      co_return hal::Error(hal::errc::io, std::string(what) + ": controller fatal status (CSTS.CFS)");
    const std::uint64_t waited = sys_.now_ns() - start;
    if (waited >= limit)
      co_return hal::Error(hal::errc::timedout,
                           std::string(what) + ": no change within " + std::to_string(timeout_ms) + " ms");
    co_await sys_.sleep_ns(std::min(pause, limit - waited));
    pause = std::min<std::uint64_t>(pause * 2, 1'000'000);
  }
}

hal::Task<hal::Result<void>> Controller::disable() {
  const std::uint32_t c = cc();
  if (c & reg::cc::EN) regs_.write32(reg::CC, c & ~reg::cc::EN);
  // Waiting for RDY = 0 also covers a reset still in progress (§7.6.1 step 1).
  co_return co_await wait_csts(reg::csts::RDY, 0, caps_.timeout_ms, "disable (CSTS.RDY = 0)", false);
}

void Controller::set_admin_queue(std::uint32_t sq_entries, std::uint64_t asq, std::uint32_t cq_entries,
                                 std::uint64_t acq) {
  regs_.write32(reg::AQA, reg::aqa(sq_entries, cq_entries));
  write64(reg::ASQ, asq);
  write64(reg::ACQ, acq);
}

hal::Task<hal::Result<void>> Controller::enable() {
  regs_.write32(reg::CC, reg::cc::value(0, false));  // fields first, with EN still 0
  regs_.write32(reg::CC, reg::cc::value(0, true));
  co_return co_await wait_csts(reg::csts::RDY, reg::csts::RDY, caps_.timeout_ms, "enable (CSTS.RDY = 1)", true);
}

hal::Task<hal::Result<void>> Controller::shutdown(std::uint64_t budget_ms) {
  const std::uint32_t c = cc();
  regs_.write32(reg::CC, (c & ~reg::cc::kShnMask) | reg::cc::kShnNormal);
  co_return co_await wait_csts(reg::csts::kShstMask, reg::csts::kShstComplete,
                               budget_ms ? budget_ms : caps_.timeout_ms, "shutdown (CSTS.SHST = 10b)", false);
}

}  // namespace nvmed
