// usbscsid's arguments (xhcid passes the first four):
//   --scheme NAME             xhcid's scheme (default "usb")
//   --port N                  the root hub port of the device (required)
//   --interface N             the interface to drive (default 0)
//   --disk N                  serve "disk.usbN" (default 0)
//   --max-transfer BYTES      the largest data stage of one command (default
//                             1 MiB; 4 KiB .. 4 MiB, a multiple of 4 KiB)
//   --inject-invalid-cbw N    testing: the N-th command's CBW is made invalid
//                             once, so the device STALLs and usbscsid must
//                             recover (Reset Recovery) and retry
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/hal/result.hpp"

namespace usbscsid {

struct Options {
  std::string scheme = "usb";
  unsigned port = 0;
  unsigned interface = 0;
  unsigned disk = 0;
  std::uint32_t max_transfer = 1u << 20;
  std::uint64_t inject_invalid_cbw = 0;
};

hal::Result<Options> parse_options(const std::vector<std::string>& args);

}  // namespace usbscsid
