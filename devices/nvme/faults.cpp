// Injected faults (faults.hpp): hang, lost completions, controller fatal
// status. The hooks in the queue engine are one line each; the behaviour is
// here.
#include "devices/nvme/faults.hpp"

#include "devices/nvme/controller.hpp"

namespace nvme {

void NvmeController::inject_hang(sim::Picos duration) {
  apply_posted_doorbells();
  faults_.hung = true;
  const std::uint64_t token = ++faults_.hang_token;
  trace_.warn(component(), "nvme.fault.hang",
              {{"for_ps", duration}, {"in_flight", cmds_.active()}, {"state", static_cast<unsigned>(state_)}});
  if (duration) schedule(sim::now() + duration, Action::Kind::fault_end, 0, token);
}

void NvmeController::inject_drop_completions(std::uint32_t count, FaultQueues queues) {
  apply_posted_doorbells();
  faults_.drop_completions = count;
  faults_.drop_queues = queues;
}

// §3.1.6: CSTS.CFS reports a fatal error the controller could not report in a
// completion queue; §9.5: the host's only way out is a controller reset.
void NvmeController::inject_fatal() {
  apply_posted_doorbells();
  trace_.warn(component(), "nvme.fault.fatal", {{"in_flight", cmds_.active()}});
  stop_failed();
}

bool NvmeController::fault_defers(std::uint32_t slot, std::uint32_t gen) {
  if (!faults_.hung) return false;
  faults_.deferred.emplace_back(slot, gen);
  return true;
}

bool NvmeController::fault_stashes(std::uint16_t cqid, const HeldCompletion& e) {
  if (!faults_.hung) return false;
  faults_.stashed.emplace_back(cqid, e);
  return true;
}

bool NvmeController::fault_drops(const Command& c) {
  if (faults_.drop_completions == 0) return false;
  const bool admin = c.sqid == 0;
  if ((faults_.drop_queues == FaultQueues::io && admin) || (faults_.drop_queues == FaultQueues::admin && !admin))
    return false;
  --faults_.drop_completions;
  trace_.warn(component(), "nvme.fault.completion_dropped",
              {{"sqid", c.sqid}, {"cid", c.sqe.cid}, {"opcode", sim::Hex{c.sqe.opcode}},
               {"left", faults_.drop_completions}});
  return true;
}

// The hang is over: what came due meanwhile runs now, in the order it came
// due, and the SQ tails written meanwhile are fetched.
void NvmeController::end_hang(std::uint64_t token) {
  if (!faults_.hung || token != faults_.hang_token) return;
  faults_.hung = false;
  trace_.info(component(), "nvme.fault.hang_end",
              {{"deferred", static_cast<std::uint64_t>(faults_.deferred.size())},
               {"stashed", static_cast<std::uint64_t>(faults_.stashed.size())}});
  const sim::Picos now = sim::now();
  for (const auto& [slot, gen] : faults_.deferred) schedule(now, Action::Kind::complete, slot, gen);
  faults_.deferred.clear();
  auto stashed = std::move(faults_.stashed);
  faults_.stashed.clear();
  for (const auto& [cqid, e] : stashed) post(cqid, e);
  for (auto& cq : cqs_)
    if (cq) drain_held(*cq);
  request_fetch(now);
}

}  // namespace nvme
