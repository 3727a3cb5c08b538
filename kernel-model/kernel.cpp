#include "kernel-model/kernel.hpp"

#include <bit>
#include <cstring>

#include "sim/core/address_map.hpp"

namespace kernel {

Kernel::Kernel(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory, sim::BusMaster& bus,
               pci::InterruptController& irqc, KernelConfig config, Programs programs)
    : sc_module(name),
      trace_(trace),
      memory_(memory),
      bus_(bus),
      config_(std::move(config)),
      programs_(std::move(programs)),
      // DMA memory: from 1 MiB to the end of low RAM.
      phys_(1ULL << 20, memory.size() < sim::addr::kRamLowLimit ? memory.size() : sim::addr::kRamLowLimit) {
  for (unsigned i = 0; i < config_.cpus; ++i)
    cpus_.push_back(std::make_unique<Cpu>(("cpu" + std::to_string(i)).c_str(), *this, i));
  irqc.set_handler([this](const pci::Interrupt& irq) { on_interrupt(irq); });
  SC_HAS_PROCESS(Kernel);
  SC_METHOD(timers_due);
  sensitive << timer_event_;
  dont_initialize();
}

Kernel::~Kernel() {
  // Processes first: their suspended tasks unregister from timers, rings and
  // schemes, which must still exist.
  by_pid_.clear();
  processes_.clear();
}

Process* Kernel::process(hal::Pid pid) { return pid < by_pid_.size() ? by_pid_[pid] : nullptr; }

bool Kernel::is_privileged(hal::Pid pid) const {
  const auto it = privileged_.find(pid);
  return it != privileged_.end() && it->second;
}

hal::Result<hal::Pid> Kernel::spawn(std::string_view program, std::vector<std::string> args, int cpu,
                                    hal::Pid parent, bool privileged) {
  const auto prog = programs_.find(std::string(program));
  if (prog == programs_.end()) {
    trace_.warn("kernel", "spawn.unknown_program", {{"program", program}, {"parent", parent}});
    return hal::Error(hal::errc::noent, "spawn: no program '" + std::string(program) + "'");
  }
  if (cpu < 0 || static_cast<unsigned>(cpu) >= cpus_.size())
    return hal::Error(hal::errc::inval, "spawn: no CPU " + std::to_string(cpu));
  const hal::Pid pid = next_pid_++;
  auto p = std::make_unique<Process>(*this, pid, std::string(program), std::move(args), *cpus_[cpu], parent);
  if (!p->pool().valid()) return hal::Error(hal::errc::nomem, "spawn: no memory for the process's ring pool");
  Process& ref = *p;
  processes_[pid] = std::move(p);
  if (by_pid_.size() <= pid) by_pid_.resize(pid + 1, nullptr);
  by_pid_[pid] = &ref;
  privileged_[pid] = privileged;
  if (privileged && config_.ecam_size) ref.add_physmap_grant(Range{config_.ecam_base, config_.ecam_size});
  trace_.info("kernel", "process.spawn",
              {{"pid", pid}, {"program", program}, {"parent", parent}, {"cpu", cpu}, {"privileged", privileged}});
  set_foreground(foreground_ + 1);
  ref.start(prog->second);
  return pid;
}

void Kernel::process_exited(Process& p) {
  trace_.emit(p.exit_code() == 0 ? sim::Severity::info : sim::Severity::error, "kernel", "process.exit",
              {{"pid", p.pid()}, {"program", p.program()}, {"code", p.exit_code()}});
  if (p.exit_code() != 0)
    failures_.push_back(std::string(p.program()) + " (pid " + std::to_string(p.pid()) + ") exited with status " +
                        std::to_string(p.exit_code()));
  // Its schemes go away: everyone waiting on them hears ESHUTDOWN.
  for (auto& [name, s] : schemes_)
    if (&s->daemon() == &p) s->shut_down();
  // Its rings close; its interrupt vectors are freed.
  for (auto& r : rings_) {
    if (&r->consumer() == &p) r->close();
    if (&r->scheme().daemon() == &p) r->server().shut_down();
  }
  for (auto it = irqs_.begin(); it != irqs_.end();)
    it = it->second.owner == p.pid() ? irqs_.erase(it) : std::next(it);
  if (!p.is_daemon()) set_foreground(foreground_ - 1);
}

void Kernel::process_daemonized(Process& p) {
  trace_.info("kernel", "process.daemon", {{"pid", p.pid()}, {"program", p.program()}});
  if (p.alive()) set_foreground(foreground_ - 1);
}

void Kernel::set_foreground(std::size_t n) {
  foreground_ = n;
  if (foreground_cb_) foreground_cb_(n);
}

hal::Result<hal::DmaBuffer> Kernel::alloc_dma(std::uint64_t bytes) {
  if (bytes == 0) return hal::Error(hal::errc::inval, "physalloc: zero bytes");
  const auto phys = phys_.alloc(bytes);
  if (!phys) return hal::Error(hal::errc::nomem, "physalloc: out of physical memory");
  const std::uint64_t size = (bytes + 4095) & ~std::uint64_t{4095};
  std::uint8_t* p = memory_.host_ptr(*phys, size);
  if (!p) {
    phys_.free(*phys);
    return hal::Error(hal::errc::nomem, "physalloc: outside RAM");
  }
  // Zero already: fresh guest RAM reads as zero and freed ranges are
  // discarded, so untouched pages of a big pool cost no host memory.
  return hal::DmaBuffer{*phys, p, static_cast<std::size_t>(size)};
}

hal::Result<Scheme*> Kernel::register_scheme(std::string_view name, Process& daemon) {
  if (name.empty() || name.find_first_of(":/") != std::string_view::npos || name == "irq" || name == "memory")
    return hal::Error(hal::errc::inval, "register_scheme: bad name '" + std::string(name) + "'");
  const auto it = schemes_.find(name);
  if (it != schemes_.end() && !it->second->is_shut_down())
    return hal::Error(hal::errc::exist, "register_scheme: '" + std::string(name) + "' exists");
  auto s = std::make_unique<Scheme>(*this, std::string(name), daemon);
  Scheme* raw = s.get();
  if (it != schemes_.end()) {
    // The old daemon's tasks may still wait on the old scheme's rings: keep it
    // alive until the kernel goes.
    retired_schemes_.push_back(std::move(it->second));
    it->second = std::move(s);
  } else {
    schemes_.emplace(std::string(name), std::move(s));
  }
  trace_.info("kernel", "scheme.register", {{"scheme", name}, {"pid", daemon.pid()}});
  // Opens that waited for this scheme go ahead now, in the order they came.
  if (auto w = waiting_opens_.find(name); w != waiting_opens_.end()) {
    auto waiting = std::move(w->second);
    waiting_opens_.erase(w);
    for (const auto& [pid, sqe] : waiting)
      if (Process* p = process(pid); p && p->alive()) dispatch(*p, sqe);
  }
  return raw;
}

Scheme* Kernel::scheme(std::string_view name) {
  const auto it = schemes_.find(name);
  return it == schemes_.end() || it->second->is_shut_down() ? nullptr : it->second.get();
}

hal::Result<hal::Channel> Kernel::attach(Process& consumer, std::string_view name, std::uint32_t entries,
                                         std::size_t pool_bytes) {
  Scheme* s = scheme(name);
  if (!s) return hal::Error(hal::errc::noent, "attach: no scheme '" + std::string(name) + "'");
  if (entries == 0 || entries > 4096 || !std::has_single_bit(entries))
    return hal::Error(hal::errc::inval, "attach: entries must be a power of two up to 4096");
  if (pool_bytes > (64ULL << 20)) return hal::Error(hal::errc::inval, "attach: pool larger than 64 MiB");
  hal::DmaBuffer pool;
  if (pool_bytes) {
    auto b = consumer.physalloc(pool_bytes);
    if (!b) return b.error();
    pool = *b;
  }
  rings_.push_back(std::make_unique<UserRing>(*this, consumer, *s, entries, pool));
  UserRing& r = *rings_.back();
  auto f = std::make_shared<OpenFile>();
  f->kind = FileKind::channel;
  f->path = std::string(name) + ":";
  f->ring = &r;
  const hal::Fd fd = consumer.add_fd(f);
  s->offer(hal::Connection{consumer.pid(), std::string(consumer.program()), &r.server()});
  trace_.info("kernel", "ring.attach",
              {{"consumer", consumer.pid()}, {"scheme", name}, {"producer", s->daemon().pid()}, {"entries", entries}});
  return hal::Channel{fd, &r.client(), pool};
}

void Kernel::add_timer(sim::Picos at, hal::Signal<void>* s, std::uint64_t* id_out) {
  const std::uint64_t id = next_timer_++;
  *id_out = id;
  timers_[{at, id}] = s;
  timer_time_[id] = at;
  timer_event_.notify(sim::to_sc(timers_.begin()->first.first - sim::now()));
}

void Kernel::cancel_timer(std::uint64_t id) {
  const auto it = timer_time_.find(id);
  if (it == timer_time_.end()) return;
  timers_.erase({it->second, id});
  timer_time_.erase(it);
}

void Kernel::timers_due() {
  const sim::Picos now = sim::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    hal::Signal<void>* s = timers_.begin()->second;
    timer_time_.erase(timers_.begin()->first.second);
    timers_.erase(timers_.begin());
    s->complete();
  }
  if (!timers_.empty()) timer_event_.notify(sim::to_sc(timers_.begin()->first.first - now));
}

void Kernel::on_interrupt(const pci::Interrupt& irq) {
  Cpu& c = *cpus_[irq.cpu];
  c.charge(config_.cost.interrupt_entry + config_.cost.interrupt_exit);
  const auto it = irqs_.find({irq.cpu, irq.vector});
  if (it == irqs_.end()) {
    trace_.warn("kernel", "irq.spurious", {{"cpu", irq.cpu}, {"vector", irq.vector}, {"source", irq.source}});
    return;
  }
  IrqLine& line = it->second;
  ++line.count;
  ++line.fired_total;
  if (line.waiting) {
    line.waiting = false;
    const std::uint64_t n = line.count;
    line.count = 0;
    if (Process* p = process(line.reader)) p->post(hal::CqEntry64{line.reader_user_data, n, 0, 0});
  }
}

}  // namespace kernel
