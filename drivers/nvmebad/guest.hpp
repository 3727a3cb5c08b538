// The bad guest's view of the controller: its registers (raw writes
// allowed), the admin queue and one I/O queue pair, and a command runner that
// polls the completion queue (no interrupts: a misbehaving guest should not
// need the driver's interrupt path to be judged).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/nvmed/command.hpp"
#include "drivers/nvmed/controller.hpp"
#include "drivers/nvmed/queue.hpp"

namespace nvmebad {

class Guest {
 public:
  Guest(hal::Sys& sys, hal::Mmio regs);

  hal::Sys& sys() { return sys_; }
  const hal::Mmio& regs() const { return regs_; }
  nvmed::Controller& controller() { return ctrl_; }
  /// CAP and VS; EIO if the function does not look like an NVMe controller.
  hal::Result<void> probe() { return ctrl_.read_capabilities(); }

  /// Disable, program the admin queue (fresh memory), write `cc` with EN = 1.
  /// Does not wait.
  hal::Task<hal::Result<void>> enable_raw(std::uint32_t cc);
  /// Polls CSTS until (CSTS & mask) == want or `timeout_ms` passes.
  hal::Task<bool> wait_csts(std::uint32_t mask, std::uint32_t want, std::uint64_t timeout_ms);
  /// A normal enable (nvmed's CC) and the admin queue live.
  hal::Task<hal::Result<void>> enable();

  nvmed::QueuePair& admin() { return *admin_; }
  /// Memory for I/O queue `qid` with `entries` entries (not created on the controller).
  hal::Result<nvmed::QueuePair*> make_io_queue(std::uint16_t qid, std::uint32_t entries);
  nvmed::QueuePair* io() { return io_.get(); }

  /// Submits `sqe` on `q` and polls its CQ for the completion with its CID
  /// for up to `timeout_ns`; other completions that arrive meanwhile are
  /// kept for take_other(). nullopt: no completion in time.
  hal::Task<std::optional<nvmed::CompletionEntry>> run(nvmed::QueuePair& q, nvmed::SubmissionEntry sqe,
                                                       std::uint64_t timeout_ns = 5'000'000);
  /// Submits without waiting; returns the CID.
  std::uint16_t submit(nvmed::QueuePair& q, nvmed::SubmissionEntry sqe);
  /// Polls `q` for the completion of `cid`.
  hal::Task<std::optional<nvmed::CompletionEntry>> wait(nvmed::QueuePair& q, std::uint16_t cid,
                                                        std::uint64_t timeout_ns = 5'000'000);

  /// A page of DMA memory (for data and PRP tests).
  hal::Result<hal::DmaBuffer> page();
  /// The doorbell register of queue `qid` (SQ tail, or CQ head if `cq`).
  std::uint64_t doorbell(std::uint16_t qid, bool cq) const;

 private:
  hal::Sys& sys_;
  hal::Mmio regs_;
  nvmed::Controller ctrl_;
  std::unique_ptr<nvmed::QueuePair> admin_, io_;
  std::map<std::pair<std::uint16_t, std::uint16_t>, nvmed::CompletionEntry> early_;  // (qid, cid): not waited for yet
};

}  // namespace nvmebad
