// Starting drivers: for each enabled endpoint the first matching rule names a
// program; pcid spawns it with the rule's arguments, records pid -> function
// (requests on a ring are served for that function only) and grants the pid
// physmap of the function's assigned memory BARs.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/pcid/function.hpp"
#include "drivers/pcid/rules.hpp"

namespace pcid {

/// pid -> index into the function table.
using DriverTable = std::map<hal::Pid, std::size_t>;

/// Spawns a driver for every function a rule matches; returns how many
/// started. Failures are printed and logged, never fatal.
std::size_t spawn_drivers(hal::Sys& sys, std::vector<Function>& functions, const std::vector<MatchRule>& rules,
                          DriverTable& drivers);

}  // namespace pcid
