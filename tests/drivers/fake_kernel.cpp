#include "tests/drivers/fake_kernel.hpp"

#include <cstring>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/irq.hpp"

namespace fake {

namespace {

constexpr std::uint32_t kKernelRingEntries = 64;
constexpr std::size_t kKernelPoolBytes = 64 * 1024;
constexpr unsigned kFirstVector = 0x40;

hal::RingPairStorage make_storage(std::uint32_t sq, std::uint32_t cq) {
  return hal::RingPairStorage::create(sq, cq).value();
}

}  // namespace

// --- FakeScheme ------------------------------------------------------------

FakeScheme::FakeScheme(std::string name) : name_(std::move(name)) {
  requests_storage.emplace(make_storage(16, 16));
  const hal::RingPair& pair = requests_storage->pair();
  requests_client = std::make_unique<hal::RingClient>(hal::RingConsumer::attach(pair).value(),
                                                      [this] { requests_server->on_submissions(); });
  requests_server = std::make_unique<hal::RingServer>(hal::RingProducer::attach(pair).value(),
                                                      [this] { requests_client->on_completions(); });
}

hal::Task<hal::Result<hal::Connection>> FakeScheme::accept() {
  std::optional<hal::Connection> c = co_await connections.next();
  if (!c) co_return hal::Error(hal::errc::shutdown, "scheme closed");
  co_return std::move(*c);
}

// --- FakeProcess -----------------------------------------------------------

FakeProcess::FakeProcess(FakeKernel& kernel, hal::Pid pid, std::string program, std::vector<std::string> args,
                         unsigned cpu)
    : k_(kernel),
      pid_(pid),
      program_(std::move(program)),
      args_(std::move(args)),
      cpu_(cpu),
      kpool_(kernel.machine().alloc(kKernelPoolBytes)),
      kpool_alloc_(kKernelPoolBytes) {
  kring_storage_.emplace(make_storage(kKernelRingEntries, kKernelRingEntries));
  kring_ = std::make_unique<hal::RingClient>(hal::RingConsumer::attach(kring_storage_->pair()).value(),
                                             [this] { k_.kernel_enter(*this); }, kpool_);
  kring_producer_.emplace(hal::RingProducer::attach(kring_storage_->pair()).value());
}

FakeProcess::~FakeProcess() = default;

std::uint64_t FakeProcess::now_ns() const { return k_.m_.now_ns; }

hal::Task<void> FakeProcess::sleep_ns(std::uint64_t ns) {
  k_.m_.now_ns += ns;
  co_return;
}

void FakeProcess::print(std::string_view line) { k_.printed.emplace_back(line); }

void FakeProcess::log(hal::LogLevel level, std::string_view kind, std::string_view message) {
  k_.logs.push_back({pid_, level, std::string(kind), std::string(message)});
}

hal::Result<hal::DmaBuffer> FakeProcess::physalloc(std::size_t bytes) {
  if (bytes == 0) return hal::Error(hal::errc::inval, "physalloc of 0 bytes");
  return k_.m_.alloc(bytes);
}

hal::Result<hal::Mmio> FakeProcess::physmap(std::uint64_t phys, std::uint64_t size) {
  for (const FakeKernel::Grant& g : k_.grants)
    if (g.pid == pid_ && phys >= g.phys && phys - g.phys <= g.size && size <= g.size - (phys - g.phys))
      return hal::Mmio(&k_.m_, phys, size);
  return hal::Error(hal::errc::acces, "physmap: range not granted");
}

hal::Result<hal::DmaBuffer> FakeProcess::grant_view(std::uint64_t, std::uint64_t) {
  return hal::Error(hal::errc::nosys, "grant_view: not in the fake");
}

hal::Result<hal::SchemeServer*> FakeProcess::register_scheme(std::string_view name) {
  if (k_.schemes_.count(name)) return hal::Error(hal::errc::exist, "scheme exists");
  auto s = std::make_unique<FakeScheme>(std::string(name));
  FakeScheme* p = s.get();
  k_.schemes_.emplace(std::string(name), std::move(s));
  return static_cast<hal::SchemeServer*>(p);
}

hal::Result<hal::Channel> FakeProcess::attach(std::string_view scheme, std::uint32_t entries, std::size_t pool_bytes) {
  FakeScheme* s = k_.scheme(scheme);
  if (s == nullptr) return hal::Error(hal::errc::noent, "no such scheme");
  hal::Result<hal::RingPairStorage> storage = hal::RingPairStorage::create(entries, entries);
  if (!storage) return storage.error();
  auto ch = std::make_unique<FakeChannel>();
  FakeChannel* c = ch.get();
  c->storage.emplace(std::move(*storage));
  c->pool = k_.m_.alloc(pool_bytes);
  c->owner = pid_;
  const hal::RingPair& pair = c->storage->pair();
  c->client = std::make_unique<hal::RingClient>(hal::RingConsumer::attach(pair).value(),
                                                [c] {
                                                  c->server->on_room();
                                                  c->server->on_submissions();
                                                },
                                                c->pool);
  c->server = std::make_unique<hal::RingServer>(hal::RingProducer::attach(pair).value(),
                                                [c] { c->client->on_completions(); }, c->pool, pid_);
  const hal::Fd fd = k_.next_fd_++;
  k_.channels_.emplace(fd, std::move(ch));
  s->connections.push(hal::Connection{pid_, program_, c->server.get()});
  return hal::Channel{fd, c->client.get(), c->pool};
}

hal::Result<hal::Pid> FakeProcess::spawn(std::string_view program, std::vector<std::string> args, int cpu) {
  const auto it = k_.programs_.find(program);
  if (it == k_.programs_.end() && k_.fail_unknown_programs) return hal::Error(hal::errc::noent, "no such program");
  const unsigned on = cpu < 0 ? cpu_ : static_cast<unsigned>(cpu);
  FakeProcess& child = k_.new_process(std::string(program), args, on);
  k_.spawns.push_back({pid_, std::string(program), std::move(args), cpu, child.pid()});
  if (it != k_.programs_.end() && k_.run_spawned)
    child.executor().spawn(FakeKernel::run_main(&child, it->second), std::string(program) + " main");
  return child.pid();
}

hal::Result<void> FakeProcess::grant_physmap(hal::Pid pid, std::uint64_t phys, std::uint64_t size) {
  if (!privileged) return hal::Error(hal::errc::perm, "grant_physmap: not privileged");
  if (k_.find(pid) == nullptr) return hal::Error(hal::errc::inval, "grant_physmap: no such pid");
  k_.grants.push_back({pid, phys, size});
  return hal::ok();
}

// --- FakeKernel ------------------------------------------------------------

FakeKernel::FakeKernel(FakeMachine& machine) : m_(machine) {
  m_.on_message = [this](std::uint64_t a, std::uint32_t d) { deliver(a, d); };
}

FakeKernel::~FakeKernel() {
  m_.on_message = nullptr;
  while (!processes_.empty()) processes_.pop_back();  // tasks first, then rings and schemes
}

hal::Task<void> FakeKernel::run_main(FakeProcess* p, hal::ProgramMain main) { p->exit_code = co_await main(*p); }

FakeProcess& FakeKernel::new_process(std::string program, std::vector<std::string> args, unsigned cpu) {
  processes_.push_back(std::make_unique<FakeProcess>(*this, next_pid_++, std::move(program), std::move(args), cpu));
  return *processes_.back();
}

FakeProcess& FakeKernel::start(std::string program, std::vector<std::string> args, hal::ProgramMain main,
                               bool privileged) {
  FakeProcess& p = new_process(program, std::move(args), 0);
  p.privileged = privileged;
  p.executor().spawn(run_main(&p, main), program + " main");
  return p;
}

FakeProcess& FakeKernel::create(std::string program, std::vector<std::string> args) {
  return new_process(std::move(program), std::move(args), 0);
}

FakeProcess* FakeKernel::find(hal::Pid pid) {
  for (auto& p : processes_)
    if (p->pid() == pid) return p.get();
  return nullptr;
}

FakeProcess& FakeKernel::process(hal::Pid pid) {
  FakeProcess* p = find(pid);
  if (p == nullptr) throw std::runtime_error("no process " + std::to_string(pid));
  return *p;
}

FakeScheme* FakeKernel::scheme(std::string_view name) {
  const auto it = schemes_.find(name);
  return it == schemes_.end() ? nullptr : it->second.get();
}

FakeChannel* FakeKernel::channel(hal::Fd fd) {
  const auto it = channels_.find(fd);
  return it == channels_.end() ? nullptr : it->second.get();
}

void FakeKernel::run_until_idle(std::size_t max_rounds) {
  for (std::size_t round = 0; round < max_rounds; ++round) {
    bool ran = false;
    for (std::size_t i = 0; i < processes_.size(); ++i) {
      hal::Executor& ex = processes_[i]->executor();
      if (!ex.has_ready()) continue;
      ex.run_ready();
      ran = true;
    }
    if (!ran) return;
  }
  throw std::runtime_error("run_until_idle: no quiescence");
}

std::vector<std::string> FakeKernel::task_failures() const {
  std::vector<std::string> out;
  for (const auto& p : processes_)
    for (const hal::TaskFailure& f : p->executor_.failures()) out.push_back(p->program_ + ": " + f.what);
  return out;
}

bool FakeKernel::printed_contains(std::string_view text) const {
  for (const std::string& l : printed)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

std::size_t FakeKernel::log_count(std::string_view kind) const {
  std::size_t n = 0;
  for (const LogEvent& e : logs) n += e.kind == kind;
  return n;
}

void FakeKernel::complete(FakeProcess& p, const hal::CqEntry64& cqe) {
  if (!p.kring_producer_->try_complete(cqe)) throw std::runtime_error("fake kernel: kernel CQ full");
  p.kring_->on_completions();
}

void FakeKernel::kernel_enter(FakeProcess& p) {
  hal::SqEntry64 sqe{};
  while (p.kring_producer_->try_take(sqe)) {
    bool deferred = false;
    const hal::CqEntry64 cqe = kernel_request(p, sqe, deferred);
    if (!deferred && !p.kring_producer_->try_complete(cqe)) throw std::runtime_error("fake kernel: kernel CQ full");
  }
  p.kring_->on_completions();
}

hal::CqEntry64 FakeKernel::kernel_request(FakeProcess& p, const hal::SqEntry64& sqe, bool& deferred) {
  const auto answer = [&](std::uint64_t status, std::uint64_t extra = 0) {
    return hal::CqEntry64{sqe.user_data, status, 0, extra};
  };
  const auto fail = [&](int code) { return answer(hal::status_from_errno(code)); };
  switch (static_cast<hal::Opcode>(sqe.opcode)) {
    case hal::Opcode::open: {
      if (sqe.addr > p.kpool_.size || sqe.len > p.kpool_.size - sqe.addr) return fail(hal::errc::fault);
      const std::string path(reinterpret_cast<const char*>(p.kpool_.data + sqe.addr), sqe.len);
      unsigned cpu = 0;
      char tail[8] = {};
      if (std::sscanf(path.c_str(), "irq:cpu-%u/%7s", &cpu, tail) != 2 || std::string(tail) != "new")
        return fail(hal::errc::noent);
      unsigned& next = next_vector_.try_emplace(cpu, kFirstVector).first->second;
      const hal::Fd fd = next_fd_++;
      irqs_[fd] = Irq{p.pid(), cpu, next, 0, std::nullopt};
      return answer(fd, next++);
    }
    case hal::Opcode::read: {
      const auto it = irqs_.find(sqe.fd);
      if (it == irqs_.end() || it->second.pid != p.pid()) return fail(hal::errc::badf);
      Irq& irq = it->second;
      if (irq.count > 0) return answer(std::exchange(irq.count, 0));
      if (irq.waiting) return fail(hal::errc::busy);
      irq.waiting = sqe.user_data;
      deferred = true;
      return {};
    }
    case hal::Opcode::close: {
      if (irqs_.erase(sqe.fd)) return answer(0);
      FakeChannel* c = channel(sqe.fd);
      if (c == nullptr || c->owner != p.pid()) return fail(hal::errc::badf);
      c->client->shut_down();
      return answer(0);
    }
    default: return fail(hal::errc::nosys);
  }
}

void FakeKernel::deliver(std::uint64_t address, std::uint32_t data) {
  messages.push_back({address, data});
  if ((address & ~0xFFFFFULL) != 0xFEE0'0000ULL) return;  // not the MSI window: dropped
  const unsigned cpu = static_cast<unsigned>((address >> 12) & 0xFF), vector = data & 0xFF;
  for (auto& [fd, irq] : irqs_) {
    if (irq.cpu != cpu || irq.vector != vector) continue;
    FakeProcess* p = find(irq.pid);
    if (p == nullptr) return;
    if (irq.waiting) {
      const std::uint64_t ud = *std::exchange(irq.waiting, std::nullopt);
      complete(*p, hal::CqEntry64{ud, 1, 0, 0});
    } else {
      ++irq.count;
    }
    return;
  }
}

}  // namespace fake
