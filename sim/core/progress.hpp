// A progress line for long runs on a terminal:
//   drvsim: 1.235ms of 10.000ms simulated (12%), 3.2s host, 251k events/s
// redrawn in place on stderr a few times a second, after the first second of
// host time, and only when stderr is a terminal. Host time is read here for
// display only: it never reaches the trace, the digest or the simulation.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "sim/core/trace.hpp"

namespace sim {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  /// `target` is the simulated time limit; `out` the terminal (stderr).
  Progress(Picos target, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Whether `out` is a terminal (else the line is never drawn).
  static bool is_terminal(std::FILE* out);

  /// Called for each trace event (cheap: the clock is read every 1024 calls).
  void tick(Picos sim_now, std::uint64_t events);
  /// Called now and then from outside the trace (between steps of the
  /// simulation): reads the clock every time.
  void poll(Picos sim_now, std::uint64_t events);
  /// Erases the line, if shown, before other output goes to the terminal.
  void clear();
  /// The line as it would be drawn (for tests).
  static std::string line(Picos sim_now, Picos target, double host_seconds, std::uint64_t events);

 private:
  void draw(Picos sim_now, std::uint64_t events, Clock::time_point now);
  Picos target_;
  std::FILE* out_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  std::uint64_t calls_ = 0;
  bool shown_ = false;
};

/// A trace sink that ticks `p` for every event; if `min_shown` is set, it
/// first clears the line before an event the text log will print.
std::unique_ptr<TraceSink> make_progress_sink(Progress& p, Severity min_shown);

}  // namespace sim
