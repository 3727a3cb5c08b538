// pcid, the PCI bus driver (after Redox's pcid): enumerates bus 0 through
// ECAM, sizes and assigns BARs, enables functions, spawns the driver each
// match rule names, and serves those drivers' requests (protocol.hpp) on the
// "pcid" scheme. See docs/drivers/pcid.md.
//
// Arguments: match rules, one per argument (rules.hpp); none: the defaults.
// Exit status: 2 for a bad rule, 1 when it cannot start (scheme, ECAM
// mapping, a failed configuration access during bring-up); otherwise it
// serves until its scheme shuts down (then 0).
#pragma once

#include <memory>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/pcid/rules.hpp"
#include "drivers/pcid/server.hpp"

namespace pcid {

/// Enumerate, size and assign BARs, walk capabilities, enable, report and
/// spawn: everything pcid does before it serves. `state.ecam` must be set.
hal::Result<void> bring_up(hal::Sys& sys, PcidState& state, const std::vector<MatchRule>& rules);

}  // namespace pcid

hal::Task<int> pcid_main(hal::Sys& sys);
