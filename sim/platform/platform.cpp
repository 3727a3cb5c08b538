#include "sim/platform/platform.hpp"

#include <iostream>

#include "sim/core/address_map.hpp"
#include "sim/platform/device_factory.hpp"
#include "sim/platform/pci_probe.hpp"

namespace sim::platform {

namespace {

class ProcessThread : public sc_core::sc_module {
 public:
  ProcessThread(sc_core::sc_module_name n, Process& p, std::function<void()> done)
      : sc_module(n), p_(p), done_(std::move(done)) {
    SC_HAS_PROCESS(ProcessThread);
    SC_THREAD(body);
  }

 private:
  void body() {
    p_.main();
    done_();
  }
  Process& p_;
  std::function<void()> done_;
};

kernel::CostModel cost_model(const scenario::CostSpec& c) {
  kernel::CostModel k;
  k.syscall = c.syscall;
  k.ring_enter = c.ring_enter;
  k.ring_entry = c.ring_entry;
  k.notify = c.notify;
  k.context_switch = c.context_switch;
  k.interrupt_entry = c.interrupt_entry;
  k.interrupt_exit = c.interrupt_exit;
  k.mmio_write = c.mmio_write;
  k.task_switch = c.task_switch;
  return k;
}

}  // namespace

Platform::Platform(const scenario::Scenario& sc, const RunOptions& opts)
    : sc_(sc),
      opts_(opts),
      seed_(opts.seed.value_or(sc.seed)),
      memory_(sc.machine.memory) {
  trace_.add_sink(make_text_sink(opts.log_level));
  if (!opts.trace_json.empty()) trace_.add_sink(make_json_sink(opts.trace_json));
  trace_.keep_tail(64);
  irqc_ = std::make_unique<pci::InterruptController>("irqc", trace_, sc.machine.cpus);
  rc_ = std::make_unique<pci::RootComplex>("rc", trace_, memory_, *irqc_);
  cpu_bus_ = std::make_unique<BusMaster>("cpu0_bus");
  cpu_bus_->socket.bind(rc_->cpu_socket);
  for (const auto& d : sc.devices) {
    auto dev = make_device(d, trace_, seed_);
    rc_->attach(*dev, d.address.device, d.address.function);
    devices_.push_back(std::move(dev));
  }
  bool builtin = false, kernel_programs = false;
  for (const auto& ps : sc.processes) {
    if (ps.program == "pci-probe") {
      if (kernel_programs) throw scenario::ScenarioError(ps.mark, "pci-probe cannot run beside kernel programs");
      builtin = true;
      processes_.push_back(std::make_unique<PciProbe>(*this, ps.name, ps.args));
    } else if (programs().count(ps.program)) {
      if (builtin) throw scenario::ScenarioError(ps.mark, "kernel programs cannot run beside pci-probe");
      kernel_programs = true;
    } else {
      throw scenario::ScenarioError(ps.mark, "program '" + ps.program + "' is not available in this build");
    }
  }
  if (kernel_programs) {
    kernel::KernelConfig cfg;
    cfg.cpus = sc.machine.cpus;
    cfg.cost = cost_model(sc.machine.cost);
    cfg.ecam_base = addr::kEcamBase;
    cfg.ecam_size = addr::kEcamSize;
    kernel_ = std::make_unique<kernel::Kernel>("kernel", trace_, memory_, *cpu_bus_, *irqc_, cfg, programs());
    kernel_->on_print([this](std::string_view line) { out() << line << "\n"; });
    kernel_->on_foreground_change([this](std::size_t) { maybe_stop(); });
  }
}

void Platform::maybe_stop() {
  // The run ends when every built-in program and every non-daemon process
  // has finished (or at the time limit).
  if (stop_requested_ || builtin_running_ > 0 || (kernel_ && kernel_->foreground() > 0)) return;
  stop_requested_ = true;
  sc_core::sc_stop();
}

Platform::~Platform() {
  kernel_.reset();  // processes before the devices and memory they refer to
}

std::ostream& Platform::out() { return opts_.out ? *opts_.out : std::cout; }

RunResult Platform::run() {
  std::vector<std::unique_ptr<ProcessThread>> threads;
  builtin_running_ = processes_.size();
  for (std::size_t i = 0; i < processes_.size(); ++i)
    threads.push_back(std::make_unique<ProcessThread>(sc_.processes[i].name.c_str(), *processes_[i], [this] {
      --builtin_running_;
      maybe_stop();
    }));
  if (kernel_) {
    for (const auto& ps : sc_.processes) {
      auto pid = kernel_->spawn(ps.program, ps.args, ps.cpu, 0, is_privileged_program(ps.program));
      if (!pid) throw scenario::ScenarioError(ps.mark, "cannot start '" + ps.program + "': " + pid.error().message());
    }
  }
  trace_.info("sim", "start",
              {{"scenario", sc_.name}, {"seed", seed_}, {"cpus", sc_.machine.cpus}, {"memory", sc_.machine.memory}});
  sc_core::sc_start(to_sc(sc_.run.duration));
  RunResult r;
  r.sim_time = now();
  const std::size_t running = builtin_running_ + (kernel_ ? kernel_->foreground() : 0);
  r.finished = running == 0;
  if (!r.finished)
    trace_.error("sim", "time_limit", {{"limit_ps", sc_.run.duration}, {"running", static_cast<std::uint64_t>(running)}});
  if (kernel_)
    for (const std::string& f : kernel_->failures()) out() << "process failed: " << f << "\n";
  trace_.info("sim", "end", {{"time_ps", r.sim_time}});
  r.events = trace_.event_count();
  r.warnings = trace_.count(Severity::warn);
  r.errors = trace_.count(Severity::error);
  r.digest = trace_.digest();
  for (const auto& p : processes_) r.ok = r.ok && p->ok();
  if (kernel_) r.ok = r.ok && kernel_->failures().empty();
  r.ok = r.ok && r.finished;
  r.ok = r.ok && r.errors == 0;
  trace_.flush();
  return r;
}

RunResult run(const scenario::Scenario& sc, const RunOptions& opts) {
  fresh_kernel();
  Platform p(sc, opts);
  return p.run();
}

}  // namespace sim::platform
