// What the kernel model charges simulated CPUs for. Defaults are order-of-
// magnitude figures for a ~3 GHz x86-64 core running a microkernel in the
// style of Redox (docs/kernel-model.md gives the reasoning); every one can be
// overridden in a scenario (machine.cost).
#pragma once

#include "sim/core/time.hpp"

namespace kernel {

struct CostModel {
  sim::Picos syscall = sim::ns(150);           // entry + exit of a plain system call
  sim::Picos ring_enter = sim::ns(200);        // enter(): the kernel looks at a ring
  sim::Picos ring_entry = sim::ns(60);         // per SQE processed or CQE posted by the kernel
  sim::Picos notify = sim::ns(250);            // waking the other side of a ring
  sim::Picos context_switch = sim::ns(1200);   // switching the CPU to another process
  sim::Picos interrupt_entry = sim::ns(400);   // vectoring, saving state, the irq scheme's handler
  sim::Picos interrupt_exit = sim::ns(250);
  sim::Picos mmio_write = sim::ns(10);         // the store itself; writes are posted
  sim::Picos task_switch = sim::ns(40);        // the executor resuming a task
};

}  // namespace kernel
