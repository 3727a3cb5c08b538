// The programs the kernel model can run, by the names scenarios use.
#include <string>

#include "sim/platform/platform.hpp"

namespace sim::platform {

const kernel::Kernel::Programs& programs() {
  static const kernel::Kernel::Programs table = {};
  return table;
}

bool is_privileged_program(const std::string& name) { return name == "pcid"; }

}  // namespace sim::platform
