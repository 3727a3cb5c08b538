// `drvsim run --repro-dir DIR`: when a run fails, everything needed to run it
// again with one command, on this machine or another with the same build:
//
//   DIR/<scenario file>       the scenario as it was read (byte for byte)
//   DIR/golden/<stem>.digests its golden trace, if it has one
//   DIR/seed                  the seed the run used
//   DIR/config.json           the resolved configuration: every key with its
//                             value, defaults filled in
//   DIR/trace.jsonl           the failed run's trace (JSON Lines)
//   DIR/failures.txt          what failed, as drvsim printed it
//   DIR/repro.sh              reruns it: ./repro.sh [more drvsim run options]
#pragma once

#include <string>
#include <vector>

#include "sim/platform/platform.hpp"

namespace sim::platform {

/// The scenario with every default filled in, as JSON (2-space indent).
std::string resolved_config_json(const scenario::Scenario& sc, std::uint64_t seed);

/// Writes the files above, but trace.jsonl (the run writes it through
/// RunOptions::extra_trace_json = repro_trace_path(dir)). `exe` is the
/// drvsim executable; `failures` the lines printed. Throws std::runtime_error.
void write_repro(const std::string& dir, const scenario::Scenario& sc, const RunResult& r, const std::string& exe,
                 const std::vector<std::string>& failures);

/// DIR/trace.jsonl
std::string repro_trace_path(const std::string& dir);

}  // namespace sim::platform
