#include "drivers/nvmed/driver.hpp"

#include <algorithm>
#include <cstdio>

#include "drivers/nvmed/io_plan.hpp"
#include "drivers/nvmed/regs.hpp"

namespace nvmed {

namespace {

std::string bdf_of(const pcid::FunctionConfig& c) {
  char b[16];
  std::snprintf(b, sizeof b, "%02x:%02x.%x", c.bus, c.device, c.function);
  return b;
}

}  // namespace

Driver::Driver(hal::Sys& sys, pcid::PcidClient pcid, Options options)
    : sys_(sys), pcid_(pcid), options_(options), bars_(sys, cfg_) {}

void Driver::say(const std::string& line) { sys_.print("nvmed " + bdf_ + ": " + line); }
void Driver::note(const char* kind, const std::string& message) {
  sys_.log(hal::LogLevel::info, kind, "bdf=" + bdf_ + " " + message);
}

hal::Task<hal::Result<void>> Driver::bring_up() {
  const hal::Result<pcid::FunctionConfig> cfg = co_await pcid_.fetch_config();
  if (!cfg) co_return cfg.error();
  cfg_ = *cfg;
  bdf_ = bdf_of(cfg_);
  note("nvmed.config", "vendor=" + std::to_string(cfg_.vendor_id) + " device=" + std::to_string(cfg_.device_id) +
                           " class=" + std::to_string(cfg_.class_code) + "/" + std::to_string(cfg_.subclass) + "/" +
                           std::to_string(cfg_.prog_if));
  // BAR0: registers and doorbells (§3.1).
  const hal::Result<hal::Mmio> bar0 = bars_.map(0);
  if (!bar0) co_return bar0.error();
  if (bar0->size() < reg::kDoorbellBase + 8) co_return hal::Error(hal::errc::nodev, "BAR0 too small for NVMe registers");
  controller_.emplace(sys_, *bar0);
  const hal::Result<void> caps = controller_->read_capabilities();
  if (!caps) co_return caps.error();
  const Capabilities& cap = controller_->caps();
  note("nvmed.cap", "mqes=" + std::to_string(cap.max_queue_entries) + " to_ms=" + std::to_string(cap.timeout_ms) +
                        " dstrd=" + std::to_string(cap.dstrd) + " mpsmin=" + std::to_string(cap.mpsmin) +
                        " mpsmax=" + std::to_string(cap.mpsmax) + " vs=" +
                        std::to_string(reg::vs_mjr(controller_->version())) + "." +
                        std::to_string(reg::vs_mnr(controller_->version())));

  engine_ = std::make_unique<Engine>(sys_, *controller_, options_.timeouts);
  engine_->set_owner(weak_from_this());
  const std::uint32_t admin_entries = std::min({options_.admin_entries, cap.max_queue_entries, reg::kMaxAdminEntries});
  const hal::Result<void> aq = engine_->create_admin_queue(admin_entries);
  if (!aq) co_return aq.error();

  // Interrupts before enabling: the admin CQ interrupts on vector 0 at once.
  const unsigned cpus = std::max(1u, sys_.cpu_count());
  const unsigned want = options_.max_queues ? std::min(options_.max_queues, cpus) : cpus;
  hal::Result<InterruptSetup> irqs = co_await setup_interrupts(sys_, pcid_, cfg_, bars_, sys_.cpu(), want,
                                                               options_.allow_msix);
  if (!irqs) co_return irqs.error().with_context("interrupts");
  irqs_ = *irqs;
  for (std::size_t v = 0; v < irqs_.vectors.size(); ++v) {
    const hal::IrqVector& iv = irqs_.vectors[v];
    note("nvmed.irq", std::string("mode=") + irq_mode_name(irqs_.mode) + " entry=" + std::to_string(v) +
                          " cpu=" + std::to_string(iv.cpu) + " vector=" + std::to_string(iv.vector));
    engine_->spawn(engine_->interrupt_loop(iv, static_cast<std::uint16_t>(v)), "nvmed.irq" + std::to_string(v));
  }
  engine_->start_watchdog();

  const hal::Result<void> on = co_await engine_->enable_controller();
  if (!on) co_return on.error().with_context("controller initialisation");
  const hal::Result<void> idc = co_await identify_controller();
  if (!idc) co_return idc.error();
  engine_->set_abort_limit(identity_.acl + 1u);
  const hal::Result<void> idn = co_await identify_namespaces();
  if (!idn) co_return idn.error();
  const hal::Result<void> q = co_await create_queues();
  if (!q) co_return q.error();
  setup_data_path();
  engine_->set_online();
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Driver::identify_controller() {
  hal::Result<hal::DmaBuffer> page = sys_.physalloc(kIdentifyBytes);
  if (!page) co_return page.error().with_context("identify buffer");
  identify_page_ = *page;
  const hal::Result<CommandResult> r =
      co_await engine_->admin_sync(make_identify(cns::kController, 0, identify_page_.phys), "Identify Controller");
  if (!r) co_return r.error();
  identity_ = parse_identify_controller(identify_page_.bytes());
  const std::uint32_t ver = identity_.ver ? identity_.ver : controller_->version();
  const std::uint64_t mdts =
      identity_.mdts ? (controller_->caps().min_page_bytes() << identity_.mdts) : 0;
  say("\"" + identity_.mn + "\" serial " + identity_.sn + " firmware " + identity_.fr + ", NVMe " +
      std::to_string(reg::vs_mjr(ver)) + "." + std::to_string(reg::vs_mnr(ver)) + ", MDTS " +
      (mdts ? human_bytes(mdts) : std::string("unlimited")) + ", " + std::to_string(identity_.nn) +
      (identity_.nn == 1 ? " namespace" : " namespaces"));
  note("nvmed.identify", "model=\"" + identity_.mn + "\" serial=" + identity_.sn + " firmware=" + identity_.fr +
                             " mdts=" + std::to_string(identity_.mdts) + " nn=" + std::to_string(identity_.nn) +
                             " acl=" + std::to_string(identity_.acl) + " vwc=" + std::to_string(identity_.vwc));
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Driver::identify_namespaces() {
  const hal::Result<CommandResult> list = co_await engine_->admin_sync(
      make_identify(cns::kActiveNamespaceList, 0, identify_page_.phys), "Identify (active namespace list)");
  if (!list) co_return list.error();
  const std::vector<std::uint32_t> ids = parse_namespace_list(identify_page_.bytes());
  for (const std::uint32_t nsid : ids) {
    const hal::Result<CommandResult> r = co_await engine_->admin_sync(
        make_identify(cns::kNamespace, nsid, identify_page_.phys), "Identify Namespace " + std::to_string(nsid));
    if (!r) co_return r.error();
    const hal::Result<NamespaceIdentity> id = parse_identify_namespace(identify_page_.bytes());
    if (!id) {
      say("namespace " + std::to_string(nsid) + ": skipped: " + id.error().context());
      continue;
    }
    if (!id->active()) continue;
    if (id->format.ms != 0) {
      say("namespace " + std::to_string(nsid) + ": skipped: metadata (" + std::to_string(id->format.ms) +
          " bytes per block) is not supported");
      continue;
    }
    const NamespaceInfo info = NamespaceInfo::from(nsid, *id);
    found_.push_back(info);
    say("namespace " + std::to_string(nsid) + ": " + std::to_string(info.blocks) + " blocks x " +
        std::to_string(info.lba_bytes) + " B = " + human_bytes(info.bytes()));
    note("nvmed.namespace", "nsid=" + std::to_string(nsid) + " blocks=" + std::to_string(info.blocks) +
                                " lba_bytes=" + std::to_string(info.lba_bytes) + " bytes=" + std::to_string(info.bytes()));
  }
  if (found_.empty()) say("no usable namespace");
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Driver::create_queues() {
  const Capabilities& cap = controller_->caps();
  const unsigned cpus = std::max(1u, sys_.cpu_count());
  unsigned want = options_.max_queues ? std::min(options_.max_queues, cpus) : cpus;
  if (irqs_.mode == IrqMode::msix && irqs_.vectors.size() > 1)
    want = std::min<unsigned>(want, static_cast<unsigned>(irqs_.vectors.size() - 1));
  const hal::Result<QueueCounts> granted = co_await engine_->set_number_of_queues(static_cast<std::uint16_t>(want));
  if (!granted) co_return granted.error();
  const unsigned n = std::max(1u, std::min({want, granted->sq, granted->cq}));
  const std::uint32_t entries = std::min(options_.queue_entries, cap.max_queue_entries);
  note("nvmed.queues", "wanted=" + std::to_string(want) + " nsqa=" + std::to_string(granted->sq) +
                           " ncqa=" + std::to_string(granted->cq) + " creating=" + std::to_string(n));
  for (unsigned i = 0; i < n; ++i) {
    const hal::Result<QueuePair*> q =
        engine_->add_io_queue(static_cast<std::uint16_t>(i + 1), entries, irqs_.vector_for_queue(i));
    if (!q) co_return q.error();
  }
  const hal::Result<void> created = co_await engine_->create_io_queues();
  if (!created) co_return created.error();
  say(std::to_string(n) + (n == 1 ? " I/O queue pair" : " I/O queue pairs") + " x " + std::to_string(entries) +
      " entries on " + irq_mode_name(irqs_.mode) + (n > 1 ? " (queue k serves CPU k-1)" : ""));
  co_return hal::ok();
}

void Driver::setup_data_path() {
  const Capabilities& cap = controller_->caps();
  std::uint32_t max_lba = 512;
  for (const NamespaceInfo& i : found_) max_lba = std::max(max_lba, i.lba_bytes);
  const std::uint64_t bounce = std::max<std::uint64_t>(options_.bounce_bytes, max_lba);
  prp_pages_ = std::make_unique<DmaPool>(sys_, Controller::kPageBytes, 16, 4096);
  bounce_ = std::make_unique<DmaPool>(sys_, bounce, 2, 64);
  for (const NamespaceInfo& i : found_) {
    IoLimits l;
    l.page_bytes = Controller::kPageBytes;
    l.max_transfer_bytes = max_transfer_bytes(identity_.mdts, cap.mpsmin, options_.max_transfer, i.lba_bytes);
    l.bounce_bytes = bounce;
    namespaces_.push_back(std::make_unique<Namespace>(*engine_, i, l, *prp_pages_, *bounce_));
    note("nvmed.limits", "nsid=" + std::to_string(i.nsid) + " max_transfer=" + std::to_string(l.max_transfer_bytes) +
                             " bounce=" + std::to_string(l.bounce_bytes));
  }
}

hal::Result<hal::SchemeServer*> Driver::register_scheme() {
  std::vector<Namespace*> list;
  for (auto& ns : namespaces_) list.push_back(ns.get());
  scheme_ = std::make_unique<DiskScheme>(sys_, *engine_, std::move(list));
  const unsigned first = options_.index.value_or(0), last = options_.index.value_or(15);
  hal::Error err(hal::errc::exist, "no free disk.nvmeN name");
  for (unsigned i = first; i <= last; ++i) {
    const std::string name = "disk.nvme" + std::to_string(i);
    hal::Result<hal::SchemeServer*> s = sys_.register_scheme(name);
    if (s) {
      scheme_name_ = name;
      say("serving " + name);
      note("nvmed.scheme", "name=" + name + " namespaces=" + std::to_string(namespaces_.size()));
      return s;
    }
    err = s.error();
    if (!s.error().is(hal::errc::exist)) break;
  }
  return err.with_context("register scheme");
}

hal::Task<void> Driver::serve(hal::SchemeServer& server) {
  co_await scheme_->serve(server);
  // The scheme closed: nobody can reach the disk any more. Shut down cleanly.
  const hal::Result<void> r = co_await engine_->shutdown();
  if (!r) sys_.log(hal::LogLevel::warn, "nvmed.shutdown.failed", r.error().message());
}

}  // namespace nvmed
