#include "drivers/pcid/spawner.hpp"

#include <string>

#include "drivers/pcid/report.hpp"

namespace pcid {

namespace {

std::string command_line(const MatchRule& r) {
  std::string s = r.program;
  for (const std::string& a : r.args) s += " " + a;
  return s;
}

void grant_bars(hal::Sys& sys, const Function& f, hal::Pid pid) {
  for (unsigned i = 0; i < kNumBars; ++i) {
    const Bar& b = f.bars[i];
    if (!b.is_memory() || !b.assigned) continue;
    const hal::Result<void> g = sys.grant_physmap(pid, b.address, b.size);
    const std::string what = "bdf=" + f.bdf.str() + " pid=" + std::to_string(pid) + " bar=" + std::to_string(i) +
                             " address=" + hex(b.address) + " size=" + hex(b.size);
    if (g) {
      sys.log(hal::LogLevel::info, "pcid.grant", what);
    } else {
      sys.print("pcid: " + f.bdf.str() + " grant of BAR" + std::to_string(i) + " failed: " + g.error().message());
      sys.log(hal::LogLevel::error, "pcid.grant.failed", what + " error=" + g.error().message());
    }
  }
}

}  // namespace

std::size_t spawn_drivers(hal::Sys& sys, std::vector<Function>& functions, const std::vector<MatchRule>& rules,
                          DriverTable& drivers) {
  std::size_t started = 0;
  for (std::size_t i = 0; i < functions.size(); ++i) {
    Function& f = functions[i];
    if (!f.is_endpoint()) continue;
    const MatchRule* rule = find_rule(rules, f);
    if (rule == nullptr) continue;
    const std::string cmd = command_line(*rule);
    if (!f.enabled) {
      sys.print("pcid: " + f.bdf.str() + " not enabled: not spawning " + cmd);
      sys.log(hal::LogLevel::error, "pcid.spawn.skipped", "bdf=" + f.bdf.str() + " program=" + rule->program);
      continue;
    }
    const hal::Result<hal::Pid> pid = sys.spawn(rule->program, rule->args);
    if (!pid) {
      sys.print("pcid: " + f.bdf.str() + " spawn " + cmd + " failed: " + pid.error().message());
      sys.log(hal::LogLevel::error, "pcid.spawn.failed",
              "bdf=" + f.bdf.str() + " program=" + rule->program + " error=" + pid.error().message());
      continue;
    }
    f.driver_pid = *pid;
    f.driver = rule->program;
    drivers[*pid] = i;
    ++started;
    sys.print("pcid: " + f.bdf.str() + " -> " + cmd + " (pid " + std::to_string(*pid) + ")");
    sys.log(hal::LogLevel::info, "pcid.spawn",
            "bdf=" + f.bdf.str() + " program=" + rule->program + " pid=" + std::to_string(*pid) + " command=" + cmd);
    grant_bars(sys, f, *pid);
  }
  return started;
}

}  // namespace pcid
