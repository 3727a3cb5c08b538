// xhcid: the xHCI host controller driver (docs/drivers/xhcid.md), after
// Redox's xhcid. pcid spawns it for a function of class 0C/03/30. It brings
// the controller up (xHCI 1.2 §4.2), runs interrupt driven through MSI-X,
// enumerates the devices on the root hub ports (and those plugged in later),
// spawns a class driver per interface it knows (mass storage BOT ->
// usbscsid), and serves those class drivers over user -> user rings on its
// scheme ("usb"; protocol.hpp).
//
// Arguments: options.hpp. Exit status: 2 bad arguments; 1 bring-up failed;
// 0 when its scheme is closed.
#pragma once

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

hal::Task<int> xhcid_main(hal::Sys& sys);
