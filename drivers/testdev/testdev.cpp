#include "drivers/testdev/testdev.hpp"

#include <cstdio>

#include "drivers/pcid/client.hpp"
#include "drivers/testdev/regs.hpp"

namespace testdev {

namespace {

std::string bdf_of(const pcid::FunctionConfig& c) {
  char b[16];
  std::snprintf(b, sizeof b, "%02x:%02x.%x", c.bus, c.device, c.function);
  return b;
}

hal::Result<hal::Mmio> map_registers(hal::Sys& sys, const pcid::FunctionConfig& cfg, MappedBars& mapped) {
  if (cfg.vendor_id != regs::kVendorId || cfg.device_id != regs::kDeviceId)
    return hal::Error(hal::errc::nodev, "not a pci-test function");
  hal::Result<hal::Mmio> bar0 = map_bar(sys, cfg, mapped, 0);
  if (!bar0) return bar0.error();
  if (bar0->size() < regs::kRegistersEnd) return hal::Error(hal::errc::nodev, "BAR0 too small for the registers");
  const std::uint32_t id = bar0->read32(regs::kId);
  if (id != regs::kIdValue) return hal::Error(hal::errc::nodev, "ID register reads " + std::to_string(id));
  return bar0;
}

}  // namespace

std::string summary_line(const Summary& s) {
  return "testdev " + s.bdf + ": " + std::to_string(s.stats.copies) + " copies x " + std::to_string(s.size) +
         " bytes = " + std::to_string(s.stats.bytes) + " bytes over " + mode_name(s.mode) +
         ", data verified, mean " + std::to_string(s.stats.mean_ns()) + " ns per copy";
}

hal::Task<hal::Result<Summary>> run(hal::Sys& sys, const Options& options) {
  hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
  if (!pcid) co_return pcid.error();
  const hal::Result<pcid::FunctionConfig> cfg = co_await pcid->fetch_config();
  if (!cfg) co_return cfg.error();
  Summary s;
  s.bdf = bdf_of(*cfg);
  s.size = options.size;
  sys.log(hal::LogLevel::info, "testdev.config", "bdf=" + s.bdf);
  MappedBars mapped;
  const hal::Result<hal::Mmio> regs = map_registers(sys, *cfg, mapped);
  if (!regs) co_return regs.error().with_context(s.bdf);
  const hal::Result<InterruptSetup> irq = co_await setup_interrupt(sys, *pcid, *cfg, mapped);
  if (!irq) co_return irq.error().with_context(s.bdf);
  s.mode = irq->mode;
  sys.log(hal::LogLevel::info, "testdev.irq",
          "bdf=" + s.bdf + " mode=" + mode_name(s.mode) + " cpu=" + std::to_string(irq->irq.cpu) +
              " vector=" + std::to_string(irq->irq.vector));
  const hal::Result<CopyStats> stats = co_await run_copies(sys, *regs, irq->irq, options);
  if (!stats) co_return stats.error().with_context(s.bdf);
  s.stats = *stats;
  co_return s;
}

}  // namespace testdev

hal::Task<int> testdev_main(hal::Sys& sys) {
  std::vector<std::string> args = sys.args();
  if (!args.empty() && args.front() == sys.program()) args.erase(args.begin());
  const hal::Result<testdev::Options> options = testdev::parse_options(args);
  if (!options) {
    sys.print("testdev: " + options.error().context());
    co_return 2;
  }
  hal::Result<testdev::Summary> r = hal::Error(hal::errc::io, "not run");
  try {
    r = co_await testdev::run(sys, *options);
  } catch (const hal::ErrorException& e) {
    r = e.error();  // a register access outside the mapping: a driver or device-description bug
  }
  if (!r) {
    sys.print("testdev: FAILED: " + r.error().message());
    sys.log(hal::LogLevel::error, "testdev.failed", r.error().message());
    co_return 1;
  }
  sys.print(testdev::summary_line(*r));
  sys.log(hal::LogLevel::info, "testdev.done", testdev::summary_line(*r));
  co_return 0;
}
