#include "drivers/nvmed/nvmed.hpp"

#include <memory>

#include "drivers/nvmed/driver.hpp"
#include "drivers/nvmed/options.hpp"
#include "drivers/pcid/client.hpp"

hal::Task<int> nvmed_main(hal::Sys& sys) {
  const hal::Result<nvmed::Options> options = nvmed::parse_options(sys.args(), sys.program());
  if (!options) {
    sys.print("nvmed: " + options.error().context());
    co_return 2;
  }
  hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
  if (!pcid) {
    sys.print("nvmed: FAILED: " + pcid.error().message());
    sys.log(hal::LogLevel::error, "nvmed.failed", pcid.error().message());
    co_return 1;
  }
  // Shared: the driver's tasks keep it alive (it must not move either: the
  // pcid client is inside).
  auto d = std::make_shared<nvmed::Driver>(sys, *pcid, *options);
  hal::Result<void> up = hal::ok();
  try {
    up = co_await d->bring_up();
  } catch (const hal::ErrorException& e) {
    up = e.error();  // a register access outside the mapping: a driver or device-description bug
  }
  hal::Result<hal::SchemeServer*> server = hal::Error(hal::errc::io, "not started");
  if (up) server = d->register_scheme();
  if (!up || !server) {
    const hal::Error& e = !up ? up.error() : server.error();
    sys.print("nvmed" + (d->bdf().empty() ? std::string() : " " + d->bdf()) + ": FAILED: " + e.message());
    sys.log(hal::LogLevel::error, "nvmed.failed", e.message());
    co_return 1;
  }
  sys.daemonize();
  co_await d->serve(**server);
  co_return 0;
}
