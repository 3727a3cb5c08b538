// Breakpoints on simulated events (`drvsim run --break-on ...`).
//
// When a watched event happens the simulator calls drvsim_break(), a plain C
// function that is never inlined: under gdb a breakpoint on it stops the run
// right there, with the event in `*info` (tools/gdb/drvsim.py sets it for
// you). Without a debugger (TracerPid is 0 in /proc/self/status) the event is
// printed to stderr and the run goes on. A break never changes the run: it
// adds no trace event and no SystemC activity except, for `time:T`, one
// method that wakes at T and does nothing else.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

extern "C" {

/// What drvsim_break() is told. Plain C, so gdb prints it as is.
struct drvsim_break_info {
  const char* reason;     // "irq", "event", "time"
  const char* spec;       // the --break-on text that matched, e.g. "irq:dma0:0x41"
  std::uint64_t hit;      // which match this is: 3 for the third (--break-skip 2 stops first there)
  std::uint64_t time_ps;  // simulated time
  std::uint64_t seq;      // the event's trace sequence number (~0 for time breaks)
  const char* component;  // the event's component ("" for time breaks)
  const char* kind;       // the event's kind
  const char* fields;     // "cpu=0 vector=65 source=dma0"
  const char* line;       // the event as the text log shows it
  int cpu;                // irq breaks: the CPU and vector; else -1
  int vector;
  const char* source;     // irq breaks: the device that sent it; else ""
};

/// Called at each break. Put a gdb breakpoint here (`break drvsim_break`).
void drvsim_break(const drvsim_break_info* info);

/// A copy of the last break, for `print drvsim_last_break` at any time.
extern drvsim_break_info drvsim_last_break;
}

namespace sim {

/// One --break-on condition.
struct BreakSpec {
  enum class Type : std::uint8_t { irq, event, time };
  Type type = Type::irq;
  std::string text;      // as written
  std::string device;    // irq: the source device, "" or "*" for any
  std::optional<unsigned> vector;  // irq: the vector, any when unset
  std::string component; // event: "" or "*" for any
  std::string kind;      // event: the kind
  Picos time = 0;        // time
  bool matches(const TraceEvent& e) const;
};

/// Parses "irq", "irq:DEVICE", "irq:DEVICE:VECTOR" (decimal or 0x hex; DEVICE
/// may be *), "event:KIND", "event:COMPONENT/KIND", "time:T" (a duration such
/// as 15us; a bare number is picoseconds). nullopt and a reason otherwise.
/// `parse_duration` reads T (the scenario's duration syntax).
std::optional<BreakSpec> parse_break_spec(std::string_view text, std::string* why,
                                          std::optional<Picos> (*parse_duration)(std::string_view));

/// Counts matches and breaks from the (skip+1)-th on: shared by the trace
/// sink (irq and event breaks) and the platform's time breaks.
class Breaker {
 public:
  Breaker(std::vector<BreakSpec> specs, std::uint64_t skip);
  const std::vector<BreakSpec>& specs() const { return specs_; }
  /// Checks one event against the irq and event breaks.
  void on_event(const TraceEvent& e);
  /// A time break fires (called by the platform at spec.time).
  void on_time(const BreakSpec& spec, Picos now);
  std::uint64_t matches() const { return matches_; }
  std::uint64_t hits() const { return hits_; }

 private:
  void fire(drvsim_break_info& info);
  std::vector<BreakSpec> specs_;
  bool any_event_specs_ = false;
  std::uint64_t skip_;
  std::uint64_t matches_ = 0;
  std::uint64_t hits_ = 0;
};

/// A trace sink that hands every event to a Breaker.
std::unique_ptr<TraceSink> make_break_sink(Breaker& breaker);

/// Whether a debugger is attached (TracerPid in /proc/self/status).
bool debugger_attached();

}  // namespace sim
