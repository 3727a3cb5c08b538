// drvsim: run, validate and inspect scenarios.
// Exit codes: 0 success, 1 a run failed or an expectation was not met,
// 2 a bad scenario or command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/break_sink.hpp"
#include "sim/core/time.hpp"
#include "sim/core/trace.hpp"
#include "sim/core/vcd_sink.hpp"
#include "sim/platform/golden.hpp"
#include "sim/platform/platform.hpp"
#include "sim/platform/repro.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/scenario.hpp"

#ifndef DRVSIM_VERSION
#define DRVSIM_VERSION "0.0.0"
#endif

namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct RunArgs {
  std::string scenario;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::string trace_json;
  std::string log_level = "warn";
  bool update_golden = false;
  std::string repro_dir;
  std::vector<std::string> break_on;
  std::uint64_t break_skip = 0;
  std::string trace_perfetto;
  std::string vcd;
  std::string vcd_signals = "all";
  std::size_t trace_tail = 64;
  bool no_progress = false;
  std::string platform;  // --platform sim|qemu; empty: the scenario's
};

sim::Severity parse_level(const std::string& s) {
  if (s == "debug") return sim::Severity::debug;
  if (s == "info") return sim::Severity::info;
  if (s == "error") return sim::Severity::error;
  return sim::Severity::warn;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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

// Builds RunOptions from the command line; prints the problem and returns
// false on a bad option value.
bool make_options(const RunArgs& a, const sim::scenario::Scenario& sc, sim::platform::RunOptions& opts) {
  if (a.seed_given) opts.seed = a.seed;
  opts.trace_json = a.trace_json;
  opts.log_level = parse_level(a.log_level);
  opts.trace_tail = a.trace_tail;
  opts.trace_perfetto = a.trace_perfetto;
  opts.vcd = a.vcd;
  opts.progress = !a.no_progress;
  std::string why;
  if (!a.vcd.empty() && !sim::parse_vcd_signals(a.vcd_signals, opts.vcd_signals, &why)) {
    std::cerr << "drvsim: --vcd-signals: " << why << "\n";
    return false;
  }
  for (const std::string& b : a.break_on) {
    auto spec = sim::parse_break_spec(b, &why, &sim::scenario::parse_duration);
    if (!spec) {
      std::cerr << "drvsim: --break-on: " << why << "\n";
      return false;
    }
    opts.breaks.push_back(*spec);
  }
  opts.break_skip = a.break_skip;
  if (!a.platform.empty())
    opts.platform = a.platform == "qemu" ? sim::scenario::PlatformKind::qemu : sim::scenario::PlatformKind::sim;
  if (a.update_golden && opts.platform.value_or(sc.platform) == sim::scenario::PlatformKind::qemu) {
    std::cerr << "drvsim: --update-golden: a run on platform qemu is not deterministic; it has no golden trace\n";
    return false;
  }
  if (a.update_golden) {
    if (a.seed_given && a.seed != sc.seed) {
      std::cerr << "drvsim: --update-golden records the scenario's own seed (" << sc.seed
                << "); drop --seed or change the scenario's seed\n";
      return false;
    }
    opts.record_golden = true;
  }
  return true;
}

// Writes the run's digest into the scenario file and its golden trace next
// to it. Returns false (and says why) when it cannot.
bool update_golden(const sim::scenario::Scenario& sc, const sim::platform::RunResult& r) {
  const std::string text = read_text(sc.file);
  const sim::scenario::ExpectSpec& e = sc.expect;
  sim::platform::DigestPlace place;
  place.has_expect = e.present;
  place.flow = e.flow;
  place.empty = e.empty;
  place.expect_line = e.mark.line;
  place.expect_col = e.mark.column;
  if (e.digest) {
    place.has_digest = true;
    place.digest_line = e.digest->mark.line;
    place.digest_col = e.digest->mark.column;
    place.old_hex = e.digest->hex;
    place.quoted = e.digest->quoted;
  }
  const std::string hex = r.digest.hex();
  std::string updated;
  try {
    updated = sim::platform::rewrite_digest(text, place, hex);
    // The rewritten file must read back with the new digest, or it is not written.
    const auto check = sim::scenario::load_string(updated, sc.file);
    if (!check.expect.digest || check.expect.digest->hex != hex)
      throw std::runtime_error("the rewritten file does not read back with the new digest");
  } catch (const std::exception& ex) {
    std::cerr << sc.file << ": cannot update the digest: " << ex.what()
              << "\n  write it by hand under expect: digest: " << hex << "\n";
    return false;
  }
  const std::string golden_file = sim::platform::golden_path(sc.file);
  try {
    if (updated != text) {
      std::ofstream out(sc.file, std::ios::binary | std::ios::trunc);
      out << updated;
      if (!out.flush()) throw std::runtime_error("cannot write " + sc.file);
    }
    r.golden->save(golden_file);
  } catch (const std::exception& ex) {
    std::cerr << "drvsim: " << ex.what() << "\n";
    return false;
  }
  std::cout << "golden updated: " << sc.file << " expect.digest " << (e.digest && e.digest->hex == hex ? "unchanged " : "")
            << hex << "; " << golden_file << " (" << r.golden->events << " events, " << r.golden->windows.size()
            << " window" << (r.golden->windows.size() == 1 ? "" : "s") << " of " << r.golden->window
            << (r.golden->has_fingerprints() ? ", a fingerprint per event" : "") << ")\n";
  return true;
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("drvsim") : p.string();
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
  if (!make_options(a, sc, opts)) return kExitUsage;
  if (!a.repro_dir.empty()) {
    std::error_code ec;
    fs::create_directories(a.repro_dir, ec);
    if (ec) {
      std::cerr << "drvsim: --repro-dir: cannot make " << a.repro_dir << ": " << ec.message() << "\n";
      return kExitUsage;
    }
    opts.extra_trace_json = sim::platform::repro_trace_path(a.repro_dir);
  }

  sim::platform::RunResult r;
  std::vector<std::string> failures;
  try {
    r = sim::platform::run(sc, opts);
  } catch (const sim::scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "drvsim: " << e.what() << "\n";
    failures.push_back(std::string("drvsim: the run stopped: ") + e.what());
    r.ok = false;
    r.seed = opts.seed.value_or(sc.seed);
  }

  bool golden_ok = true;
  if (a.update_golden && r.golden) golden_ok = update_golden(sc, r);

  // What failed, each expectation on its own line. With --update-golden the
  // digest is the new golden, not a failure.
  std::size_t failed = 0;
  for (const auto& f : r.evaluation.failures) {
    if (a.update_golden && golden_ok && f.what == "expect.digest") continue;
    failures.push_back(f.str());
    ++failed;
  }
  const bool passed = failures.empty() && golden_ok;

  std::cout << "\nscenario " << sc.name << ": " << (passed ? "ok" : "FAILED") << " at " << sim::format_time(r.sim_time)
            << " simulated, " << r.events << " trace events, " << r.warnings << " warning"
            << (r.warnings == 1 ? "" : "s") << ", " << r.errors << " error" << (r.errors == 1 ? "" : "s") << "\n";
  if (!r.finished) std::cout << "time limit of " << sim::format_time(sc.run.duration) << " reached\n";
  std::cout << "trace digest " << r.digest.hex() << "\n";
  if (r.observed.digest_skipped) std::cout << "expect.digest not compared: " << *r.observed.digest_skipped << "\n";
  if (failed > 0)
    std::cout << failed << " of " << r.evaluation.checked << " expectation" << (r.evaluation.checked == 1 ? "" : "s")
              << " not met:\n";
  for (const std::string& f : failures) std::cout << f << "\n";
  if (passed && sc.expect.present)
    std::cout << "expectations: " << r.evaluation.checked << " checked, all met\n";

  if (!a.repro_dir.empty()) {
    if (passed) {
      std::error_code ec;
      fs::remove(opts.extra_trace_json, ec);
      fs::remove(a.repro_dir, ec);  // only if empty
    } else {
      try {
        sim::platform::write_repro(a.repro_dir, sc, r, self_exe(), failures);
        std::cout << "to reproduce: " << (fs::path(a.repro_dir) / "repro.sh").string() << " (scenario, seed "
                  << r.seed << ", configuration and trace in " << a.repro_dir << ")\n";
      } catch (const std::exception& e) {
        std::cerr << "drvsim: --repro-dir: " << e.what() << "\n";
      }
    }
  }
  std::cout.flush();
  return passed ? kExitOk : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drvsim: a deterministic simulator in which real driver code runs against SystemC device models.\n"
               "Exit codes: 0 success, 1 failure (a run or an expectation), 2 bad scenario or command line.",
               "drvsim"};
  app.set_version_flag("--version", std::string("drvsim ") + DRVSIM_VERSION);
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario, check its expectations and report what happened");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--seed", run.seed, "Seed (overrides the scenario's)")->each([&](const std::string&) {
    run.seed_given = true;
  });
  run_cmd->add_option("--trace-json", run.trace_json, "Write the trace as JSON Lines to FILE");
  run_cmd->add_option("--log-level", run.log_level, "Trace events shown on stderr: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  auto* ci = "Regression";
  run_cmd->add_flag("--update-golden", run.update_golden,
                    "Write this run's trace digest into the scenario's expect.digest (keeping the rest of the file "
                    "as it is) and its golden trace to golden/<stem>.digests beside it")
      ->group(ci);
  run_cmd->add_option("--repro-dir", run.repro_dir,
                      "On failure, write the scenario, seed, resolved configuration, trace and a repro.sh to DIR")
      ->group(ci);
  auto* dbg = "Debugging";
  run_cmd->add_option("--break-on", run.break_on,
                      "Stop in drvsim_break() (a gdb breakpoint) at: irq[:DEVICE[:VECTOR]], event:[COMPONENT/]KIND, "
                      "time:T (e.g. time:15us); repeatable. Without a debugger the event is printed and the run goes on")
      ->allow_extra_args(false)
      ->group(dbg);
  run_cmd->add_option("--break-skip", run.break_skip, "Let the first N matches of --break-on pass")->group(dbg);
  run_cmd->add_option("--trace-tail", run.trace_tail,
                      "Trace events kept in memory for failure reports and gdb's `drvsim trace N`")
      ->capture_default_str()
      ->group(dbg);
  auto* tl = "Timelines";
  run_cmd->add_option("--trace-perfetto", run.trace_perfetto,
                      "Write a timeline (Chrome trace-event JSON) to FILE for ui.perfetto.dev")
      ->group(tl);
  run_cmd->add_option("--vcd", run.vcd, "Write waveforms (VCD) to FILE for GTKWave")->group(tl);
  run_cmd->add_option("--vcd-signals", run.vcd_signals, "Signals in the VCD: irq, doorbell, queue, all (comma-separated)")
      ->capture_default_str()
      ->group(tl);
  run_cmd->add_flag("--no-progress", run.no_progress, "No progress line on the terminal");
  run_cmd->add_option("--platform", run.platform,
                      "Run on drvsim's own models (sim) or QEMU's (qemu, docs/qemu-platform.md); default: the scenario's")
      ->check(CLI::IsMember({"sim", "qemu"}));

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
