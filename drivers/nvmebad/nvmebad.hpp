// nvmebad: a misbehaving NVMe guest for testing the controller's answers to
// guest errors (scenarios/nvme-bad-guest.yaml). pcid spawns it for the NVMe
// function instead of nvmed ("class=01 subclass=08 -> nvmebad"). It prints a
// table of checks and exits 1 if any status differs from what NVMe 1.4 says.
#pragma once

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

hal::Task<int> nvmebad_main(hal::Sys& sys);
