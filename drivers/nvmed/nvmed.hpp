// nvmed: the NVMe driver (docs/drivers/nvmed.md). pcid spawns it for a
// function of class 01h/08h (mass storage, NVM) and grants it the BARs. It
// attaches to pcid, fetches its function's configuration, maps BAR0, routes
// MSI-X vectors (admin queue + one per I/O queue, each on the CPU its queue
// serves), brings the controller up (NVMe Base 1.4 §7.6.1), identifies it
// and its namespaces, creates one I/O queue pair per CPU, and serves the
// disk scheme `disk.nvmeN` (disk_scheme.hpp) as a daemon.
//
// Arguments: options.hpp. Exit status: 2 bad arguments, 1 bring-up failed;
// as a daemon it runs until its scheme shuts down (then 0, after a normal
// controller shutdown).
#pragma once

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"

hal::Task<int> nvmed_main(hal::Sys& sys);
