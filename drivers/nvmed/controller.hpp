// The controller's registers and its state machine as the host drives it
// (NVMe Base 1.4 §3.1, §7.3 reset, §7.6.1 initialization, §7.6.2
// shutdown): disable and wait for CSTS.RDY = 0, program the admin queue
// (AQA, ASQ, ACQ), enable with CC (NVM command set, 4 KiB pages, 64-byte
// SQEs, 16-byte CQEs) and wait for CSTS.RDY = 1, or shut down with CC.SHN.
// Every wait polls CSTS with sys.sleep_ns between reads and gives up after
// CAP.TO (or the shutdown budget) with ETIMEDOUT: a controller that never
// answers fails the driver, it never hangs it.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/hal/mmio.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

namespace nvmed {

/// CAP, decoded (§3.1.1).
struct Capabilities {
  std::uint32_t max_queue_entries = 0;  // MQES + 1
  bool contiguous_queues_required = false;
  std::uint64_t timeout_ms = 0;  // TO × 500 ms: the worst case for CSTS.RDY to change
  std::uint32_t dstrd = 0;
  bool nvm_command_set = false;
  std::uint32_t mpsmin = 0, mpsmax = 0;
  std::uint64_t min_page_bytes() const { return 4096ULL << mpsmin; }

  static Capabilities decode(std::uint64_t cap);
};

class Controller {
 public:
  /// `regs`: BAR0 mapped (registers and doorbells).
  Controller(hal::Sys& sys, hal::Mmio regs);

  /// Reads CAP and VS; EIO when CAP reads all ones (no device answering),
  /// ENOTSUP-like EOPNOTSUPP when the NVM command set or 4 KiB pages are
  /// not supported.
  hal::Result<void> read_capabilities();
  const Capabilities& caps() const { return caps_; }
  std::uint64_t cap_raw() const { return cap_; }
  std::uint32_t version() const { return vs_; }
  /// The memory page size nvmed uses (CC.MPS = 0: 4 KiB).
  static constexpr std::uint64_t kPageBytes = 4096;

  const hal::Mmio& regs() const { return regs_; }
  std::uint32_t csts() const;
  std::uint32_t cc() const;

  /// CC.EN = 0 (if set), then waits for CSTS.RDY = 0 (§7.3.2, §7.6.1 step 1).
  hal::Task<hal::Result<void>> disable();
  /// AQA, ASQ, ACQ (§7.6.1 step 2). Only while disabled.
  void set_admin_queue(std::uint32_t sq_entries, std::uint64_t asq, std::uint32_t cq_entries, std::uint64_t acq);
  /// CC = NVM, MPS 4 KiB, round robin, IOSQES 6, IOCQES 4, EN = 1; waits for
  /// CSTS.RDY = 1 (§7.6.1 steps 3-6). EIO if CSTS.CFS is set meanwhile.
  hal::Task<hal::Result<void>> enable();
  /// Normal shutdown (§7.6.2): CC.SHN = 01b, wait for CSTS.SHST = 10b
  /// within `budget_ms` (0: CAP.TO).
  hal::Task<hal::Result<void>> shutdown(std::uint64_t budget_ms = 0);

  /// Polls until (CSTS & mask) == want, or `timeout_ms` passes: ETIMEDOUT.
  /// EIO when CSTS reads all ones, or CSTS.CFS appears while `fail_on_cfs`.
  hal::Task<hal::Result<void>> wait_csts(std::uint32_t mask, std::uint32_t want, std::uint64_t timeout_ms,
                                         const char* what, bool fail_on_cfs);

 private:
  void write64(std::uint32_t offset, std::uint64_t v) const;

  hal::Sys& sys_;
  hal::Mmio regs_;
  std::uint64_t cap_ = 0;
  std::uint32_t vs_ = 0;
  Capabilities caps_;
};

}  // namespace nvmed
