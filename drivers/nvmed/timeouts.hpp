// Command timeouts and what nvmed does about them: the policy and the pure
// decisions the Engine's watchdog and submitters take (unit-tested alone).
//
// Escalation, as Linux's nvme driver does it:
//  1. An I/O command outlives its deadline: the watchdog sends an Abort for
//     it (§5.1) and gives it one more admin timeout. If the controller aborts
//     it, the command completes with Command Abort Requested and its
//     submitter retries it, with a doubled timeout, while attempts remain.
//  2. The command outlives that too (the Abort failed, timed out or found
//     nothing), or an admin command times out, or more Aborts would exceed
//     the Abort Command Limit: the controller is reset (CC.EN = 0, then
//     bring-up again) and every command in flight is resubmitted by its
//     submitter on the re-created queues.
//  3. Too many resets in a row without a successful command in between, or
//     a reset that fails: the controller is declared failed and every
//     request gets EIO.
// While the controller is not online (bring-up, recovery), an expired
// command simply fails with Outcome::timed_out: the sequence in progress
// decides.
#pragma once

#include <algorithm>
#include <cstdint>

#include "drivers/nvmed/queue.hpp"

namespace nvmed {

struct TimeoutPolicy {
  std::uint64_t io_timeout_ns = 1'000'000'000;     // first attempt of an I/O command
  std::uint64_t admin_timeout_ns = 1'000'000'000;  // admin commands (Abort included)
  unsigned max_attempts = 4;                       // first try + 3 retries
  unsigned max_consecutive_resets = 3;

  /// The timeout of attempt `attempt` (0-based): doubles each time, 64× at most.
  std::uint64_t io_timeout(unsigned attempt) const { return io_timeout_ns << std::min(attempt, 6u); }
  /// How long the watchdog may sleep before looking again.
  std::uint64_t watchdog_period() const { return std::max<std::uint64_t>(1, std::min(io_timeout_ns, admin_timeout_ns) / 2); }
};

enum class ControllerState : std::uint8_t { initializing, online, resetting, failed, shut_down };
const char* state_name(ControllerState s);

/// What the watchdog does with a command past its deadline.
enum class ExpiryAction : std::uint8_t {
  none,    // not expired (or abandoned)
  expire,  // complete it with Outcome::timed_out (controller not online)
  abort,   // send an Abort for it
  reset,   // reset the controller
};
const char* action_name(ExpiryAction a);

ExpiryAction decide_expiry(const Pending& p, std::uint64_t now_ns, bool admin_queue, ControllerState state,
                           unsigned aborts_outstanding, unsigned abort_limit);

/// What a submitter does with a CommandResult.
enum class Verdict : std::uint8_t {
  done,       // hand the result (success or a device error) to the caller
  retry,      // submit again (a reset dropped it, it was aborted for a timeout, or a retryable error)
  timed_out,  // give up: ETIMEDOUT
  failed,     // give up: EIO, the controller is gone
};
const char* verdict_name(Verdict v);

/// `attempt` is 0-based: the attempt that produced `r`.
Verdict decide_retry(const CommandResult& r, unsigned attempt, const TimeoutPolicy& policy);

}  // namespace nvmed
