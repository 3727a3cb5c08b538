// A fake kernel for driver tests: processes that implement hal::Sys, each
// with its own hal::Executor the test drives (run_until_idle), a kernel ring
// serving Open/Read/Close for the irq scheme ("irq:cpu-N/new"), schemes with
// accept(), user -> user rings (attach) built from hal::RingPairStorage with
// RingClient and RingServer kicking each other, physmap checked against
// grants, physalloc from the fake machine's RAM, spawn recorded (and, for
// registered programs, run). Everything happens synchronously; nothing is
// timed except what the fake machine does.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/ring_pair.hpp"
#include "drivers/hal/sys.hpp"
#include "tests/drivers/fake_machine.hpp"

namespace fake {

class FakeKernel;

/// A user -> user ring and its pool.
struct FakeChannel {
  std::optional<hal::RingPairStorage> storage;
  hal::DmaBuffer pool;
  std::unique_ptr<hal::RingClient> client;
  std::unique_ptr<hal::RingServer> server;
  hal::Pid owner = 0;
};

class FakeScheme : public hal::SchemeServer {
 public:
  explicit FakeScheme(std::string name);
  std::string_view name() const override { return name_; }
  hal::RingServer& requests() override { return *requests_server; }
  hal::Task<hal::Result<hal::Connection>> accept() override;

  hal::Mailbox<hal::Connection> connections;
  // The kernel -> user ring of forwarded requests; tests submit on the client.
  std::optional<hal::RingPairStorage> requests_storage;
  std::unique_ptr<hal::RingClient> requests_client;
  std::unique_ptr<hal::RingServer> requests_server;

 private:
  std::string name_;
};

class FakeProcess : public hal::Sys {
 public:
  FakeProcess(FakeKernel& kernel, hal::Pid pid, std::string program, std::vector<std::string> args, unsigned cpu);
  ~FakeProcess() override;

  hal::Pid pid() const override { return pid_; }
  std::string_view program() const override { return program_; }
  const std::vector<std::string>& args() const override { return args_; }
  unsigned cpu() const override { return cpu_; }
  unsigned cpu_count() const override { return 4; }
  hal::Executor& executor() override { return executor_; }
  std::uint64_t now_ns() const override;
  hal::Task<void> sleep_ns(std::uint64_t ns) override;
  void print(std::string_view line) override;
  void log(hal::LogLevel level, std::string_view kind, std::string_view message) override;
  hal::Result<hal::DmaBuffer> physalloc(std::size_t bytes) override;
  hal::Result<hal::Mmio> physmap(std::uint64_t phys, std::uint64_t size) override;
  hal::Result<hal::DmaBuffer> grant_view(std::uint64_t phys, std::uint64_t len) override;
  hal::RingClient& kernel_ring() override { return *kring_; }
  hal::PoolAllocator& kernel_pool() override { return kpool_alloc_; }
  hal::Result<hal::SchemeServer*> register_scheme(std::string_view name) override;
  hal::Result<hal::Channel> attach(std::string_view scheme, std::uint32_t entries, std::size_t pool_bytes) override;
  hal::Result<hal::Pid> spawn(std::string_view program, std::vector<std::string> args, int cpu) override;
  void daemonize() override { daemon = true; }
  hal::Result<void> grant_physmap(hal::Pid pid, std::uint64_t phys, std::uint64_t size) override;

  std::optional<int> exit_code;
  bool daemon = false;
  bool privileged = false;

 private:
  friend class FakeKernel;
  FakeKernel& k_;
  hal::Pid pid_;
  std::string program_;
  std::vector<std::string> args_;
  unsigned cpu_;
  // The kernel ring (declared before the executor: tasks die first).
  std::optional<hal::RingPairStorage> kring_storage_;
  hal::DmaBuffer kpool_;
  hal::PoolAllocator kpool_alloc_;
  std::unique_ptr<hal::RingClient> kring_;
  std::optional<hal::RingProducer> kring_producer_;
  hal::Executor executor_;
};

class FakeKernel {
 public:
  explicit FakeKernel(FakeMachine& machine);
  ~FakeKernel();

  FakeMachine& machine() { return m_; }

  /// A process running `main`; privileged ones may grant physmap.
  FakeProcess& start(std::string program, std::vector<std::string> args, hal::ProgramMain main,
                     bool privileged = false);
  /// A process with no main: the test runs tasks in it.
  FakeProcess& create(std::string program, std::vector<std::string> args = {});
  FakeProcess& process(hal::Pid pid);
  FakeProcess* find(hal::Pid pid);
  /// Programs spawn() runs; others are only recorded (a process without a
  /// main), unless fail_unknown_programs.
  void register_program(std::string name, hal::ProgramMain main) { programs_[std::move(name)] = main; }
  bool run_spawned = true;
  bool fail_unknown_programs = false;

  /// Runs every ready task of every process until none is ready.
  void run_until_idle(std::size_t max_rounds = 10'000'000);
  /// Failures recorded by any executor.
  std::vector<std::string> task_failures() const;

  /// Runs `task` in process `p` until the system is idle; its result.
  template <class T>
  T run(FakeProcess& p, hal::Task<T> task) {
    std::optional<T> out;
    p.executor().spawn(store(std::move(task), &out), "test task");
    run_until_idle();
    if (!out) throw std::runtime_error("test task did not finish");
    return std::move(*out);
  }

  struct SpawnCall {
    hal::Pid parent;
    std::string program;
    std::vector<std::string> args;
    int cpu;
    hal::Pid pid;
  };
  struct Grant {
    hal::Pid pid;
    std::uint64_t phys, size;
  };
  struct LogEvent {
    hal::Pid pid;
    hal::LogLevel level;
    std::string kind, message;
  };
  struct Message {
    std::uint64_t address;
    std::uint32_t data;
  };
  std::vector<SpawnCall> spawns;
  std::vector<Grant> grants;
  std::vector<std::string> printed;
  std::vector<LogEvent> logs;
  std::vector<Message> messages;  // MSI/MSI-X messages the machine sent

  bool printed_contains(std::string_view text) const;
  std::size_t log_count(std::string_view kind) const;
  void grant(hal::Pid pid, std::uint64_t phys, std::uint64_t size) { grants.push_back({pid, phys, size}); }
  FakeScheme* scheme(std::string_view name);
  FakeChannel* channel(hal::Fd fd);

 private:
  friend class FakeProcess;
  template <class T>
  static hal::Task<void> store(hal::Task<T> task, std::optional<T>* out) {
    out->emplace(co_await task);
  }
  static hal::Task<void> run_main(FakeProcess* p, hal::ProgramMain main);

  FakeProcess& new_process(std::string program, std::vector<std::string> args, unsigned cpu);
  void kernel_enter(FakeProcess& p);
  hal::CqEntry64 kernel_request(FakeProcess& p, const hal::SqEntry64& sqe, bool& deferred);
  void deliver(std::uint64_t address, std::uint32_t data);
  void complete(FakeProcess& p, const hal::CqEntry64& cqe);

  struct Irq {
    hal::Pid pid;
    unsigned cpu, vector;
    std::uint64_t count = 0;
    std::optional<std::uint64_t> waiting;  // user_data of a parked Read
  };

  FakeMachine& m_;
  std::map<std::string, hal::ProgramMain, std::less<>> programs_;
  std::map<std::string, std::unique_ptr<FakeScheme>, std::less<>> schemes_;
  std::map<hal::Fd, std::unique_ptr<FakeChannel>> channels_;
  std::map<hal::Fd, Irq> irqs_;
  std::map<unsigned, unsigned> next_vector_;  // per CPU
  hal::Fd next_fd_ = 3;
  hal::Pid next_pid_ = 1;
  // Last: destroyed first, so tasks die before the rings they wait on.
  std::deque<std::unique_ptr<FakeProcess>> processes_;
};

}  // namespace fake
