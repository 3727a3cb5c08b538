// usbscsid: the USB mass-storage class driver (docs/drivers/usbscsid.md),
// after Redox's usbscsid. xhcid spawns it for an interface of class 08h,
// subclass 06h (SCSI transparent), protocol 50h (Bulk-Only Transport). It
// attaches a ring to xhcid, runs SCSI over BOT, and serves the disk scheme
// "disk.usbN". It exits (0) when the device leaves.
//
// Arguments: options.hpp. Exit status: 2 bad arguments; 1 the device could
// not be brought up; 0 the device left or the scheme closed.
#pragma once

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

hal::Task<int> usbscsid_main(hal::Sys& sys);
