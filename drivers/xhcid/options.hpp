// xhcid's arguments:
//   --scheme NAME          the scheme class drivers attach to (default "usb")
//   --imod-ns N            interrupt moderation interval in ns (default 0:
//                          no moderation; rounded down to 250 ns units)
//   --storage-driver NAME  the program for mass-storage BOT interfaces
//                          (default "usbscsid")
//   --storage-arg ARG      one more argument for every storage driver
//                          (repeatable; e.g. fault injection in tests)
//   --no-class-drivers     enumerate and configure, spawn nothing
//   --disk-base N          the first disk index handed to storage drivers
//                          (disk.usbN; default 0)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/hal/result.hpp"

namespace xhcid {

struct Options {
  std::string scheme = "usb";
  std::uint64_t imod_ns = 0;
  std::string storage_driver = "usbscsid";
  std::vector<std::string> storage_args;
  bool spawn_class_drivers = true;
  unsigned disk_base = 0;
};

/// EINVAL with a message naming the bad argument.
hal::Result<Options> parse_options(const std::vector<std::string>& args);

}  // namespace xhcid
