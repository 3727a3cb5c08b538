#include "sc_event_cost.hpp"
#include "host_clock.hpp"

#include <systemc>


#include "sim/core/time.hpp"

namespace bench {

double sc_event_ns() {
  static const double cost = [] {
    constexpr int kEvents = 200'000;
    sim::fresh_kernel();
    sc_core::sc_spawn([] {
      for (int i = 0; i < kEvents; ++i) sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    });
    const double t0 = bench::thread_cpu_ns();  // host time: measurement only
    sc_core::sc_start();
    const double t1 = bench::thread_cpu_ns();
    return (t1 - t0) / kEvents;
  }();
  return cost;
}

}  // namespace bench
