// The kernel's side of every process's ring (user -> kernel): enter() takes
// the SQEs and serves the standard opcodes on the process's own fds, itself
// (irq:, memory:) or by forwarding to the daemon of the fd's scheme.
// Every bad request completes with a negative errno and a trace warning.
#include <charconv>
#include <cstring>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"
#include "kernel-model/kernel.hpp"

namespace kernel {

namespace {
constexpr std::size_t kMaxPath = 4096;
constexpr unsigned kFirstDynamicVector = 0x40;  // below: exceptions and legacy IRQs
constexpr unsigned kLastVector = 0xEF;          // above: the kernel's own (IPIs, timer)

const char* opcode_name(std::uint8_t op) {
  static const char* names[] = {"no_op", "open",  "close", "read", "write", "pread",
                                "pwrite", "fsync", "fstat", "dup", "mmap",  "register_events"};
  return op < 12 ? names[op] : (op >= hal::kProducerOpcodeBase ? "producer" : "reserved");
}
}  // namespace

void Kernel::enter(Process& p) {
  Cpu& c = p.home();
  c.charge(config_.cost.ring_enter);
  p.flush_overflow();
  hal::SqEntry64 sqe;
  while (p.alive() && p.ring_producer().try_take(sqe)) {
    c.charge(config_.cost.ring_entry);
    dispatch(p, sqe);
  }
}

void Kernel::complete(Process& p, const hal::SqEntry64& sqe, std::uint64_t status, std::uint64_t extra) {
  p.post(hal::CqEntry64{sqe.user_data, status, 0, extra});
}

void Kernel::fail(Process& p, const hal::SqEntry64& sqe, int code, std::string_view why) {
  trace_.warn("kernel", "sqe.rejected",
              {{"pid", p.pid()},
               {"opcode", opcode_name(sqe.opcode)},
               {"fd", sqe.fd},
               {"errno", hal::errno_name(code)},
               {"why", why}});
  complete(p, sqe, hal::status_from_errno(code));
}

void Kernel::dispatch(Process& p, const hal::SqEntry64& sqe) {
  if (sqe.flags & ~hal::kSqeKnownFlags) return fail(p, sqe, hal::errc::inval, "unknown SQE flags");
  const auto op = static_cast<hal::Opcode>(sqe.opcode);
  if (hal::is_producer_opcode(sqe.opcode)) return op_io(p, sqe);  // a scheme's own opcode: forwarded
  switch (op) {
    case hal::Opcode::no_op: return complete(p, sqe, 0);
    case hal::Opcode::open: return op_open(p, sqe);
    case hal::Opcode::close: return op_close(p, sqe);
    case hal::Opcode::read:
    case hal::Opcode::write:
    case hal::Opcode::pread:
    case hal::Opcode::pwrite:
    case hal::Opcode::fsync: return op_io(p, sqe);
    case hal::Opcode::fstat: return op_fstat(p, sqe);
    case hal::Opcode::dup: return op_dup(p, sqe);
    case hal::Opcode::mmap: return op_mmap(p, sqe);
    case hal::Opcode::register_events: return op_register_events(p, sqe);
  }
  fail(p, sqe, hal::errc::nosys, "unknown opcode");
}

void Kernel::op_open(Process& p, const hal::SqEntry64& sqe) {
  if (sqe.len == 0 || sqe.len > kMaxPath) return fail(p, sqe, hal::errc::inval, "bad path length");
  if (sqe.addr > p.pool().size || sqe.len > p.pool().size - sqe.addr)
    return fail(p, sqe, hal::errc::fault, "path outside the ring pool");
  const std::string path(reinterpret_cast<const char*>(p.pool().data + sqe.addr), sqe.len);
  const auto colon = path.find(':');
  if (colon == std::string::npos) return fail(p, sqe, hal::errc::noent, "path has no scheme");
  const std::string scheme_name = path.substr(0, colon);
  const std::string_view rest = std::string_view(path).substr(colon + 1);
  if (scheme_name == "irq") return irq_open(p, sqe, rest);
  if (scheme_name == "memory") {
    auto f = std::make_shared<OpenFile>();
    f->kind = FileKind::memory;
    f->path = path;
    return complete(p, sqe, p.add_fd(f));
  }
  Scheme* s = scheme(scheme_name);
  if (!s && (sqe.syscall_flags & hal::kOpenWaitForScheme)) {
    // Boot order: the daemon has not registered yet. The request waits.
    trace_.debug("kernel", "open.waits_for_scheme", {{"pid", p.pid()}, {"scheme", scheme_name}});
    waiting_opens_[scheme_name].push_back({p.pid(), sqe});
    return;
  }
  if (!s) return fail(p, sqe, hal::errc::noent, "no such scheme");
  // The daemon reads the path from the caller's pool, lent for the request.
  hal::SqEntry64 fwd = sqe;
  fwd.fd = 0;
  fwd.addr = p.pool().phys + sqe.addr;
  Forwarded f;
  f.pid = p.pid();
  f.user_data = sqe.user_data;
  f.opcode = sqe.opcode;
  f.grant = Range{fwd.addr, sqe.len};
  f.path = path;
  s->forward(fwd, std::move(f));
}

void Kernel::irq_open(Process& p, const hal::SqEntry64& sqe, std::string_view rest) {
  // "cpu-N/new" allocates the lowest free vector; "cpu-N/V" opens one this
  // process already owns.
  if (rest.substr(0, 4) != "cpu-") return fail(p, sqe, hal::errc::noent, "irq path must be cpu-N/VECTOR");
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) return fail(p, sqe, hal::errc::noent, "irq path must be cpu-N/VECTOR");
  unsigned cpu = 0;
  const std::string_view cpu_s = rest.substr(4, slash - 4);
  if (std::from_chars(cpu_s.data(), cpu_s.data() + cpu_s.size(), cpu).ec != std::errc{} || cpu >= cpus_.size())
    return fail(p, sqe, hal::errc::noent, "no such CPU");
  const std::string_view v_s = rest.substr(slash + 1);
  unsigned vector = 0;
  if (v_s == "new") {
    for (vector = kFirstDynamicVector; vector <= kLastVector; ++vector)
      if (!irqs_.count({cpu, vector})) break;
    if (vector > kLastVector) return fail(p, sqe, hal::errc::nospc, "no free vector");
    irqs_[{cpu, vector}] = IrqLine{p.pid()};
    trace_.info("kernel", "irq.alloc", {{"pid", p.pid()}, {"cpu", cpu}, {"vector", vector}});
  } else {
    if (std::from_chars(v_s.data(), v_s.data() + v_s.size(), vector).ec != std::errc{} || vector > 255)
      return fail(p, sqe, hal::errc::noent, "bad vector");
    const auto it = irqs_.find({cpu, vector});
    if (it == irqs_.end() || it->second.owner != p.pid())
      return fail(p, sqe, hal::errc::acces, "vector not allocated to this process");
  }
  auto f = std::make_shared<OpenFile>();
  f->kind = FileKind::irq;
  f->path = "irq:cpu-" + std::to_string(cpu) + "/" + std::to_string(vector);
  f->cpu = cpu;
  f->vector = vector;
  complete(p, sqe, p.add_fd(f), vector);
}

void Kernel::irq_read(Process& p, const hal::SqEntry64& sqe, OpenFile& f) {
  const auto it = irqs_.find({f.cpu, f.vector});
  if (it == irqs_.end() || it->second.owner != p.pid()) return fail(p, sqe, hal::errc::acces, "vector not owned");
  IrqLine& line = it->second;
  if (line.count > 0) {
    const std::uint64_t n = line.count;
    line.count = 0;
    return complete(p, sqe, n);
  }
  if (line.waiting) return fail(p, sqe, hal::errc::busy, "a read is already waiting on this vector");
  line.waiting = true;
  line.reader = p.pid();
  line.reader_user_data = sqe.user_data;
}

void Kernel::op_close(Process& p, const hal::SqEntry64& sqe) {
  const auto f = p.fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  p.remove_fd(sqe.fd);
  if (f.use_count() == 1) {  // the last reference: the file itself closes
    if (f->kind == FileKind::channel && f->ring) f->ring->close();
    if (f->kind == FileKind::scheme && f->scheme && !f->scheme->is_shut_down()) {
      hal::SqEntry64 fwd = sqe;
      fwd.fd = f->handle;
      Forwarded fw;
      fw.pid = p.pid();
      fw.user_data = sqe.user_data;
      fw.opcode = sqe.opcode;
      fw.file = f;
      return f->scheme->forward(fwd, std::move(fw));
    }
  }
  complete(p, sqe, 0);
}

void Kernel::op_io(Process& p, const hal::SqEntry64& sqe) {
  OpenFile* const f = p.find_fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  const auto op = static_cast<hal::Opcode>(sqe.opcode);
  if (f->kind == FileKind::irq) {
    if (op == hal::Opcode::read) return irq_read(p, sqe, *f);
    if (op == hal::Opcode::write || op == hal::Opcode::fsync) return complete(p, sqe, 0);  // acknowledge
    return fail(p, sqe, hal::errc::nosys, "not supported on irq");
  }
  if (f->kind != FileKind::scheme || !f->scheme)
    return fail(p, sqe, hal::errc::nosys, "not supported on this kind of file");
  if (f->scheme->is_shut_down()) return fail(p, sqe, hal::errc::shutdown, "the scheme's daemon is gone");
  hal::SqEntry64 fwd = sqe;
  fwd.fd = f->handle;
  Forwarded fw;
  fw.pid = p.pid();
  fw.user_data = sqe.user_data;
  fw.opcode = sqe.opcode;
  if (sqe.len > 0) {
    if (sqe.addr > p.pool().size || sqe.len > p.pool().size - sqe.addr)
      return fail(p, sqe, hal::errc::fault, "buffer outside the ring pool");
    fwd.addr = p.pool().phys + sqe.addr;
    fw.grant = Range{fwd.addr, sqe.len};
  }
  f->scheme->forward(fwd, std::move(fw));
}

void Kernel::op_fstat(Process& p, const hal::SqEntry64& sqe) {
  const auto f = p.fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  if (f->kind == FileKind::scheme) return op_io(p, sqe);
  if (sqe.len < sizeof(hal::Stat) || sqe.addr > p.pool().size || sqe.len > p.pool().size - sqe.addr)
    return fail(p, sqe, hal::errc::fault, "stat buffer outside the ring pool");
  hal::Stat st;
  st.mode = f->kind == FileKind::irq ? 4 : 3;
  std::memcpy(p.pool().data + sqe.addr, &st, sizeof st);
  complete(p, sqe, 0);
}

void Kernel::op_dup(Process& p, const hal::SqEntry64& sqe) {
  const auto f = p.fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  complete(p, sqe, p.add_fd(f));  // the new fd shares the open file
}

void Kernel::op_mmap(Process& p, const hal::SqEntry64& sqe) {
  // Mmap on a memory: fd allocates physically contiguous memory for DMA and
  // returns its physical address; the process may then view it (grant_view).
  const auto f = p.fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  if (f->kind != FileKind::memory) return fail(p, sqe, hal::errc::nodev, "mmap is only supported on memory:");
  if (sqe.len == 0 || sqe.len > (1ULL << 30)) return fail(p, sqe, hal::errc::inval, "bad mmap length");
  auto b = p.physalloc(sqe.len);
  if (!b) return fail(p, sqe, b.error().code(), "out of memory");
  complete(p, sqe, b->phys, b->size);
}

void Kernel::op_register_events(Process& p, const hal::SqEntry64& sqe) {
  const auto f = p.fd(sqe.fd);
  if (!f) return fail(p, sqe, hal::errc::badf, "no such fd");
  if (f->kind != FileKind::channel || !f->ring) return fail(p, sqe, hal::errc::inval, "not a ring fd");
  // Completes on the next activity of the ring; with SUBSCRIBE, on each.
  f->ring->subscribe(Subscription{p.pid(), sqe.user_data, (sqe.flags & hal::kSqeSubscribe) != 0});
}

}  // namespace kernel
