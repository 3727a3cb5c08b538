#include "sim/platform/debug_api.hpp"

#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "devices/nvme/controller.hpp"
#include "devices/pci/pci_regs.hpp"
#include "devices/xhci/xhci_controller.hpp"
#include "devices/xhci/xhci_regs.hpp"
#include "sim/core/break_sink.hpp"
#include "sim/core/debug_registry.hpp"
#include "sim/platform/platform.hpp"

namespace {

using sim::GuestMemory;
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


// ---- the completion being handled (drvsim cqe, drvsim event-ring) ---------

// Which interrupt the caller asks about: a device (empty: every one of the
// kind) and a CPU vector (negative: any).
struct Target {
  std::string device;
  int cpu = -1;
  int vector = -1;
};

// Fills in what the caller left out from the last --break-on irq stop.
Target resolve(const char* device, int cpu, int vector) {
  Target t{device ? device : "", cpu, vector};
  const drvsim_break_info& b = drvsim_last_break;
  const bool irq_stop = b.hit != 0 && b.vector >= 0 && b.source != nullptr;
  if (t.device.empty() && irq_stop) t.device = b.source;
  if (t.vector < 0 && irq_stop && t.device == b.source) {
    t.cpu = b.cpu;
    t.vector = b.vector;
  }
  return t;
}

std::string target_text(const Target& t) {
  if (t.vector < 0) return "any interrupt";
  return "interrupt cpu " + std::to_string(t.cpu) + " vector " + hex(static_cast<unsigned>(t.vector), 2);
}

// Whether the function's own interrupt vector `dev_vector` (an MSI-X table
// index or an MSI vector number) is delivered as the target's CPU vector.
// With neither enabled (INTx) every vector of the device is.
bool serves(const pci::PciFunction& f, unsigned dev_vector, const Target& t) {
  if (t.vector < 0) return true;
  const pci::ConfigSpace& cs = f.config();
  pci::MsiMessage m;
  if (f.msix().present() && f.msix().enabled(cs)) {
    if (dev_vector >= f.msix().table_size()) return false;
    m = f.msix().message(dev_vector);
  } else if (f.msi().present() && f.msi().enabled(cs)) {
    if (dev_vector >= f.msi().enabled_vectors(cs)) return false;
    m = f.msi().message(cs, dev_vector);
  } else {
    return true;
  }
  const unsigned cpu = static_cast<unsigned>(m.address >> 12) & 0xFF;
  return (t.cpu < 0 || cpu == static_cast<unsigned>(t.cpu)) && (m.data & 0xFF) == static_cast<unsigned>(t.vector);
}

const char* vector_kind(const pci::PciFunction& f) {
  const pci::ConfigSpace& cs = f.config();
  if (f.msix().present() && f.msix().enabled(cs)) return "MSI-X vector ";
  if (f.msi().present() && f.msi().enabled(cs)) return "MSI vector ";
  return "INTx, vector ";
}

template <class Device>
std::vector<const Device*> devices_of(Platform& p, const Target& t) {
  std::vector<const Device*> out;
  for (const pci::PciFunction* f : p.root_complex().functions())
    if (const auto* d = dynamic_cast<const Device*>(f); d && (t.device.empty() || t.device == f->component()))
      out.push_back(d);
  return out;
}

// One entry in guest memory: where it is, and a copy.
struct Entry {
  std::string where;
  std::uint64_t address = 0;
};

std::string& where_buffer() {
  static std::string b;
  return b;
}

// NVMe: the CQs of `c` the target serves (by their Interrupt Vector).
std::vector<const nvme::CompletionQueue*> nvme_cqs(const nvme::NvmeController& c, const Target& t) {
  std::vector<const nvme::CompletionQueue*> out;
  for (std::size_t q = 0; q < c.debug_queue_slots(); ++q)
    if (const nvme::CompletionQueue* cq = c.debug_cq(q); cq && cq->size && serves(c, cq->iv, t) && (t.vector < 0 || cq->ien))
      out.push_back(cq);
  return out;
}

// The host-unreleased entries of the served CQs, in CQ order then from the head.
std::vector<Entry> nvme_entries(Platform& p, const Target& t) {
  std::vector<Entry> out;
  for (const nvme::NvmeController* c : devices_of<nvme::NvmeController>(p, t))
    for (const nvme::CompletionQueue* cq : nvme_cqs(*c, t))
      for (std::uint32_t k = 0; k < cq->unconsumed(); ++k) {
        const std::uint32_t slot = (cq->head + k) % cq->size;
        const std::uint64_t a = cq->base + std::uint64_t{slot} * nvme::kCqeSize;
        out.push_back({c->component() + " CQ" + std::to_string(cq->qid) + "[" + std::to_string(slot) + "] at " + hex(a), a});
      }
  return out;
}

void nvme_queue_text(std::ostream& os, const nvme::NvmeController& c, const Target& t) {
  for (const nvme::CompletionQueue* cq : nvme_cqs(c, t)) {
    const std::uint32_t n = cq->unconsumed();
    os << "  CQ" << cq->qid << ": " << cq->size << " entries at " << hex(cq->base) << ", head " << cq->head << " tail "
       << cq->tail << " phase " << (cq->phase ? 1 : 0) << ", " << vector_kind(c) << cq->iv
       << (cq->ien ? "" : " (interrupts disabled)") << ": " << n << " entr" << (n == 1 ? "y" : "ies")
       << " not yet released by the host";
    if (!cq->held.empty()) os << ", " << cq->held.size() << " held (CQ full)";
    os << "\n";
    for (std::size_t q = 0; q < c.debug_queue_slots(); ++q)
      if (const nvme::SubmissionQueue* sq = c.debug_sq(q); sq && sq->size && sq->cqid == cq->qid)
        os << "    SQ" << sq->qid << ": " << sq->size << " entries at " << hex(sq->base) << ", head " << sq->head
           << " tail " << sq->tail << ", " << sq->pending() << " not yet fetched\n";
  }
}

// xHCI: the interrupters `c` raises the target with (interrupter i uses
// MSI-X vector i mod the table size).
std::vector<unsigned> xhci_interrupters(const xhci::XhciController& c, const Target& t) {
  std::vector<unsigned> out;
  for (unsigned i = 0; i < c.params().interrupters; ++i)
    if (c.interrupter(i).ring().ready() && serves(c, i % c.params().msix_vectors, t)) out.push_back(i);
  return out;
}

struct ErstSegment {
  std::uint64_t base;
  std::uint32_t size;
};

std::vector<ErstSegment> erst(const GuestMemory& mem, const xhci::Interrupter& in) {
  std::vector<ErstSegment> out;
  const std::uint64_t ba = in.read(xhci::kErstba) | (std::uint64_t{in.read(xhci::kErstba + 4)} << 32);
  const unsigned n = in.read(xhci::kErstsz) & 0xFFFF;
  for (unsigned i = 0; i < n; ++i) {
    std::uint32_t e[4] = {};
    if (!mem.read(ba + 16ULL * i, e, sizeof e)) break;
    out.push_back({(e[0] | (std::uint64_t{e[1]} << 32)) & ~0x3FULL, e[2] & 0xFFFF});
  }
  return out;
}

std::uint64_t erdp_of(const xhci::Interrupter& in) {
  return (in.read(xhci::kErdp) | (std::uint64_t{in.read(xhci::kErdp + 4)} << 32)) & ~0xFULL;
}

// The unconsumed events of one interrupter: from ERDP up to the enqueue
// pointer, through the segments of its ERST.
std::vector<Entry> xhci_ring_entries(const GuestMemory& mem, const xhci::XhciController& c, unsigned i) {
  std::vector<Entry> out;
  const xhci::Interrupter& in = c.interrupter(i);
  const xhci::EventRing& ring = in.ring();
  if (!ring.has_unconsumed()) return out;
  const std::vector<ErstSegment> segs = erst(mem, in);
  std::uint64_t at = erdp_of(in);
  const std::uint64_t enq = ring.enqueue_pointer();
  std::size_t s = 0;
  while (s < segs.size() && !(at >= segs[s].base && at < segs[s].base + segs[s].size * 16ULL)) ++s;
  if (s == segs.size()) return out;  // ERDP outside the ring: nothing to show
  do {
    unsigned idx = static_cast<unsigned>((at - segs[s].base) / 16);
    out.push_back({c.component() + " interrupter " + std::to_string(i) + " event ring segment " + std::to_string(s) +
                       "[" + std::to_string(idx) + "] at " + hex(at),
                   at});
    if (++idx == segs[s].size) {
      s = (s + 1) % segs.size();
      at = segs[s].base;
    } else {
      at += 16;
    }
  } while (at != enq && out.size() < 4096);
  return out;
}

std::vector<Entry> xhci_entries(Platform& p, const Target& t) {
  std::vector<Entry> out;
  for (const xhci::XhciController* c : devices_of<xhci::XhciController>(p, t))
    for (unsigned i : xhci_interrupters(*c, t))
      for (Entry& e : xhci_ring_entries(p.memory(), *c, i)) out.push_back(std::move(e));
  return out;
}

void xhci_ring_text(std::ostream& os, const GuestMemory& mem, const xhci::XhciController& c, const Target& t) {
  for (unsigned i : xhci_interrupters(c, t)) {
    const xhci::Interrupter& in = c.interrupter(i);
    const xhci::EventRing& ring = in.ring();
    const std::uint32_t iman = in.read(xhci::kIman);
    const std::size_t n = xhci_ring_entries(mem, c, i).size();
    os << "  interrupter " << i << " (" << vector_kind(c) << i % c.params().msix_vectors << "): IMAN " << hex(iman)
       << ((iman & xhci::kImanIp) ? " IP" : "") << ((iman & xhci::kImanIe) ? " IE" : "") << ", ERSTSZ "
       << (in.read(xhci::kErstsz) & 0xFFFF) << " at " << hex(in.read(xhci::kErstba) | (std::uint64_t{in.read(xhci::kErstba + 4)} << 32))
       << "\n    dequeue (ERDP) " << hex(erdp_of(in)) << " EHB " << ((in.read(xhci::kErdp) & xhci::kErdpEhb) ? 1 : 0)
       << ", enqueue " << hex(ring.enqueue_pointer()) << (ring.full() ? " (ring full)" : "") << ": " << n
       << " event" << (n == 1 ? "" : "s") << " not yet consumed; " << in.events() << " events, " << in.interrupts()
       << " interrupts so far" << (ring.lost() ? ", " + std::to_string(ring.lost()) + " lost" : std::string()) << "\n";
  }
}

template <class T>
const void* copy_entry(const std::vector<Entry>& entries, unsigned index) {
  static T copy;
  Platform* p = Platform::current();
  if (!p || index >= entries.size() || !p->memory().read(entries[index].address, &copy, sizeof copy)) {
    where_buffer().clear();
    return nullptr;
  }
  where_buffer() = entries[index].where;
  return &copy;
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
  // NVMe and xHCI queues are read through the models' read-only accessors;
  // other models register theirs (sim/core/debug_registry.hpp, "queues").
  const Target all;
  std::size_t devices = 0;
  for (const nvme::NvmeController* c : devices_of<nvme::NvmeController>(*p, all)) {
    os << c->bdf().str() << " " << c->component() << " (NVMe): completion queues and their submission queues\n";
    nvme_queue_text(os, *c, all);
    ++devices;
  }
  for (const xhci::XhciController* c : devices_of<xhci::XhciController>(*p, all)) {
    os << c->bdf().str() << " " << c->component() << " (xHCI): event rings\n";
    xhci_ring_text(os, p->memory(), *c, all);
    ++devices;
  }
  if (sim::run_debug_dumpers("queues", os) == 0 && devices == 0) os << "no device queues registered\n";
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
__attribute__((used)) const char* drvsim_debug_nvme_cq(const char* device, int cpu, int vector) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  const Target t = resolve(device, cpu, vector);
  std::ostringstream os;
  const auto cs = devices_of<nvme::NvmeController>(*p, t);
  if (cs.empty()) return give("drvsim: no NVMe controller" + (t.device.empty() ? std::string() : " named " + t.device) + "\n");
  for (const nvme::NvmeController* c : cs) {
    os << c->bdf().str() << " " << c->component() << " (NVMe), " << target_text(t) << ":\n";
    const std::size_t before = os.tellp();
    nvme_queue_text(os, *c, t);
    if (static_cast<std::size_t>(os.tellp()) == before) os << "  no completion queue is served by it\n";
  }
  return give(os.str());
}

__attribute__((used)) const void* drvsim_debug_nvme_cqe(const char* device, int cpu, int vector, unsigned index) {
  Platform* p = Platform::current();
  if (!p) return nullptr;
  return copy_entry<nvme::Cqe>(nvme_entries(*p, resolve(device, cpu, vector)), index);
}

__attribute__((used)) const char* drvsim_debug_xhci_event_ring(const char* device, int cpu, int vector) {
  Platform* p = Platform::current();
  if (!p) return kNoRun;
  const Target t = resolve(device, cpu, vector);
  std::ostringstream os;
  const auto cs = devices_of<xhci::XhciController>(*p, t);
  if (cs.empty()) return give("drvsim: no xHCI controller" + (t.device.empty() ? std::string() : " named " + t.device) + "\n");
  for (const xhci::XhciController* c : cs) {
    os << c->bdf().str() << " " << c->component() << " (xHCI), " << target_text(t) << ":\n";
    const std::size_t before = os.tellp();
    xhci_ring_text(os, p->memory(), *c, t);
    if (static_cast<std::size_t>(os.tellp()) == before) os << "  no event ring is served by it\n";
  }
  return give(os.str());
}

__attribute__((used)) const void* drvsim_debug_xhci_event(const char* device, int cpu, int vector, unsigned index) {
  Platform* p = Platform::current();
  if (!p) return nullptr;
  return copy_entry<xhci::Trb>(xhci_entries(*p, resolve(device, cpu, vector)), index);
}

__attribute__((used)) const void* drvsim_debug_nvme_sqe(const char* device, unsigned sqid, unsigned cid) {
  Platform* p = Platform::current();
  if (!p) return nullptr;
  const Target t = resolve(device, -1, -1);
  static nvme::Sqe copy;
  for (const nvme::NvmeController* c : devices_of<nvme::NvmeController>(*p, t)) {
    const nvme::SubmissionQueue* sq = c->debug_sq(sqid);
    if (!sq || sq->size == 0) continue;
    for (std::uint32_t back = 1; back <= sq->size; ++back) {
      const std::uint32_t slot = (sq->head + sq->size - back) % sq->size;
      if (!p->memory().read(sq->base + std::uint64_t{slot} * nvme::kSqeSize, &copy, sizeof copy)) break;
      if (copy.cid == cid) {
        where_buffer() = c->component() + " SQ" + std::to_string(sqid) + "[" + std::to_string(slot) + "] at " +
                         hex(sq->base + std::uint64_t{slot} * nvme::kSqeSize);
        return &copy;
      }
    }
  }
  where_buffer().clear();
  return nullptr;
}

__attribute__((used)) const void* drvsim_debug_guest_read(std::uint64_t address, unsigned len) {
  static unsigned char copy[4096];
  Platform* p = Platform::current();
  if (!p || len > sizeof copy || !p->memory().read(address, copy, len)) return nullptr;
  return copy;
}

__attribute__((used)) const char* drvsim_debug_entry_where(void) { return where_buffer().c_str(); }
}

namespace sim::platform {
// Referenced from platform.cpp so that the linker keeps this file's functions.
void debug_api_linked() {}
}  // namespace sim::platform
