// The bad guest's checks: each does one wrong thing to the controller and
// says what NVMe 1.4 requires in answer. A table of results.
#pragma once

#include <string>
#include <vector>

#include "drivers/hal/task.hpp"
#include "drivers/nvmebad/guest.hpp"

namespace nvmebad {

struct CheckResult {
  std::string name;      // what the guest did
  std::string expected;  // what the specification requires
  std::string got;       // what the controller did
  bool ok = false;
};

/// Runs every check in order on a controller `g` has probed (CAP read);
/// returns the results, or an error if the guest itself could not go on
/// (no memory, the controller never became ready for the valid steps).
hal::Task<hal::Result<std::vector<CheckResult>>> run_checks(Guest& g);

/// The table, one line per check, for sys.print.
std::vector<std::string> format_table(const std::vector<CheckResult>& results);

}  // namespace nvmebad
