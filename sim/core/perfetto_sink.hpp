// Timeline sink (`drvsim run --trace-perfetto FILE`): the Chrome trace-event
// JSON format ({"traceEvents": [...]}), which ui.perfetto.dev and
// chrome://tracing open. Tracks and slices come from trace conventions, so a
// device model gets a timeline by naming its events well (docs/debugging.md):
//
//   * each component is a track (a thread), grouped into processes: the
//     platform, interrupts, the kernel, programs, devices;
//   * `irqc/irq` events are instants on an "interrupts / cpu N" track;
//   * a slice is a pair of events of one component whose kinds are
//     `NAME.begin` and `NAME.end`, or `NAME.start` and `NAME.done`. Pairs
//     nest per component and name. A begin event with a `span` field opens an
//     asynchronous slice that the end event with the same `span` closes, so
//     slices of one component may overlap (commands in flight);
//   * an event with a `depth` field is a counter sample (queue occupancy);
//     with a `queue` field too, each queue is its own counter;
//   * every other event at info or above is an instant on its track.
// Times are microseconds with picosecond precision (six decimals).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/trace.hpp"

namespace sim {

/// "dma.start" -> {"dma", begin}; "cmd.end" -> {"cmd", end}; else nullopt.
struct SpanKind {
  std::string_view name;
  bool begin = false;
};
std::optional<SpanKind> span_kind(std::string_view kind);

struct PerfettoOptions {
  /// The process (group) a component's track belongs to: "devices",
  /// "programs", ... Components not listed go to "platform" (or "kernel"
  /// for the component "kernel").
  std::map<std::string, std::string, std::less<>> group_of;
  std::string title;  // shown as metadata ("drvsim: <scenario>")
};

/// Throws std::runtime_error if the file cannot be opened.
std::unique_ptr<TraceSink> make_perfetto_sink(const std::string& path, PerfettoOptions options);

}  // namespace sim
