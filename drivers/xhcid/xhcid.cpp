#include "drivers/xhcid/xhcid.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include "drivers/hal/irq.hpp"
#include "drivers/pcid/client.hpp"
#include "drivers/xhcid/driver.hpp"
#include "drivers/xhcid/regs.hpp"

namespace xhcid {

namespace {

std::string bdf_of(const pcid::FunctionConfig& c) {
  char b[16];
  std::snprintf(b, sizeof b, "%02x:%02x.%x", c.bus, c.device, c.function);
  return b;
}

hal::Result<hal::Mmio> map_bar(hal::Sys& sys, const pcid::FunctionConfig& cfg, unsigned index) {
  if (index >= pcid::kNumBars) return hal::Error(hal::errc::inval, "BAR index out of range");
  const pcid::BarConfig& b = cfg.bars[index];
  if (b.phys == 0 || b.size == 0) return hal::Error(hal::errc::nodev, "BAR" + std::to_string(index) + " not assigned");
  hal::Result<hal::Mmio> m = sys.physmap(b.phys, b.size);
  if (!m) return m.error().with_context("map BAR" + std::to_string(index));
  return m;
}

/// MSI-X entry 0 -> the vector, unmasked (PCI 3.0 §6.8.2); interrupter 0
/// raises entry 0. Then pcid enables MSI-X and turns INTx off.
hal::Task<hal::Result<hal::IrqVector>> setup_msix(hal::Sys& sys, Driver& d, const pcid::FunctionConfig& cfg,
                                                  const hal::Mmio& bar0) {
  if (!cfg.msix.present || cfg.msix.table_size == 0)
    co_return hal::Error(hal::errc::nodev, "no MSI-X: xhcid runs on interrupts only");
  hal::Mmio bar = bar0;
  if (cfg.msix.table_bar != 0) {
    const hal::Result<hal::Mmio> other = map_bar(sys, cfg, cfg.msix.table_bar);
    if (!other) co_return other.error().with_context("MSI-X table");
    bar = *other;
  }
  if (cfg.msix.table_offset + regs::kMsixEntrySize > bar.size())
    co_return hal::Error(hal::errc::fault, "MSI-X table outside its BAR");
  const hal::Mmio entry = bar.sub(cfg.msix.table_offset, regs::kMsixEntrySize);
  const hal::Result<hal::IrqVector> irq = co_await hal::alloc_irq(sys, sys.cpu());
  if (!irq) co_return irq.error().with_context("allocate irq vector");
  entry.write32(regs::kMsixEntryAddrLo, static_cast<std::uint32_t>(irq->address()));
  entry.write32(regs::kMsixEntryAddrHi, static_cast<std::uint32_t>(irq->address() >> 32));
  entry.write32(regs::kMsixEntryData, irq->data());
  entry.write32(regs::kMsixEntryVectorControl, 0);  // unmasked
  hal::Result<void> r = co_await d.pcid.enable_feature(pcid::Feature::msix);
  if (!r) co_return r.error();
  r = co_await d.pcid.enable_feature(pcid::Feature::intx_disable);
  if (!r) co_return r.error();
  co_return *irq;
}

hal::Task<void> event_task(std::shared_ptr<Driver> d, hal::IrqVector irq) { co_await d->hc.event_loop(irq); }

hal::Task<hal::Result<std::shared_ptr<Driver>>> bring_up(hal::Sys& sys, const Options& options) {
  hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
  if (!pcid) co_return pcid.error();
  const hal::Result<pcid::FunctionConfig> cfg = co_await pcid->fetch_config();
  if (!cfg) co_return cfg.error();
  const std::string bdf = bdf_of(*cfg);
  if (cfg->class_code != regs::kPciClassSerialBus || cfg->subclass != regs::kPciSubclassUsb ||
      cfg->prog_if != regs::kPciProgIfXhci)
    co_return hal::Error(hal::errc::nodev, bdf + " is not an xHCI controller");
  const hal::Result<hal::Mmio> bar0 = map_bar(sys, *cfg, 0);
  if (!bar0) co_return bar0.error().with_context(bdf);
  if (bar0->size() < 0x1000) co_return hal::Error(hal::errc::nodev, bdf + ": BAR0 too small");

  Controller::Params params;
  params.imod_interval = static_cast<std::uint32_t>(options.imod_ns / regs::kImodUnitNs);
  auto d = std::make_shared<Driver>(sys, options, std::move(*pcid), *bar0, params);
  sys.log(hal::LogLevel::info, "xhcid.controller",
          bdf + " xHCI " + std::to_string(d->hc.hci_version() >> 8) + "." +
              std::to_string((d->hc.hci_version() >> 4) & 0xF) + std::to_string(d->hc.hci_version() & 0xF) + ", " +
              std::to_string(d->hc.max_slots()) + " slots, " + std::to_string(d->hc.port_count()) + " ports, " +
              std::to_string(d->hc.context_size()) + "-byte contexts");

  hal::Result<void> r = co_await d->hc.reset_and_init();
  if (!r) co_return r.error().with_context(bdf);
  const hal::Result<hal::IrqVector> irq = co_await setup_msix(sys, *d, *cfg, *bar0);
  if (!irq) co_return irq.error().with_context(bdf);

  for (unsigned n = 1; n <= d->hc.port_count(); ++n) {
    auto p = std::make_unique<Port>();
    p->number = n;
    const Protocol* proto = d->hc.protocol_of(n);
    p->usb3 = proto && proto->major >= 3;
    d->ports.push_back(std::move(p));
  }
  // The event task dispatches through these; it only ever completes signals
  // and pushes to mailboxes.
  Driver* raw = d.get();
  d->hc.on_port_change = [raw](unsigned port) {
    if (Port* p = raw->port(port)) p->kicks.push(0);
  };
  d->hc.on_transfer_event = [raw](const Trb& e) {
    Device* dev = raw->device_in_slot(e.slot_id());
    if (dev)
      dev->on_transfer_event(e);
    else
      raw->sys.log(hal::LogLevel::warn, "xhcid.transfer_event_no_slot", std::to_string(e.slot_id()));
  };

  // The scheme exists before any class driver is spawned.
  d->scheme_name = options.scheme;
  const hal::Result<hal::SchemeServer*> scheme = sys.register_scheme(options.scheme);
  if (!scheme) co_return scheme.error().with_context("register scheme " + options.scheme);
  d->scheme = *scheme;

  sys.executor().spawn(event_task(d, *irq), "xhcid.events");
  r = co_await d->hc.run();
  if (!r) co_return r.error().with_context(bdf);
  sys.print("xhcid " + bdf + ": running, " + std::to_string(d->hc.port_count()) + " ports, MSI-X vector " +
            std::to_string(irq->vector) + " on cpu " + std::to_string(irq->cpu) + ", scheme " + options.scheme);
  for (auto& p : d->ports) {
    sys.executor().spawn(port_task(d, p->number), "xhcid.port" + std::to_string(p->number));
    p->kicks.push(0);  // look once: devices present at start
  }
  sys.executor().spawn(accept_task(d), "xhcid.accept");
  co_return d;
}

}  // namespace

}  // namespace xhcid

hal::Task<int> xhcid_main(hal::Sys& sys) {
  std::vector<std::string> args = sys.args();
  if (!args.empty() && args.front() == sys.program()) args.erase(args.begin());
  const hal::Result<xhcid::Options> options = xhcid::parse_options(args);
  if (!options) {
    sys.print("xhcid: " + options.error().context());
    co_return 2;
  }
  hal::Result<std::shared_ptr<xhcid::Driver>> d = hal::Error(hal::errc::io, "not run");
  try {
    d = co_await xhcid::bring_up(sys, *options);
  } catch (const hal::ErrorException& e) {
    d = e.error();  // a register access outside the mapping
  }
  if (!d) {
    sys.print("xhcid: FAILED: " + d.error().message());
    sys.log(hal::LogLevel::error, "xhcid.failed", d.error().message());
    co_return 1;
  }
  std::shared_ptr<xhcid::Driver> driver = *d;
  sys.daemonize();
  // Forwarded requests on the scheme's paths: xhcid serves no files.
  hal::RingServer& requests = driver->scheme->requests();
  for (;;) {
    const hal::Result<hal::SqEntry64> sqe = co_await requests.next();
    if (!sqe) co_return 0;
    if (sqe->opcode == static_cast<std::uint8_t>(hal::Opcode::close))
      requests.reply(*sqe, 0);
    else
      requests.reply_error(*sqe, hal::errc::nosys);
  }
}
