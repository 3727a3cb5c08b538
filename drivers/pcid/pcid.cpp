#include "drivers/pcid/pcid.hpp"

#include <string>

#include "drivers/pcid/bars.hpp"
#include "drivers/pcid/capabilities.hpp"
#include "drivers/pcid/enable.hpp"
#include "drivers/pcid/enumerate.hpp"
#include "drivers/pcid/report.hpp"

namespace pcid {

namespace {

/// The rules in pcid's arguments (the defaults when there are none). A first
/// argument equal to the program name (an argv[0]) is skipped.
hal::Result<std::vector<MatchRule>> rules_from_args(const hal::Sys& sys) {
  std::vector<std::string> args = sys.args();
  if (!args.empty() && args.front() == sys.program()) args.erase(args.begin());
  hal::Result<std::vector<MatchRule>> rules = parse_rules(args);
  if (rules && rules->empty()) return default_rules();
  return rules;
}

}  // namespace

hal::Result<void> bring_up(hal::Sys& sys, PcidState& state, const std::vector<MatchRule>& rules) {
  try {
    const Ecam& ecam = state.ecam;
    sys.log(hal::LogLevel::info, "pcid.enumerate.start", "bus=0");
    state.functions = enumerate_bus0(ecam);
    for (Function& f : state.functions) {
      size_bars(ecam, f);
      walk_capabilities(ecam, f);
    }
    BarAllocator allocator;
    assign_bars(ecam, state.functions, allocator);
    for (Function& f : state.functions) enable_function(ecam, f);
    const std::size_t n = state.functions.size();
    sys.log(hal::LogLevel::info, "pcid.enumerate.done", "functions=" + std::to_string(n));
    sys.print("pcid: bus 0: " + std::to_string(n) + (n == 1 ? " function" : " functions"));
    for (const Function& f : state.functions) report_function(sys, f);
    spawn_drivers(sys, state.functions, rules, state.drivers);
  } catch (const hal::ErrorException& e) {
    return e.error().with_context("configuration access");
  }
  return hal::ok();
}

}  // namespace pcid

hal::Task<int> pcid_main(hal::Sys& sys) {
  using namespace pcid;
  const hal::Result<std::vector<MatchRule>> rules = rules_from_args(sys);
  if (!rules) {
    sys.print("pcid: bad match rule: " + rules.error().context());
    sys.log(hal::LogLevel::error, "pcid.rule.invalid", rules.error().message());
    co_return 2;
  }
  const hal::Result<hal::SchemeServer*> scheme = sys.register_scheme("pcid");
  if (!scheme) {
    sys.print("pcid: cannot register the pcid scheme: " + scheme.error().message());
    co_return 1;
  }
  const hal::Result<hal::Mmio> window = sys.physmap(kEcamBase, kEcamBusSize);
  if (!window) {
    sys.print("pcid: cannot map ECAM: " + window.error().message());
    co_return 1;
  }
  auto state = std::make_shared<PcidState>();
  state->sys = &sys;
  state->ecam = Ecam(*window);
  const hal::Result<void> up = bring_up(sys, *state, *rules);
  if (!up) {
    sys.print("pcid: " + up.error().message());
    sys.log(hal::LogLevel::error, "pcid.failed", up.error().message());
    co_return 1;
  }
  sys.daemonize();
  sys.executor().spawn(serve_forwarded(&(*scheme)->requests()), "pcid forwarded requests");
  co_return co_await accept_connections(state, *scheme);
}
