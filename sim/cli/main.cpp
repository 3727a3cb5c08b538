// drvsim: run, validate and inspect scenarios.
// Exit codes: 0 success, 1 a run failed or an expectation was not met,
// 2 a bad scenario or command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "sim/core/time.hpp"
#include "sim/core/trace.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

#ifndef DRVSIM_VERSION
#define DRVSIM_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct RunArgs {
  std::string scenario;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string trace_json;
  std::string log_level = "warn";
};

sim::Severity parse_level(const std::string& s) {
  if (s == "debug") return sim::Severity::debug;
  if (s == "info") return sim::Severity::info;
  if (s == "error") return sim::Severity::error;
  return sim::Severity::warn;
}

int cmd_validate(const std::string& path) {
  try {
    const auto sc = sim::scenario::load_file(path);
    std::cout << path << ": ok (" << sc.devices.size() << " device" << (sc.devices.size() == 1 ? "" : "s") << ", "
              << sc.processes.size() << " process" << (sc.processes.size() == 1 ? "" : "es") << ")\n";
    return kExitOk;
  } catch (const sim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
}

int cmd_run(const RunArgs& a) {
  sim::scenario::Scenario sc;
  try {
    sc = sim::scenario::load_file(a.scenario);
  } catch (const sim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  }
  sim::platform::RunOptions opts;
  if (a.seed_given) opts.seed = a.seed;
  opts.trace_json = a.trace_json;
  opts.log_level = parse_level(a.log_level);
  sim::platform::RunResult r;
  try {
    r = sim::platform::run(sc, opts);
  } catch (const sim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "drvsim: " << e.what() << "\n";
    return kExitFailed;
  }
  std::cout << "\nscenario " << sc.name << ": " << (r.ok ? "ok" : "FAILED") << " at " << sim::format_time(r.sim_time)
            << " simulated, " << r.events << " trace events, " << r.warnings << " warning"
            << (r.warnings == 1 ? "" : "s") << ", " << r.errors << " error" << (r.errors == 1 ? "" : "s") << "\n";
  if (!r.finished) std::cout << "time limit of " << sim::format_time(sc.run.duration) << " reached\n";
  std::cout << "trace digest " << r.digest.hex() << "\n";
  return r.ok ? kExitOk : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drvsim: a deterministic simulator in which real driver code runs against SystemC device models.\n"
               "Exit codes: 0 success, 1 failure, 2 bad scenario or command line.",
               "drvsim"};
  app.set_version_flag("--version", std::string("drvsim ") + DRVSIM_VERSION);
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and report what happened");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--seed", run.seed, "Seed (overrides the scenario's)")->each([&](const std::string&) {
    run.seed_given = true;
  });
  run_cmd->add_option("--trace-json", run.trace_json, "Write the trace as JSON Lines to FILE");
  run_cmd->add_option("--log-level", run.log_level, "Trace events shown on stderr: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();

  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario file and exit (2 if it is bad)");
  validate_cmd->add_option("scenario", validate_path, "Scenario file (YAML)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (*run_cmd) return cmd_run(run);
  if (*validate_cmd) return cmd_validate(validate_path);
  return kExitUsage;
}
