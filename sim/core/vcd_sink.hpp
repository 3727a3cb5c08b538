// Waveform sink (`drvsim run --vcd FILE --vcd-signals irq,doorbell,queue`):
// a Value Change Dump (IEEE 1364 §18) that GTKWave opens, built from trace
// events, timescale 1 ps. Signal classes, each opt-in:
//
//   irq       per device that sends interrupts: a 1-bit line `irq.<device>`
//             that pulses (kIrqPulse long) at each delivered interrupt; per CPU
//             `irq.cpu<N>_vector`, the last vector delivered to it (8 bits).
//   doorbell  events of kind `doorbell` or `*.doorbell` with a `value` field:
//             `doorbell.<component>[_<queue>]` holds the last value written
//             (64 bits); `queue` (or `target`) names the doorbell.
//   queue     events with a `depth` field: `queue.<component>[_<queue>]` is
//             the depth (32 bits); and per component and span name, the
//             number of slices in flight (see perfetto_sink.hpp):
//             `queue.<component>_<name>_inflight`.
//
// Written by hand rather than with sc_trace: the signals are found in the
// trace as the run goes (a vector, a queue appear when used), while sc_trace
// needs sc_signals declared before the simulation starts in every model, and
// its tracing would be one more SystemC process in the schedule. The changes
// are kept in memory and the file written when the trace closes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sim/core/trace.hpp"

namespace sim {

inline constexpr Picos kIrqPulse = 10'000;  // 10 ns

struct VcdSignals {
  bool irq = false, doorbell = false, queue = false;
  bool any() const { return irq || doorbell || queue; }
};

/// "irq,doorbell,queue" or "all"; nullopt-like: sets `why` and returns false
/// on an unknown name.
bool parse_vcd_signals(std::string_view list, VcdSignals& out, std::string* why);

/// Throws std::runtime_error if the file cannot be opened.
std::unique_ptr<TraceSink> make_vcd_sink(const std::string& path, VcdSignals signals, std::string title = {});

}  // namespace sim
