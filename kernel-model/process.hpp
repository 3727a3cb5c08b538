// A simulated process: an executor of coroutine tasks, a file table, memory
// grants, and its ring to the kernel. It is the kernel model's implementation
// of hal::Sys, the interface driver code is written against.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "kernel-model/files.hpp"

namespace kernel {

class Kernel;
class Cpu;

struct Range {
  std::uint64_t phys = 0, len = 0;
  bool contains(std::uint64_t p, std::uint64_t l) const { return l > 0 && p >= phys && l <= len && p - phys <= len - l; }
};

class Process final : public hal::Sys, private hal::MmioBackend {
 public:
  Process(Kernel& k, hal::Pid pid, std::string program, std::vector<std::string> args, Cpu& cpu, hal::Pid parent);
  ~Process() override;

  // hal::Sys
  hal::Pid pid() const override { return pid_; }
  std::string_view program() const override { return program_; }
  const std::vector<std::string>& args() const override { return args_; }
  unsigned cpu() const override;
  unsigned cpu_count() const override;
  hal::Executor& executor() override { return *exec_; }
  std::uint64_t now_ns() const override;
  hal::Task<void> sleep_ns(std::uint64_t ns) override;
  void print(std::string_view line) override;
  void log(hal::LogLevel level, std::string_view kind, std::string_view message) override;
  hal::Result<hal::DmaBuffer> physalloc(std::size_t bytes) override;
  hal::Result<hal::Mmio> physmap(std::uint64_t phys, std::uint64_t size) override;
  hal::Result<hal::DmaBuffer> grant_view(std::uint64_t phys, std::uint64_t len) override;
  hal::RingClient& kernel_ring() override { return *ring_client_; }
  hal::PoolAllocator& kernel_pool() override { return pool_alloc_; }
  hal::Result<hal::SchemeServer*> register_scheme(std::string_view name) override;
  hal::Result<hal::Channel> attach(std::string_view scheme, std::uint32_t entries, std::size_t pool_bytes) override;
  hal::Result<hal::Pid> spawn(std::string_view program, std::vector<std::string> args, int cpu) override;
  void daemonize() override;
  hal::Result<void> grant_physmap(hal::Pid pid, std::uint64_t phys, std::uint64_t size) override;

  // Kernel side.
  Kernel& kernel() { return k_; }
  Cpu& home() { return cpu_; }
  hal::Pid parent() const { return parent_; }
  bool alive() const { return !exited_; }
  bool is_daemon() const { return daemon_; }
  int exit_code() const { return exit_code_; }
  bool queued = false;  // on its CPU's run queue

  hal::Fd add_fd(std::shared_ptr<OpenFile> f);
  std::shared_ptr<OpenFile> fd(hal::Fd fd) const;
  /// fd() without taking a reference (valid until the fd is closed).
  OpenFile* find_fd(hal::Fd fd) const;
  void remove_fd(hal::Fd fd);
  void add_physmap_grant(Range r) { physmap_grants_.push_back(r); }
  void add_buffer_grant(Range r) { buffer_grants_.push_back(r); }
  void revoke_buffer_grant(Range r);
  bool may_access(std::uint64_t phys, std::uint64_t len) const;

  /// The kernel's side of this process's ring: pending entries and answers.
  hal::RingProducer& ring_producer() { return *ring_producer_; }
  const hal::DmaBuffer& pool() const { return pool_; }
  /// Posts a completion on this process's kernel ring (kept in order on an
  /// overflow list while the CQ is full) and tells the process.
  void post(const hal::CqEntry64& cqe);
  /// Flushes the overflow list into the CQ as the process makes room.
  void flush_overflow();

  void start(hal::ProgramMain main);
  void exit(int code);

 private:
  std::uint64_t mmio_read(std::uint64_t phys, unsigned width) override;
  void mmio_write(std::uint64_t phys, unsigned width, std::uint64_t value) override;
  hal::Task<void> run_main(hal::ProgramMain main);

  Kernel& k_;
  hal::Pid pid_;
  std::string program_;
  std::vector<std::string> args_;
  Cpu& cpu_;
  hal::Pid parent_;
  std::unique_ptr<hal::Executor> exec_;  // destroyed first: its tasks refer to the rest
  std::map<hal::Fd, std::shared_ptr<OpenFile>> fds_;
  hal::Fd next_fd_ = 1;
  std::vector<Range> physmap_grants_;
  std::vector<Range> buffer_grants_;
  std::vector<std::uint64_t> allocations_;  // physalloc'd ranges, freed at exit
  // The kernel ring (user -> kernel) and its pool.
  std::unique_ptr<hal::RingPairStorage> ring_storage_;
  std::optional<hal::RingProducer> ring_producer_;
  std::unique_ptr<hal::RingClient> ring_client_;
  hal::DmaBuffer pool_;
  hal::PoolAllocator pool_alloc_;
  std::deque<hal::CqEntry64> overflow_;
  bool daemon_ = false;
  bool exited_ = false;
  int exit_code_ = 0;
};

}  // namespace kernel
