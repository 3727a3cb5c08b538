#include "kernel-model/cpu.hpp"

#include "kernel-model/kernel.hpp"
#include "kernel-model/process.hpp"

namespace kernel {

namespace {
// Resumptions per turn on the CPU before the next runnable process gets it.
constexpr std::size_t kTimeSlice = 64;
}  // namespace

Cpu::Cpu(sc_core::sc_module_name name, Kernel& kernel, unsigned index)
    : sc_module(name), kernel_(kernel), index_(index) {
  sc_core::sc_spawn_options opts;
  opts.set_stack_size(1 << 20);  // driver code runs on this stack
  thread_ = sc_core::sc_spawn([this] { run(); }, (std::string(basename()) + "_thread").c_str(), &opts);
}

bool Cpu::on_this_cpu() const { return sc_core::sc_get_current_process_handle() == thread_; }

void Cpu::make_runnable(Process& p) {
  if (p.queued || !p.alive()) return;
  p.queued = true;
  runq_.push_back(&p);
  const sim::Picos now = sim::now();
  wake_.notify(idle_ && free_at_ > now ? sim::to_sc(free_at_ - now) : sc_core::SC_ZERO_TIME);
}

void Cpu::sync() {
  if (debt_ == 0 || !on_this_cpu()) return;
  const sim::Picos d = debt_;
  debt_ = 0;
  sc_core::wait(sim::to_sc(d));
}

void Cpu::idle() {
  idle_ = true;
  free_at_ = sim::now() + debt_;
  debt_ = 0;
  for (;;) {
    if (runq_.empty()) {
      sc_core::wait(wake_);
      continue;
    }
    // Woken before the CPU is free (a notification made before a later
    // charge): wait for the rest.
    const sim::Picos now = sim::now();
    if (free_at_ <= now) break;
    sc_core::wait(sim::to_sc(free_at_ - now));
  }
  idle_ = false;
}

void Cpu::run() {
  for (;;) {
    if (runq_.empty()) idle();
    Process* p = runq_.front();
    runq_.pop_front();
    p->queued = false;
    if (!p->alive()) continue;
    if (last_ != p) {
      if (last_ != nullptr) {
        charge(kernel_.cost().context_switch);
        ++switches_;
      }
      last_ = p;
    }
    sync();
    current_ = p;
    const std::size_t ran = p->executor().run_ready(kTimeSlice);
    charge(kernel_.cost().task_switch * ran);
    current_ = nullptr;
    // The debt is paid before the next process runs, or while idle.
    if (p->alive() && p->executor().has_ready()) make_runnable(*p);
  }
}

}  // namespace kernel
