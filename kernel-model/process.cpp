#include "kernel-model/process.hpp"

#include "kernel-model/kernel.hpp"

namespace kernel {

Process::Process(Kernel& k, hal::Pid pid, std::string program, std::vector<std::string> args, Cpu& cpu,
                 hal::Pid parent)
    : k_(k),
      pid_(pid),
      program_(std::move(program)),
      args_(std::move(args)),
      cpu_(cpu),
      parent_(parent),
      exec_(std::make_unique<hal::Executor>()),
      pool_alloc_(k.config().kernel_pool_bytes) {
  const std::uint32_t n = k.config().kernel_ring_entries;
  auto storage = hal::RingPairStorage::create(n, n);
  ring_storage_ = std::make_unique<hal::RingPairStorage>(std::move(*storage));
  ring_producer_.emplace(std::move(*hal::RingProducer::attach(ring_storage_->pair())));
  auto pool = k.alloc_dma(k.config().kernel_pool_bytes);
  if (pool) {
    pool_ = *pool;
    allocations_.push_back(pool_.phys);
  }
  ring_client_ = std::make_unique<hal::RingClient>(*hal::RingConsumer::attach(ring_storage_->pair()),
                                                   [this] { k_.enter(*this); }, pool_);
  exec_->set_on_ready([this] { cpu_.make_runnable(*this); });
  exec_->set_on_failure([this](const hal::TaskFailure& f) {
    k_.events().error(program_, "task.failed", {{"pid", pid_}, {"task", f.name}, {"what", f.what}});
  });
}

Process::~Process() { exec_.reset(); }

unsigned Process::cpu() const { return cpu_.index(); }
unsigned Process::cpu_count() const { return k_.cpu_count(); }
std::uint64_t Process::now_ns() const { return sim::now() / 1000; }

hal::Task<void> Process::sleep_ns(std::uint64_t ns) {
  hal::Signal<void> s;
  std::uint64_t id = 0;
  cpu_.charge(k_.cost().syscall);
  k_.add_timer(sim::now() + sim::ns(ns), &s, &id);
  struct Cancel {
    Kernel& k;
    std::uint64_t id;
    ~Cancel() { k.cancel_timer(id); }
  } cancel{k_, id};
  co_await s;
}

void Process::print(std::string_view line) { k_.print_line(line); }

void Process::log(hal::LogLevel level, std::string_view kind, std::string_view message) {
  const sim::Severity sev = level == hal::LogLevel::debug  ? sim::Severity::debug
                            : level == hal::LogLevel::info ? sim::Severity::info
                            : level == hal::LogLevel::warn ? sim::Severity::warn
                                                           : sim::Severity::error;
  k_.events().emit(sev, program_, kind, {{"pid", pid_}, {"msg", message}});
}

hal::Result<hal::DmaBuffer> Process::physalloc(std::size_t bytes) {
  cpu_.charge(k_.cost().syscall);
  auto b = k_.alloc_dma(bytes);
  if (!b) return b.error();
  allocations_.push_back(b->phys);
  buffer_grants_.push_back(Range{b->phys, b->size});
  return b;
}

hal::Result<hal::Mmio> Process::physmap(std::uint64_t phys, std::uint64_t size) {
  cpu_.charge(k_.cost().syscall);
  for (const Range& g : physmap_grants_)
    if (g.contains(phys, size)) return hal::Mmio(this, phys, size);
  k_.events().warn("kernel", "physmap.denied", {{"pid", pid_}, {"phys", sim::Hex{phys}}, {"size", size}});
  return hal::Error(hal::errc::acces, "physmap: region not granted");
}

bool Process::may_access(std::uint64_t phys, std::uint64_t len) const {
  // Newest first: the request being served is usually among the last lent.
  for (auto it = buffer_grants_.rbegin(); it != buffer_grants_.rend(); ++it)
    if (it->contains(phys, len)) return true;
  return false;
}

hal::Result<hal::DmaBuffer> Process::grant_view(std::uint64_t phys, std::uint64_t len) {
  if (!may_access(phys, len)) {
    k_.events().warn("kernel", "grant.denied", {{"pid", pid_}, {"phys", sim::Hex{phys}}, {"len", len}});
    return hal::Error(hal::errc::acces, "grant_view: range not granted");
  }
  std::uint8_t* p = k_.memory().host_ptr(phys, len);
  if (!p) return hal::Error(hal::errc::fault, "grant_view: outside memory");
  return hal::DmaBuffer{phys, p, static_cast<std::size_t>(len)};
}

void Process::revoke_buffer_grant(Range r) {
  for (auto it = buffer_grants_.begin(); it != buffer_grants_.end(); ++it)
    if (it->phys == r.phys && it->len == r.len) {
      buffer_grants_.erase(it);
      return;
    }
}

hal::Result<hal::SchemeServer*> Process::register_scheme(std::string_view name) {
  cpu_.charge(k_.cost().syscall);
  auto s = k_.register_scheme(name, *this);
  if (!s) return s.error();
  return static_cast<hal::SchemeServer*>(*s);
}

hal::Result<hal::Channel> Process::attach(std::string_view scheme, std::uint32_t entries, std::size_t pool_bytes) {
  cpu_.charge(k_.cost().syscall);
  return k_.attach(*this, scheme, entries, pool_bytes);
}

hal::Result<hal::Pid> Process::spawn(std::string_view program, std::vector<std::string> args, int cpu) {
  cpu_.charge(k_.cost().syscall);
  return k_.spawn(program, std::move(args), cpu < 0 ? static_cast<int>(cpu_.index()) : cpu, pid_);
}

void Process::daemonize() {
  if (daemon_) return;
  daemon_ = true;
  k_.process_daemonized(*this);
}

hal::Result<void> Process::grant_physmap(hal::Pid pid, std::uint64_t phys, std::uint64_t size) {
  cpu_.charge(k_.cost().syscall);
  if (!k_.is_privileged(pid_)) {
    k_.events().warn("kernel", "grant_physmap.denied", {{"pid", pid_}, {"to", pid}});
    return hal::Error(hal::errc::perm, "grant_physmap: not privileged");
  }
  Process* to = k_.process(pid);
  if (!to || !to->alive()) return hal::Error(hal::errc::inval, "grant_physmap: no such process");
  if (size == 0) return hal::Error(hal::errc::inval, "grant_physmap: empty region");
  to->add_physmap_grant(Range{phys, size});
  k_.events().info("kernel", "grant_physmap", {{"from", pid_}, {"to", pid}, {"phys", sim::Hex{phys}}, {"size", size}});
  return hal::ok();
}

hal::Fd Process::add_fd(std::shared_ptr<OpenFile> f) {
  const hal::Fd fd = next_fd_++;
  fds_[fd] = std::move(f);
  return fd;
}

std::shared_ptr<OpenFile> Process::fd(hal::Fd fd) const {
  const auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : it->second;
}

OpenFile* Process::find_fd(hal::Fd fd) const {
  const auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : it->second.get();
}

void Process::remove_fd(hal::Fd fd) { fds_.erase(fd); }

void Process::post(const hal::CqEntry64& cqe) {
  if (exited_) return;
  cpu_.charge(k_.cost().ring_entry);
  if (!overflow_.empty() || !ring_producer_->try_complete(cqe)) {
    overflow_.push_back(cqe);  // never lost: delivered as the process makes room
    return;
  }
  ring_client_->on_completions();
  flush_overflow();
}

void Process::flush_overflow() {
  bool pushed = false;
  while (!overflow_.empty() && ring_producer_->try_complete(overflow_.front())) {
    overflow_.pop_front();
    pushed = true;
  }
  if (pushed) ring_client_->on_completions();
}

std::uint64_t Process::mmio_read(std::uint64_t phys, unsigned width) {
  cpu_.sync();  // the load is issued at the CPU's current time
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const std::uint64_t v = k_.bus().read(phys, width, d);
  sc_core::wait(d);  // an uncached load stalls the CPU for the round trip
  return v;
}

void Process::mmio_write(std::uint64_t phys, unsigned width, std::uint64_t value) {
  // Posted: the CPU does not wait, not even for the time it owes. The write
  // carries the CPU's local time offset as its annotated delay (TLM-2.0
  // loosely timed) and takes effect when it arrives (PciFunction). A
  // configuration write (ECAM) is sent at the CPU's own time instead.
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const KernelConfig& c = k_.config();
  if (c.ecam_size && phys >= c.ecam_base && phys - c.ecam_base < c.ecam_size)
    cpu_.sync();
  else
    d = sim::to_sc(cpu_.local_offset());
  k_.bus().write(phys, width, value, d);
  cpu_.charge(k_.cost().mmio_write);
}

hal::Task<void> Process::run_main(hal::ProgramMain main) {
  int code = 0;
  try {
    code = co_await main(*this);
  } catch (const std::exception& e) {
    k_.events().error(program_, "crashed", {{"pid", pid_}, {"what", e.what()}});
    code = 134;
  }
  exit(code);
}

void Process::start(hal::ProgramMain main) { exec_->spawn(run_main(main), program_ + ".main"); }

void Process::exit(int code) {
  if (exited_) return;
  exited_ = true;
  exit_code_ = code;
  for (std::uint64_t phys : allocations_) k_.free_dma(phys);
  allocations_.clear();
  k_.process_exited(*this);
}

}  // namespace kernel
