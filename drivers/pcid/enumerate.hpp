// Enumeration of bus 0: 32 devices x 8 functions through ECAM. Functions 1-7
// are looked at only when function 0's Header Type has the multi-function
// bit (PCI 3.0 §6.2.1). Reads identity and header fields; BARs and
// capabilities are separate steps (bars.hpp, capabilities.hpp).
#pragma once

#include <vector>

#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

/// True if a function answers at `bdf` (Vendor ID is neither FFFFh nor 0).
bool function_present(const Ecam& ecam, Bdf bdf);
/// Identity and header of the function at `bdf`.
Function read_function(const Ecam& ecam, Bdf bdf);
/// Every function on bus 0, in bus/device/function order.
std::vector<Function> enumerate_bus0(const Ecam& ecam);

}  // namespace pcid
