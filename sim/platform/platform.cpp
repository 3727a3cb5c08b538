#include "sim/platform/platform.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <limits>

#include "sim/core/address_map.hpp"
#include "sim/core/perfetto_sink.hpp"
#include "sim/platform/debug_api.hpp"
#include "sim/platform/device_factory.hpp"
#include "sim/platform/faults.hpp"
#include "sim/platform/pci_probe.hpp"
#include "sim/platform/qemu_platform.hpp"

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

// Wakes at each --break-on time:T and calls the breaker; nothing else (no
// trace event), so the run is the same with or without it.
class TimeBreaks : public sc_core::sc_module {
 public:
  TimeBreaks(sc_core::sc_module_name n, Breaker& b) : sc_module(n), b_(b) {
    for (const BreakSpec& s : b.specs())
      if (s.type == BreakSpec::Type::time) specs_.push_back(&s);
    std::stable_sort(specs_.begin(), specs_.end(), [](const BreakSpec* x, const BreakSpec* y) { return x->time < y->time; });
    SC_HAS_PROCESS(TimeBreaks);
    SC_THREAD(body);
  }

 private:
  void body() {
    for (const BreakSpec* s : specs_) {
      if (s->time > now()) sc_core::wait(to_sc(s->time - now()));
      b_.on_time(*s, now());
    }
  }
  Breaker& b_;
  std::vector<const BreakSpec*> specs_;
};

Platform* g_current = nullptr;

// platform: qemu (or --platform qemu): QEMU, started before anything maps its RAM.
std::unique_ptr<QemuPlatform> start_qemu(const scenario::Scenario& sc, const RunOptions& o) {
  if (o.platform.value_or(sc.platform) != scenario::PlatformKind::qemu) return nullptr;
  for (const auto& ps : sc.processes)
    if (ps.program == "pci-probe") throw scenario::ScenarioError(ps.mark, "pci-probe is not available on platform qemu");
  if (!sc.faults.empty()) throw scenario::ScenarioError(sc.faults.front().mark, "faults are not available on platform qemu");
  return std::make_unique<QemuPlatform>(sc);
}

std::optional<double> number_of(std::string_view text) {
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

double number_of(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::u64:
    case FieldValue::Type::hex: return static_cast<double>(v.num);
    case FieldValue::Type::i64: return static_cast<double>(static_cast<std::int64_t>(v.num));
    case FieldValue::Type::boolean: return v.num ? 1.0 : 0.0;
    case FieldValue::Type::str: return number_of(v.str).value_or(std::numeric_limits<double>::quiet_NaN());
  }
  return 0;
}

std::string text_of(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::str: return std::string(v.str);
    case FieldValue::Type::i64: return std::to_string(static_cast<std::int64_t>(v.num));
    case FieldValue::Type::boolean: return v.num ? "true" : "false";
    case FieldValue::Type::hex: {
      char b[24];
      std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v.num));
      return b;
    }
    case FieldValue::Type::u64: break;
  }
  return std::to_string(v.num);
}

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

/// Counts what `expect` asks about: events by pattern, values reported by
/// `result` events, the first warnings and errors.
class Platform::ExpectSink final : public TraceSink {
 public:
  explicit ExpectSink(const scenario::ExpectSpec& e) {
    for (const auto& [key, cond] : e.events)
      if (auto p = scenario::parse_event_pattern(key.key)) patterns_.emplace_back(key.key, *p);
  }

  void write(const TraceEvent& e) override {
    for (auto& [key, p] : patterns_)
      if (p.matches(e.component, e.kind)) ++counts_[key];
    if (e.severity == Severity::warn && warnings_.size() < kKeep) warnings_.push_back(format_event_line(e));
    if (e.severity == Severity::error && errors_.size() < kKeep) errors_.push_back(format_event_line(e));
    if (e.kind == "result") result(e);
  }

  void fill(scenario::Observed& o) const {
    for (const auto& [key, p] : patterns_) o.events[key] = counts_.count(key) ? counts_.at(key) : 0;
    o.first_warnings = warnings_;
    o.first_errors = errors_;
    o.values = values_;
  }

 private:
  static constexpr std::size_t kKeep = 5;

  // A `result` event reports values: fields `name` and `value`; or any
  // numeric field (but `pid`); or, in a `msg` text, "[prefix] k=v k=v ..."
  // (what hal::Sys::log(info, "result", ...) gives), named prefix.k.
  void result(const TraceEvent& e) {
    const FieldValue* name = nullptr;
    const FieldValue* value = nullptr;
    for (const Field& f : e.fields) {
      if (f.key == "name" && f.value.type == FieldValue::Type::str) name = &f.value;
      if (f.key == "value") value = &f.value;
    }
    if (name && value) return report(e.component, std::string(name->str), number_of(*value), text_of(*value));
    for (const Field& f : e.fields) {
      if (f.key == "pid") continue;
      if (f.key == "msg" && f.value.type == FieldValue::Type::str) {
        parse_message(e.component, f.value.str);
        continue;
      }
      if (f.value.type != FieldValue::Type::str) report(e.component, std::string(f.key), number_of(f.value), text_of(f.value));
    }
  }

  void parse_message(std::string_view component, std::string_view msg) {
    std::string prefix;
    bool first = true;
    while (!msg.empty()) {
      const auto sp = msg.find(' ');
      const std::string_view word = msg.substr(0, sp);
      msg = sp == std::string_view::npos ? std::string_view{} : msg.substr(sp + 1);
      if (word.empty()) continue;
      const auto eq = word.find('=');
      if (eq == std::string_view::npos) {
        if (first) prefix = std::string(word) + ".";
        first = false;
        continue;
      }
      first = false;
      const std::string_view v = word.substr(eq + 1);
      report(component, prefix + std::string(word.substr(0, eq)),
             number_of(v).value_or(std::numeric_limits<double>::quiet_NaN()), std::string(v));
    }
  }

  void report(std::string_view component, const std::string& name, double v, std::string text) {
    const std::string comp(component);
    auto set = [&](const std::string& key, bool bare) {
      scenario::ObservedValue& o = values_[key];
      if (bare && o.reports > 0 && o.component != comp) o.ambiguous = true;
      o.value = v;
      o.text = text;
      o.component = comp;
      ++o.reports;
    };
    set(name, true);
    set(comp + "/" + name, false);
  }

  std::vector<std::pair<std::string, scenario::EventPattern>> patterns_;
  std::map<std::string, std::uint64_t> counts_;
  std::vector<std::string> warnings_, errors_;
  std::map<std::string, scenario::ObservedValue> values_;
};

Platform* Platform::current() { return g_current; }

Platform::Platform(const scenario::Scenario& sc, const RunOptions& opts)
    : sc_(sc),
      opts_(opts),
      seed_(opts.seed.value_or(sc.seed)),
      qemu_(start_qemu(sc, opts)),
      memory_(qemu_ ? GuestMemory(sc.machine.memory, qemu_->ram_fd()) : GuestMemory(sc.machine.memory)) {
  g_current = this;
  debug_api_linked();
  add_sinks();
  irqc_ = std::make_unique<pci::InterruptController>("irqc", trace_, sc.machine.cpus);
  rc_ = std::make_unique<pci::RootComplex>("rc", trace_, memory_, *irqc_);
  cpu_bus_ = std::make_unique<BusMaster>("cpu0_bus");
  if (qemu_) {
    // QEMU's functions, reached over qtest, stand where the root complex and
    // the scenario's devices would (docs/qemu-platform.md).
    auto bridge = qemu_->make_bridge(trace_, memory_, *irqc_);
    cpu_bus_->socket.bind(bridge->cpu_socket);
    qemu_bridge_ = std::move(bridge);
    rc_idle_bus_ = std::make_unique<BusMaster>("rc_idle_bus");
    rc_idle_bus_->socket.bind(rc_->cpu_socket);
  } else {
    cpu_bus_->socket.bind(rc_->cpu_socket);
    for (const auto& d : sc.devices) {
      auto dev = make_device(d, trace_, seed_);
      rc_->attach(*dev, d.address.device, d.address.function);
      devices_.push_back(std::move(dev));
    }
  }
  if (!sc.faults.empty()) faults_ = std::make_unique<FaultInjector>("drvsim_faults", trace_, sc.faults, devices_);
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

void Platform::add_sinks() {
  // The progress line first: it clears itself before the text log prints.
  if (opts_.progress && Progress::is_terminal(stderr)) {
    progress_ = std::make_unique<Progress>(sc_.run.duration, stderr);
    trace_.add_sink(make_progress_sink(*progress_, opts_.log_level));
  }
  trace_.add_sink(make_text_sink(opts_.log_level));
  if (!opts_.trace_json.empty()) trace_.add_sink(make_json_sink(opts_.trace_json));
  if (!opts_.extra_trace_json.empty()) trace_.add_sink(make_json_sink(opts_.extra_trace_json));
  trace_.keep_tail(opts_.trace_tail);
  if (!opts_.trace_perfetto.empty()) {
    PerfettoOptions po;
    po.title = "drvsim: " + sc_.name + ", seed " + std::to_string(seed_);
    for (const auto& d : sc_.devices) po.group_of[d.name] = "devices";
    for (const auto& ps : sc_.processes) {
      po.group_of[ps.name] = "programs";
      po.group_of[ps.program] = "programs";
    }
    for (const auto& [name, main] : programs()) po.group_of[name] = "programs";
    trace_.add_sink(make_perfetto_sink(opts_.trace_perfetto, std::move(po)));
  }
  if (!opts_.vcd.empty()) trace_.add_sink(make_vcd_sink(opts_.vcd, opts_.vcd_signals, sc_.name));
  if (!opts_.breaks.empty()) {
    breaker_ = std::make_unique<Breaker>(opts_.breaks, opts_.break_skip);
    trace_.add_sink(make_break_sink(*breaker_));
  }
  auto expect = std::make_unique<ExpectSink>(sc_.expect);
  expect_sink_ = expect.get();
  trace_.add_sink(std::move(expect));
  // The golden trace to compare with: only for the seed it was recorded with.
  if (sc_.expect.digest && seed_ == sc_.seed) {
    const std::string path = opts_.golden_file.empty() ? golden_path(sc_.file) : opts_.golden_file;
    std::string why;
    golden_ = GoldenFile::load(path, &why);
    if (!golden_) {
      golden_why_ = why;
    } else if (golden_->digest != sc_.expect.digest->hex || golden_->seed != seed_) {
      golden_why_ = path + " was recorded for digest " + golden_->digest + " and seed " + std::to_string(golden_->seed) +
                    ", not for the scenario's " + sc_.expect.digest->hex + " and seed " + std::to_string(seed_) +
                    " (a stale file: --update-golden rewrites both)";
      golden_.reset();
    }
  }
  if (golden_ || opts_.record_golden) {
    auto rec = std::make_unique<GoldenRecorder>(golden_ ? &*golden_ : nullptr);
    golden_rec_ = rec.get();
    trace_.add_sink(std::move(rec));
  }
}

void Platform::maybe_stop() {
  // The run ends when every built-in program and every non-daemon process
  // has finished (or at the time limit).
  if (sc_.run.full_duration) return;  // until: duration
  if (stop_requested_ || builtin_running_ > 0 || (kernel_ && kernel_->foreground() > 0)) return;
  stop_requested_ = true;
  sc_core::sc_stop();
}

Platform::~Platform() {
  kernel_.reset();  // processes before the devices and memory they refer to
  if (g_current == this) g_current = nullptr;
}

std::ostream& Platform::out() {
  if (progress_) progress_->clear();
  return opts_.out ? *opts_.out : std::cout;
}

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
  std::unique_ptr<TimeBreaks> time_breaks;
  if (breaker_ && std::any_of(opts_.breaks.begin(), opts_.breaks.end(),
                              [](const BreakSpec& b) { return b.type == BreakSpec::Type::time; }))
    time_breaks = std::make_unique<TimeBreaks>("drvsim_time_breaks", *breaker_);
  trace_.info("sim", "start",
              {{"scenario", sc_.name}, {"seed", seed_}, {"cpus", sc_.machine.cpus}, {"memory", sc_.machine.memory}});
  // Simulated time advances in kSlices equal steps, whether or not a
  // progress line is shown (so the schedule is the same everywhere); between
  // steps the progress line is redrawn. Stepping sc_start does not change
  // what the models do: the kernel's state carries over from one call to the
  // next.
  constexpr Picos kSlices = 1000;
  const Picos slice = std::max<Picos>(sc_.run.duration / kSlices, 1);
  for (Picos target = 0; target < sc_.run.duration && !stop_requested_ &&
                         sc_core::sc_get_status() != sc_core::SC_STOPPED;) {
    target = std::min(sc_.run.duration, target + slice);
    if (target > now()) sc_core::sc_start(to_sc(target - now()));
    if (progress_) progress_->poll(now(), trace_.event_count());
  }
  RunResult r;
  r.sim_time = now();
  const std::size_t running = builtin_running_ + (kernel_ ? kernel_->foreground() : 0);
  r.finished = running == 0 || sc_.run.full_duration;
  if (!r.finished)
    trace_.error("sim", "time_limit", {{"limit_ps", sc_.run.duration}, {"running", static_cast<std::uint64_t>(running)}});
  if (kernel_)
    for (const std::string& f : kernel_->failures()) out() << "process failed: " << f << "\n";
  report_results();
  trace_.info("sim", "end", {{"time_ps", r.sim_time}});
  r.events = trace_.event_count();
  r.warnings = trace_.count(Severity::warn);
  r.errors = trace_.count(Severity::error);
  r.digest = trace_.digest();
  for (const auto& p : processes_) r.ok = r.ok && p->ok();
  if (kernel_) r.ok = r.ok && kernel_->failures().empty();
  r.ok = r.ok && r.finished;
  r.ok = r.ok && r.errors == 0;
  r.seed = seed_;
  observe(r);
  if (progress_) progress_->clear();
  trace_.flush();
  return r;
}

void Platform::report_results() {
  // Figures of the machine as `result` events: scenarios check them under
  // expect.values (docs/scenario-format.md#expect).
  auto result = [this](const std::string& name, std::uint64_t v) {
    trace_.info("sim", "result", {{"name", name}, {"value", v}});
  };
  result("interrupts.delivered", irqc_->delivered_total());
  result("interrupts.dropped", irqc_->dropped());
  result("pci.master_aborts", rc_->master_aborts());
  result("pci.unsupported_requests", rc_->unsupported_requests());
  if (kernel_)
    for (unsigned i = 0; i < kernel_->cpu_count(); ++i) {
      result("cpu" + std::to_string(i) + ".busy_ps", kernel_->cpu(i).busy_time());
      result("cpu" + std::to_string(i) + ".context_switches", kernel_->cpu(i).context_switches());
    }
}

void Platform::observe(RunResult& r) {
  scenario::Observed& o = r.observed;
  o.exit_ok = true;
  for (std::size_t i = 0; i < processes_.size(); ++i)
    if (!processes_[i]->ok()) {
      o.exit_ok = false;
      o.failures.push_back("process '" + sc_.processes[i].name + "' failed");
    }
  if (kernel_)
    for (const std::string& f : kernel_->failures()) {
      o.exit_ok = false;
      o.failures.push_back("process failed: " + f);
    }
  o.finished = r.finished;
  if (!r.finished) {
    const std::size_t running = builtin_running_ + (kernel_ ? kernel_->foreground() : 0);
    o.not_finished = "the time limit (run.duration " + format_time(sc_.run.duration) + ") came with " +
                     std::to_string(running) + " process" + (running == 1 ? "" : "es") + " still running";
  }
  o.warnings = r.warnings;
  o.errors = r.errors;
  o.end_time = r.sim_time;
  o.digest = r.digest.hex();
  expect_sink_->fill(o);
  if (sc_.expect.digest && seed_ != sc_.seed)
    o.digest_skipped = "the digest is for the scenario's seed " + std::to_string(sc_.seed) + ", this run used seed " +
                       std::to_string(seed_);
  if (sc_.expect.digest && qemu_) o.digest_skipped = "a run on platform qemu is not deterministic";
  if (sc_.expect.digest && !o.digest_skipped && o.digest != sc_.expect.digest->hex) {
    const std::string path = opts_.golden_file.empty() ? golden_path(sc_.file) : opts_.golden_file;
    o.digest_detail = describe_difference(golden_rec_ && golden_ ? golden_rec_->difference() : std::nullopt,
                                          golden_ ? &*golden_ : nullptr, path, golden_why_, sc_.file, sc_.name);
  }
  if (golden_rec_ && opts_.record_golden) r.golden = golden_rec_->result(sc_.name, seed_, r.digest);
  r.evaluation = scenario::evaluate(sc_, o);
}

RunResult run(const scenario::Scenario& sc, const RunOptions& opts) {
  fresh_kernel();
  Platform p(sc, opts);
  return p.run();
}

}  // namespace sim::platform
