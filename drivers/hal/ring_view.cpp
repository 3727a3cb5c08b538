#include "drivers/hal/ring_view.hpp"

#include <string>

namespace hal {

Result<void> check_ring_entry_count(std::uint32_t count) {
  if (count == 0) return Error(errc::inval, "ring: entry_count is 0");
  if ((count & (count - 1)) != 0) {
    return Error(errc::inval, "ring: entry_count " + std::to_string(count) + " is not a power of two");
  }
  if (count > kMaxRingEntries) {
    return Error(errc::inval, "ring: entry_count " + std::to_string(count) + " exceeds 65536");
  }
  return ok();
}

}  // namespace hal
