// The programs the kernel model can run, by the names scenarios use.
#include <string>

#include "drivers/apps/echod.hpp"
#include "drivers/apps/ringping.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/testdev/testdev.hpp"
#include "sim/platform/platform.hpp"

namespace sim::platform {

const kernel::Kernel::Programs& programs() {
  static const kernel::Kernel::Programs table = {
      {"echod", &apps::echod_main},
      {"ringping", &apps::ringping_main},
      {"pcid", &pcid_main},
      {"testdev", &testdev_main},
  };
  return table;
}

bool is_privileged_program(const std::string& name) { return name == "pcid"; }

}  // namespace sim::platform
