// A simulated CPU: one SystemC thread that runs processes' executors. The run
// queue is FIFO in the order processes became runnable, so the schedule
// depends only on simulated events.
//
// Time the CPU spends (system calls, ring processing, context switches,
// interrupt handling) is charged, not waited for at once:
//  - while the CPU runs, charges add up as a debt, paid with one wait() before
//    the CPU next touches the outside world (an MMIO access) or switches to
//    another process;
//  - when the CPU goes idle, the debt becomes the time it is busy until
//    (free_at); charges that arrive while it is idle (interrupt entry, a ring
//    notification) push free_at on, and a wake-up is scheduled for free_at,
//    so the idle wait pays the debt without a wait() of its own.
// The timing is that of paying every charge at once, with two SystemC thread
// switches fewer per activation.
#pragma once

#include <systemc>

#include <algorithm>
#include <cstdint>
#include <deque>

#include "kernel-model/cost_model.hpp"
#include "sim/core/time.hpp"

namespace kernel {

class Process;
class Kernel;

class Cpu : public sc_core::sc_module {
 public:
  Cpu(sc_core::sc_module_name name, Kernel& kernel, unsigned index);

  unsigned index() const { return index_; }
  /// Puts a process on the run queue (once) and wakes the CPU (when it is
  /// free: an idle CPU still paying for earlier work wakes at free_at).
  void make_runnable(Process& p);
  /// Adds CPU time to pay before the next external action.
  void charge(sim::Picos t) {
    busy_ += t;
    if (idle_)
      free_at_ = std::max(free_at_, sim::now()) + t;
    else
      debt_ += t;
  }
  /// Pays the debt now (only on this CPU's own thread; elsewhere a no-op).
  void sync();
  /// How far this CPU runs ahead of SystemC time: its debt when asked on its
  /// own thread, else 0.
  sim::Picos local_offset() const { return debt_ != 0 && on_this_cpu() ? debt_ : 0; }
  bool on_this_cpu() const;
  Process* current() const { return current_; }
  sim::Picos busy_time() const { return busy_; }
  std::uint64_t context_switches() const { return switches_; }

 private:
  void run();
  /// Waits until a process is runnable and the CPU is free.
  void idle();

  Kernel& kernel_;
  unsigned index_;
  std::deque<Process*> runq_;
  sc_core::sc_event wake_;
  sc_core::sc_process_handle thread_;
  Process* current_ = nullptr;
  Process* last_ = nullptr;
  bool idle_ = false;
  sim::Picos debt_ = 0;     // while running: charged, not yet waited for
  sim::Picos free_at_ = 0;  // while idle: the simulated time the CPU is busy until
  sim::Picos busy_ = 0;
  std::uint64_t switches_ = 0;
};

}  // namespace kernel
