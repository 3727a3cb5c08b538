// A simulated CPU: one SystemC thread that runs processes' executors. The run
// queue is FIFO in the order processes became runnable, so the schedule
// depends only on simulated events. Time the CPU spends (system calls, ring
// processing, context switches, interrupt handling) is charged as a debt and
// paid with wait() before the CPU next touches the outside world (an MMIO
// access) or gives up the processor: the same timing as paying at once, with
// fewer SystemC events.
#pragma once

#include <systemc>

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
  /// Puts a process on the run queue (once) and wakes the CPU.
  void make_runnable(Process& p);
  /// Adds CPU time to pay before the next external action.
  void charge(sim::Picos t) { debt_ += t; busy_ += t; }
  /// Pays the debt now (only on this CPU's own thread; elsewhere a no-op).
  void sync();
  bool on_this_cpu() const;
  Process* current() const { return current_; }
  sim::Picos busy_time() const { return busy_; }
  std::uint64_t context_switches() const { return switches_; }

 private:
  void run();

  Kernel& kernel_;
  unsigned index_;
  std::deque<Process*> runq_;
  sc_core::sc_event wake_;
  sc_core::sc_process_handle thread_;
  Process* current_ = nullptr;
  Process* last_ = nullptr;
  sim::Picos debt_ = 0;
  sim::Picos busy_ = 0;
  std::uint64_t switches_ = 0;
};

}  // namespace kernel
