#include "drivers/nvmebad/nvmebad.hpp"

#include <string>

#include "drivers/nvmebad/checks.hpp"
#include "drivers/nvmebad/guest.hpp"
#include "drivers/nvmed/interrupts.hpp"
#include "drivers/pcid/client.hpp"

namespace nvmebad {
namespace {

hal::Task<hal::Result<std::vector<CheckResult>>> run(hal::Sys& sys) {
  hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
  if (!pcid) co_return pcid.error();
  const hal::Result<pcid::FunctionConfig> cfg = co_await pcid->fetch_config();
  if (!cfg) co_return cfg.error();
  if (cfg->class_code != 0x01 || cfg->subclass != 0x08)
    co_return hal::Error(hal::errc::nodev, "not an NVM Express function");
  nvmed::Bars bars(sys, *cfg);
  const hal::Result<hal::Mmio> bar0 = bars.map(0);
  if (!bar0) co_return bar0.error();
  Guest g(sys, *bar0);
  if (const hal::Result<void> p = g.probe(); !p) co_return p.error();
  co_return co_await run_checks(g);
}

}  // namespace
}  // namespace nvmebad

hal::Task<int> nvmebad_main(hal::Sys& sys) {
  hal::Result<std::vector<nvmebad::CheckResult>> r = hal::Error(hal::errc::io, "not run");
  try {
    r = co_await nvmebad::run(sys);
  } catch (const hal::ErrorException& e) {
    r = e.error();  // a register access outside the mapping
  }
  if (!r) {
    sys.print("nvmebad: FAILED: " + r.error().message());
    sys.log(hal::LogLevel::error, "nvmebad.failed", r.error().message());
    co_return 1;
  }
  unsigned failed = 0;
  for (const std::string& line : nvmebad::format_table(*r)) sys.print("nvmebad: " + line);
  for (const nvmebad::CheckResult& c : *r) {
    if (c.ok) continue;
    ++failed;
    sys.log(hal::LogLevel::warn, "nvmebad.mismatch", c.name + ": expected " + c.expected + ", got " + c.got);
  }
  sys.log(hal::LogLevel::info, "result",
          "nvmebad checks=" + std::to_string(r->size()) + " failed=" + std::to_string(failed));
  co_return failed == 0 ? 0 : 1;
}
