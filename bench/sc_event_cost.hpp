// The host cost (thread CPU time) of one timed SystemC event (a thread's wait(t) and its
// resumption), measured in this process: the unit the other figures are
// compared with, so they mean something across machines.
#pragma once

namespace bench {

/// Host nanoseconds per timed event: the fastest of five runs of 200,000
/// events, measured once (lazily) per process.
double sc_event_ns();
/// One run of 200,000 events, measured now (a benchmark that interleaves it
/// with its own runs sees the machine in the same state for both).
double measure_sc_event_ns();

}  // namespace bench
