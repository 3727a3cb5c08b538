#include "sc_event_cost.hpp"

#include <systemc>

#include <chrono>

#include "sim/core/time.hpp"

namespace bench {

double sc_event_ns() {
  static const double cost = [] {
    constexpr int kEvents = 200'000;
    sim::fresh_kernel();
    sc_core::sc_spawn([] {
      for (int i = 0; i < kEvents; ++i) sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    });
    const auto t0 = std::chrono::steady_clock::now();  // host time: measurement only
    sc_core::sc_start();
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / kEvents;
  }();
  return cost;
}

}  // namespace bench
