#include "sim/core/time.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <systemc>

namespace sim {

std::string format_time(Picos t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64 "us", t / Picos{1'000'000}, t % Picos{1'000'000});
  return buf;
}

sc_core::sc_time to_sc(Picos t) { return sc_core::sc_time::from_value(t); }

// sc_time_stamp() is a library call around the same inline accessors.
Picos now() { return sc_core::sc_get_curr_simcontext()->time_stamp().value(); }

void fresh_kernel() {
  // No SystemC banner on stdout: drvsim's output is its own.
  ::setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  // SystemC 2.3 has no API to restart the kernel; replacing the current
  // context is the customary way. The old context is leaked on purpose:
  // destroying it runs module destructors the caller may still own.
  sc_core::sc_curr_simcontext = new sc_core::sc_simcontext();
  sc_core::sc_default_global_context = sc_core::sc_curr_simcontext;
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  // SystemC's informational reports ("Simulation stopped by user") are noise
  // in drvsim's output; warnings and errors still show.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
}

}  // namespace sim
