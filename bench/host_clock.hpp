// Host time for benchmarks: this thread's CPU time, so that other load on the
// machine (a parallel build, CI neighbours) does not count as our cost.
// SystemC's threads are coroutines on the calling thread, so everything a
// simulation does is on it. Measurement only; never influences a simulation.
#pragma once

#include <time.h>

namespace bench {

inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace bench
