// ringping: round trips over each of the three ring attachment modes, timed
// in simulated time, with the data checked:
//   --mode kernel   no-op requests on the process's kernel ring (user -> kernel)
//   --mode scheme   preads of "echo:ping" (user -> kernel -> echod -> back)
//   --mode user     requests on a ring attached to echod (user -> user)
//   --mode all      the three in turn (default)
//   --count N       round trips per mode (default 1000)
//   --depth D       requests in flight at once (default 1)
// Prints one line per mode: round trips, mean simulated time per round trip.
#pragma once

#include "drivers/hal/sys.hpp"

namespace apps {

hal::Task<int> ringping_main(hal::Sys& sys);

}  // namespace apps
