// Injected faults on the NVMe controller (scenario `faults:`; see
// docs/devices/nvme.md#injected-faults). Not guest visible as an API: a
// scenario's platform applies them at a simulated time, and the guest sees
// only what a real controller in that state would show.
//
//  - controller-hang: the firmware stops. Doorbell writes are accepted (the
//    tails and heads are recorded) but nothing is fetched, executed or posted
//    until the hang ends (a duration) or the host resets the controller
//    (CC.EN 1 -> 0, NVMe 1.4 §7.3.2), which drops everything outstanding.
//  - drop-completion: the next N completions are never posted: the command
//    took effect but its CQE is lost, so only a host timeout notices.
//  - fatal: CSTS.CFS = 1 (§3.1.6, §9.5 "Controller Fatal Status Condition");
//    the controller stops until the host resets it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "devices/nvme/queues.hpp"

namespace nvme {

/// Which completions drop-completion takes.
enum class FaultQueues : std::uint8_t { io, admin, any };

struct FaultState {
  bool hung = false;
  std::uint64_t hang_token = 0;  // which hang a scheduled end belongs to
  /// Commands whose completion came due while hung: (slot, generation).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> deferred;
  /// Completions posted outside a command's execution (AERs, aborts) while hung.
  std::vector<std::pair<std::uint16_t, HeldCompletion>> stashed;
  std::uint32_t drop_completions = 0;
  FaultQueues drop_queues = FaultQueues::io;

  /// Back to no fault (a controller reset).
  void clear() {
    hung = false;
    ++hang_token;
    deferred.clear();
    stashed.clear();
    drop_completions = 0;
  }
};

}  // namespace nvme
