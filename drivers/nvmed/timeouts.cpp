#include "drivers/nvmed/timeouts.hpp"

namespace nvmed {

const char* state_name(ControllerState s) {
  switch (s) {
    case ControllerState::initializing: return "initializing";
    case ControllerState::online: return "online";
    case ControllerState::resetting: return "resetting";
    case ControllerState::failed: return "failed";
    case ControllerState::shut_down: return "shut down";
  }
  return "?";
}

const char* action_name(ExpiryAction a) {
  switch (a) {
    case ExpiryAction::none: return "none";
    case ExpiryAction::expire: return "expire";
    case ExpiryAction::abort: return "abort";
    case ExpiryAction::reset: return "reset";
  }
  return "?";
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::done: return "done";
    case Verdict::retry: return "retry";
    case Verdict::timed_out: return "timed out";
    case Verdict::failed: return "failed";
  }
  return "?";
}

ExpiryAction decide_expiry(const Pending& p, std::uint64_t now_ns, bool admin_queue, ControllerState state,
                           unsigned aborts_outstanding, unsigned abort_limit) {
  if (!p.in_use || p.done == nullptr || p.deadline_ns > now_ns) return ExpiryAction::none;
  if (state != ControllerState::online) return ExpiryAction::expire;
  if (admin_queue) return ExpiryAction::reset;  // an admin command (an Abort too) that hangs
  if (p.abort_sent) return ExpiryAction::reset;  // the Abort did not get it back either
  if (aborts_outstanding >= abort_limit) return ExpiryAction::reset;
  return ExpiryAction::abort;
}

Verdict decide_retry(const CommandResult& r, unsigned attempt, const TimeoutPolicy& policy) {
  const bool attempts_left = attempt + 1 < policy.max_attempts;
  switch (r.outcome) {
    case Outcome::completed:
      if (r.status.ok()) return Verdict::done;
      if (r.status.abort_requested())  // we asked for it after a timeout; someone else's abort: report it
        return r.timed_out ? (attempts_left ? Verdict::retry : Verdict::timed_out) : Verdict::done;
      // §4.6.1.2: without DNR, the same command may succeed if resubmitted.
      return !r.status.dnr && attempts_left ? Verdict::retry : Verdict::done;
    case Outcome::reset: return attempts_left ? Verdict::retry : (r.timed_out ? Verdict::timed_out : Verdict::failed);
    case Outcome::timed_out: return Verdict::timed_out;
    case Outcome::offline: return Verdict::failed;
  }
  return Verdict::failed;
}

}  // namespace nvmed
