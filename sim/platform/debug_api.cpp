#include "sim/platform/debug_api.hpp"

#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>

#include "devices/pci/pci_regs.hpp"
#include "sim/core/debug_registry.hpp"
#include "sim/platform/platform.hpp"

namespace {

using sim::platform::Platform;

std::string& buffer() {
  static std::string b;
  return b;
}

const char* give(std::string s) {
  buffer() = std::move(s);
  return buffer().c_str();
}

std::string hex(std::uint64_t v, int width = 0) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%0*" PRIx64, width, v);
  return b;
}

const char* kNoRun = "drvsim: no machine is running (break in drvsim_break, or after the platform is built)\n";

void msi_state(std::ostream& os, const pci::PciFunction& f) {
  const pci::ConfigSpace& cs = f.config();
  const pci::MsiCapability& msi = f.msi();
  if (!msi.present()) {
    os << "  MSI: none\n";
  } else {
    os << "  MSI at " << hex(msi.offset(), 2) << ": " << (msi.enabled(cs) ? "enabled" : "disabled") << ", "
       << msi.enabled_vectors(cs) << " of " << msi.capable_vectors() << " vectors";
    const pci::MsiMessage m = msi.message(cs, 0);
    os << ", message " << hex(m.address) << " data " << hex(m.data, 4);
    if (msi.per_vector_mask()) os << ", mask " << hex(msi.mask_bits(cs), 8) << " pending " << hex(msi.pending_bits(cs), 8);
    os << "\n";
  }
  const pci::MsixCapability& x = f.msix();
  if (!x.present()) {
    os << "  MSI-X: none\n";
    return;
  }
  os << "  MSI-X at " << hex(x.offset(), 2) << ": " << (x.enabled(cs) ? "enabled" : "disabled")
     << (x.function_masked(cs) ? ", function masked" : "") << ", " << x.table_size() << " vectors, table BAR"
     << x.table_bir() << "+" << hex(x.table_offset()) << ", PBA BAR" << x.pba_bir() << "+" << hex(x.pba_offset()) << "\n";
  unsigned shown = 0, quiet = 0;
  for (unsigned v = 0; v < x.table_size(); ++v) {
    const pci::MsiMessage m = x.message(v);
    if (m.address == 0 && !x.pending(v)) {
      ++quiet;
      continue;
    }
    if (shown++ == 64) {
      os << "    ... (more vectors)\n";
      break;
    }
    os << "    vector " << v << ": " << (x.entry_masked(v) ? "masked" : "unmasked") << (x.pending(v) ? ", PENDING" : "")
       << ", message " << hex(m.address) << " data " << hex(m.data, 8) << "\n";
  }
  if (quiet) os << "    (" << quiet << " vector" << (quiet == 1 ? "" : "s") << " not programmed)\n";
}

const char* bar_kind(pci::BarKind k) {
  switch (k) {
    case pci::BarKind::none: return "none";
    case pci::BarKind::mem32: return "mem32";
    case pci::BarKind::mem64: return "mem64";
  }
  return "?";
}

}  // namespace

extern "C" {

__attribute__((used)) std::uint64_t drvsim_debug_now(void) { return Platform::current() ? sim::now() : 0; }

__attribute__((used)) const char* drvsim_debug_now_text(void) {
  if (!Platform::current()) return kNoRun;
  return give(sim::format_time(sim::now()) + " simulated (" + std::to_string(sim::now()) + " ps), " +
              std::to_string(Platform::current()->trace().event_count()) + " trace events so far\n");
}

__attribute__((used)) const char* drvsim_debug_irqs(void) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  std::ostringstream os;
  const pci::InterruptController& irqc = p->interrupt_controller();
  os << "interrupt controller: " << irqc.delivered_total() << " delivered, " << irqc.dropped() << " dropped\n";
  for (unsigned cpu = 0; cpu < irqc.cpus(); ++cpu)
    for (unsigned v = 0; v < 256; ++v)
      if (const std::uint64_t n = irqc.delivered(cpu, v)) os << "  cpu " << cpu << " vector " << hex(v, 2) << ": " << n << "\n";
  for (const pci::PciFunction* f : p->root_complex().functions()) {
    os << f->bdf().str() << " " << f->component() << ": " << f->messages_sent() << " messages sent\n";
    msi_state(os, *f);
  }
  return give(os.str());
}

__attribute__((used)) const char* drvsim_debug_queues(void) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  std::ostringstream os;
  if (kernel::Kernel* k = p->kernel()) {
    os << "kernel rings (each process's ring to the kernel; SQ: requests, CQ: completions):\n";
    for (hal::Pid pid = 1;; ++pid) {
      kernel::Process* proc = k->process(pid);
      if (!proc) break;
      auto& r = proc->ring_producer();
      os << "  pid " << pid << " " << proc->program() << (proc->alive() ? "" : " (exited)") << ": SQ " << r.sq().size()
         << "/" << r.sq().capacity() << ", CQ " << r.cq().size() << "/" << r.cq().capacity()
         << (r.sq().is_shut_down() ? ", shut down" : "") << "\n";
    }
  } else {
    os << "no kernel model in this run (pci-probe runs without one)\n";
  }
  // NVMe, xHCI and other models register their queues here
  // (sim/core/debug_registry.hpp, category "queues").
  if (sim::run_debug_dumpers("queues", os) == 0) os << "no device queues registered\n";
  return give(os.str());
}

__attribute__((used)) const char* drvsim_debug_trace(unsigned n) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  const auto& tail = p->trace().tail();
  if (tail.empty()) return give("the trace keeps no events (--trace-tail 0)\n");
  std::string out;
  const std::size_t from = n < tail.size() ? tail.size() - n : 0;
  for (std::size_t i = from; i < tail.size(); ++i) out += tail[i] + "\n";
  if (n > tail.size()) out += "(" + std::to_string(tail.size()) + " events kept; --trace-tail N keeps more)\n";
  return give(out);
}

__attribute__((used)) const char* drvsim_debug_pci(void) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  std::ostringstream os;
  for (const pci::PciFunction* f : p->root_complex().functions()) {
    const pci::ConfigSpace& cs = f->config();
    os << f->bdf().str() << " " << f->component() << ": " << hex(cs.get16(pci::kVendorId), 4) << ":"
       << hex(cs.get16(pci::kDeviceId), 4) << " command " << hex(cs.command(), 4) << " status "
       << hex(cs.get16(pci::kStatus), 4) << (cs.memory_space_enabled() ? " MSE" : "")
       << (cs.bus_master_enabled() ? " BME" : "") << "\n";
    for (unsigned i = 0; i < pci::kNumBars; ++i) {
      const pci::BarInfo b = cs.bar(i);
      if (b.kind == pci::BarKind::none) continue;
      os << "  BAR" << i << ": " << bar_kind(b.kind) << (b.prefetchable ? " prefetchable" : "") << ", " << b.size
         << " bytes at " << hex(b.address) << "\n";
    }
  }
  return give(os.str());
}

__attribute__((used)) const void* drvsim_debug_config_space(unsigned index) {
  Platform* p = Platform::current();
  if (!p || index >= p->root_complex().functions().size()) return nullptr;
  return &p->root_complex().functions()[index]->config();
}

__attribute__((used)) const char* drvsim_debug_dump(const char* category) {
  std::ostringstream os;
  if (sim::run_debug_dumpers(category ? category : "", os) == 0) os << "nothing registered under '" << (category ? category : "") << "'\n";
  return give(os.str());
}
}

namespace sim::platform {
// Referenced from platform.cpp so that the linker keeps this file's functions.
void debug_api_linked() {}
}  // namespace sim::platform
