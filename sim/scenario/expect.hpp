// `expect`: what a run must show to pass. expect.cpp reads the YAML map
// (ExpectSpec in scenario.hpp); expect_check.cpp compares a finished run
// (Observed) with it. The schema is in docs/scenario-format.md#expect.
//
// Adding a key: a field in ExpectSpec, its reading in expect.cpp (and the key
// in kExpectKeys there), its check in expect_check.cpp, a line in the docs.
// A figure that a program or device measures needs no new key: it reports a
// trace event of kind `result` (see ObservedValues) and scenarios check it
// under `values`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/scenario/scenario.hpp"

namespace sim::scenario {

/// Parses a count condition ("3", ">= 1", "10..20", "100 +- 5%"); nullopt
/// and a reason when it is not one. Durations ("<= 2ms", "10us..1ms") when
/// `durations` is set: then bare numbers are picoseconds, as elsewhere.
std::optional<CountCondition> parse_count_condition(std::string_view text, bool durations, std::string* why = nullptr);
/// The same for reported values: decimal numbers with an optional fraction
/// and exponent ("1.5e3", "-2", ">= 0.25").
std::optional<ValueCondition> parse_value_condition(std::string_view text, std::string* why = nullptr);

bool holds(const CountCondition& c, std::uint64_t v);
bool holds(const ValueCondition& c, double v);
/// "== 3", ">= 1", "10 .. 20", "100 +- 5": how the condition reads in a
/// message; durations are shown as durations.
std::string describe(const CountCondition& c, bool durations = false);
std::string describe(const ValueCondition& c);

/// "1234.5", "3", "-0.25": a value as messages show it (shortest form that
/// reads back the same).
std::string format_value(double v);

/// An event-count key "component/kind"; either part may be "*" (any).
struct EventPattern {
  std::string component, kind;
  bool matches(std::string_view c, std::string_view k) const {
    return (component == "*" || component == c) && (kind == "*" || kind == k);
  }
};
/// Splits "component/kind" at the first '/'; nullopt when either side is empty.
std::optional<EventPattern> parse_event_pattern(std::string_view key);

/// A value a run reported (a `result` trace event).
struct ObservedValue {
  double value = 0;
  std::string text;          // as reported
  std::string component;     // who reported it last
  std::uint64_t reports = 0; // how many times it was reported
  bool ambiguous = false;    // several components reported a value of this bare name
};

/// What a finished run showed, for evaluate(). The platform fills it.
struct Observed {
  bool exit_ok = true;                  // every process succeeded
  std::vector<std::string> failures;    // the processes that did not, for messages
  bool finished = true;                 // every process ended in time
  std::string not_finished;             // why not, for messages
  std::uint64_t warnings = 0, errors = 0;
  std::vector<std::string> first_warnings, first_errors;  // a few event lines, for messages
  Picos end_time = 0;
  std::string digest;                   // 32 hex
  std::optional<std::string> digest_skipped;  // why the digest is not compared (e.g. another seed)
  /// Counts of the patterns named in expect.events, by key as written.
  std::map<std::string, std::uint64_t> events;
  /// Values by "name" and by "component/name".
  std::map<std::string, ObservedValue> values;
  /// Extra lines to show under a digest mismatch (the first difference).
  std::vector<std::string> digest_detail;
};

/// One expectation that did not hold.
struct ExpectFailure {
  Mark mark;              // where the expectation is written (the file for defaults)
  std::string what;       // "expect.events[\"irqc/irq\"]"
  std::string expected;   // "== 3"
  std::string actual;     // "2"
  std::vector<std::string> detail;  // further lines (indented when printed)
  /// "file:line:col: expect.x: expected E, got A" and the detail lines.
  std::string str() const;
};

struct Evaluation {
  std::vector<ExpectFailure> failures;
  std::size_t checked = 0;  // expectations compared (defaults included)
  bool passed() const { return failures.empty(); }
};

/// Compares a run with the scenario's expectations (and the defaults:
/// exit_ok true, finished true, errors 0).
Evaluation evaluate(const Scenario& sc, const Observed& run);

namespace detail {
class Value;
/// Reads the `expect` map; `key_mark` is where the key `expect` is.
ExpectSpec read_expect(const Value& value, const Mark& key_mark);
}  // namespace detail

}  // namespace sim::scenario
