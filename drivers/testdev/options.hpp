// testdev's arguments:
//   --copies N      DMA copies to run (1 .. 1000000; default 4)
//   --size BYTES    bytes per copy (1 .. 1 MiB; default 64 KiB); a K/KiB or
//                   M/MiB suffix multiplies by 1024 or 1048576
// Both also as --copies=N / --size=BYTES.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/hal/result.hpp"

namespace testdev {

struct Options {
  unsigned copies = 4;
  std::uint32_t size = 64 * 1024;
};

/// EINVAL with a message naming the bad argument.
hal::Result<Options> parse_options(const std::vector<std::string>& args);

}  // namespace testdev
