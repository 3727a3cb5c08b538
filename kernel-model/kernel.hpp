// The kernel model: simulated CPUs that run processes, the process table,
// schemes (irq:, memory:, and those daemons serve), rings in the three
// attachment modes of the Redox io_uring design, physical memory for DMA,
// grants, and a cost model that charges CPU time. It implements hal::Sys for
// the processes; drivers see nothing else of the simulator.
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "drivers/hal/sys.hpp"
#include "kernel-model/cost_model.hpp"
#include "kernel-model/cpu.hpp"
#include "kernel-model/phys_alloc.hpp"
#include "kernel-model/process.hpp"
#include "kernel-model/scheme.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace kernel {

struct KernelConfig {
  unsigned cpus = 1;
  CostModel cost;
  std::uint32_t kernel_ring_entries = 256;
  std::uint64_t kernel_pool_bytes = 16ULL << 20;  // each process's kernel-ring buffer pool
  std::uint64_t ecam_base = 0, ecam_size = 0;    // granted to privileged processes
};

/// One interrupt vector of the irq scheme.
struct IrqLine {
  hal::Pid owner = 0;
  std::uint64_t count = 0;  // fired since the last read
  bool waiting = false;     // a Read is pending
  hal::Pid reader = 0;
  std::uint64_t reader_user_data = 0;
  std::uint64_t fired_total = 0;
};

class Kernel : public sc_core::sc_module {
 public:
  using Programs = std::map<std::string, hal::ProgramMain>;

  Kernel(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory, sim::BusMaster& bus,
         pci::InterruptController& irqc, KernelConfig config, Programs programs);
  ~Kernel() override;

  /// Starts a process. `privileged` processes may grant physmap regions and
  /// get the ECAM window granted (the bus driver).
  hal::Result<hal::Pid> spawn(std::string_view program, std::vector<std::string> args, int cpu, hal::Pid parent,
                              bool privileged = false);

  /// Told whenever the number of live non-daemon processes changes.
  void on_foreground_change(std::function<void(std::size_t)> cb) { foreground_cb_ = std::move(cb); }
  std::size_t foreground() const { return foreground_; }
  /// Failed processes (non-zero exit or a crashed task), in exit order.
  const std::vector<std::string>& failures() const { return failures_; }
  /// Where Sys::print goes.
  void on_print(std::function<void(std::string_view)> cb) { print_cb_ = std::move(cb); }

  // Used by processes and the kernel's own parts.
  sim::Trace& events() { return trace_; }  // not trace(): sc_module::trace is virtual
  sim::GuestMemory& memory() { return memory_; }
  sim::BusMaster& bus() { return bus_; }
  const CostModel& cost() const { return config_.cost; }
  const KernelConfig& config() const { return config_; }
  Cpu& cpu(unsigned i) { return *cpus_[i]; }
  unsigned cpu_count() const { return static_cast<unsigned>(cpus_.size()); }
  Process* process(hal::Pid pid);
  void print_line(std::string_view line) {
    if (print_cb_) print_cb_(line);
  }
  bool is_privileged(hal::Pid pid) const;

  // Memory.
  hal::Result<hal::DmaBuffer> alloc_dma(std::uint64_t bytes);
  /// Frees DMA memory; it reads as zero when allocated again.
  void free_dma(std::uint64_t phys) {
    if (const std::uint64_t size = phys_.free(phys)) memory_.discard(phys, size);
  }

  // Schemes.
  hal::Result<Scheme*> register_scheme(std::string_view name, Process& daemon);
  Scheme* scheme(std::string_view name);
  hal::Result<hal::Channel> attach(Process& consumer, std::string_view scheme, std::uint32_t entries,
                                   std::size_t pool_bytes);

  // The kernel ring (user -> kernel): enter() processes a process's SQEs.
  void enter(Process& p);

  // Timers.
  void add_timer(sim::Picos at, hal::Signal<void>* s, std::uint64_t* id_out);
  void cancel_timer(std::uint64_t id);

  // Process lifecycle.
  void process_exited(Process& p);
  void process_daemonized(Process& p);

 private:
  void dispatch(Process& p, const hal::SqEntry64& sqe);
  void complete(Process& p, const hal::SqEntry64& sqe, std::uint64_t status, std::uint64_t extra = 0);
  void fail(Process& p, const hal::SqEntry64& sqe, int code, std::string_view why);
  void op_open(Process& p, const hal::SqEntry64& sqe);
  void op_close(Process& p, const hal::SqEntry64& sqe);
  void op_io(Process& p, const hal::SqEntry64& sqe);
  void op_fstat(Process& p, const hal::SqEntry64& sqe);
  void op_dup(Process& p, const hal::SqEntry64& sqe);
  void op_mmap(Process& p, const hal::SqEntry64& sqe);
  void op_register_events(Process& p, const hal::SqEntry64& sqe);
  void irq_open(Process& p, const hal::SqEntry64& sqe, std::string_view rest);
  void irq_read(Process& p, const hal::SqEntry64& sqe, OpenFile& f);
  void on_interrupt(const pci::Interrupt& irq);
  void timers_due();
  void set_foreground(std::size_t n);

  sim::Trace& trace_;
  sim::GuestMemory& memory_;
  sim::BusMaster& bus_;
  KernelConfig config_;
  Programs programs_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  std::map<hal::Pid, std::unique_ptr<Process>> processes_;
  std::vector<Process*> by_pid_;  // the same processes, indexed by pid: process() on every request
  std::map<hal::Pid, bool> privileged_;
  hal::Pid next_pid_ = 1;
  PhysAllocator phys_;
  std::map<std::string, std::unique_ptr<Scheme>, std::less<>> schemes_;
  std::vector<std::unique_ptr<Scheme>> retired_schemes_;
  std::map<std::string, std::vector<std::pair<hal::Pid, hal::SqEntry64>>, std::less<>> waiting_opens_;  // replaced by a new daemon of the same name
  std::vector<std::unique_ptr<UserRing>> rings_;
  std::map<std::pair<unsigned, unsigned>, IrqLine> irqs_;  // (cpu, vector)
  std::map<std::pair<std::uint64_t, std::uint64_t>, hal::Signal<void>*> timers_;  // (time, id)
  std::map<std::uint64_t, std::uint64_t> timer_time_;  // id -> time
  std::uint64_t next_timer_ = 1;
  sc_core::sc_event timer_event_;
  std::size_t foreground_ = 0;
  std::function<void(std::size_t)> foreground_cb_;
  std::function<void(std::string_view)> print_cb_;
  std::vector<std::string> failures_;
};

}  // namespace kernel
