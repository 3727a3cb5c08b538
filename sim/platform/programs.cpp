// The programs the kernel model can run, by the names scenarios use.
#include <string>

#include "drivers/apps/blockbench.hpp"
#include "drivers/apps/echod.hpp"
#include "drivers/apps/ringping.hpp"
#include "drivers/pcid/pcid.hpp"
#include "drivers/nvmebad/nvmebad.hpp"
#include "drivers/nvmed/nvmed.hpp"
#include "drivers/testdev/testdev.hpp"
#include "drivers/usbscsid/usbscsid.hpp"
#include "drivers/xhcid/xhcid.hpp"
#include "sim/platform/platform.hpp"

namespace sim::platform {

const kernel::Kernel::Programs& programs() {
  static const kernel::Kernel::Programs table = {
      {"echod", &apps::echod_main},
      {"ringping", &apps::ringping_main},
      {"pcid", &pcid_main},
      {"testdev", &testdev_main},
      {"nvmed", &nvmed_main},
      {"nvmebad", &nvmebad_main},
      {"blockbench", &apps::blockbench_main},
      {"xhcid", &xhcid_main},
      {"usbscsid", &usbscsid_main},
  };
  return table;
}

bool is_privileged_program(const std::string& name) { return name == "pcid"; }

}  // namespace sim::platform
