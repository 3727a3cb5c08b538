// What pcid tells the run's report (Sys::print) and the trace (Sys::log)
// about each function it found.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

/// "0x1f" (no padding); with `digits`, zero-padded, without "0x".
std::string hex(std::uint64_t v, int digits = 0);
/// "4 KiB", "64 GiB", "24 B".
std::string human_size(std::uint64_t bytes);

/// The report lines for a function: identity, one per BAR, interrupts.
std::vector<std::string> describe_function(const Function& f);
/// Prints describe_function() and logs the function, its BARs, capabilities
/// and how it was enabled as trace events.
void report_function(hal::Sys& sys, const Function& f);

}  // namespace pcid
