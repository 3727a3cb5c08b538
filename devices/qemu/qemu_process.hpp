// One qemu-system-x86_64 process driven over qtest, owned RAII-style: the
// constructor starts it (private directory, socket and RAM file), the
// destructor kills it and removes everything it made, on every exit path.
//
// The machine is a q35 with no firmware of ours running drivers: either
// stopped (-S: the virtual clock is frozen) or running a 64-KiB image whose
// reset vector is `cli; hlt; jmp .-1` (the clock runs, nothing touches the
// devices). Guest RAM is a memory-backend-file shared with us, so DMA buffers
// are visible to both sides without copies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/qemu/qtest_client.hpp"

namespace qemu {

/// A private directory removed with everything in it by the destructor.
class TempDir {
 public:
  /// Under /dev/shm when it has 2 GiB free, else $TMPDIR or /tmp (the RAM
  /// file and the images live here; any file system that can be mapped shared works).
  explicit TempDir(const std::string& prefix = "drvsim-qemu-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct QemuConfig {
  std::uint64_t ram_bytes = 256ULL << 20;
  /// Device options (-drive, -device ...), appended to the command line.
  std::vector<std::string> device_args;
  /// Run the halting firmware so the virtual clock runs (else -S).
  bool clock_running = true;
  std::chrono::milliseconds connect_timeout{15000};
  std::chrono::milliseconds reply_timeout{10000};
};

/// The QEMU executable: $DRVSIM_QEMU if set, else qemu-system-x86_64 on PATH.
/// Throws std::runtime_error("qemu-system-x86_64 not found: install
/// qemu-system-x86") when there is none.
std::string find_qemu();

class QemuProcess {
 public:
  /// Starts QEMU in `dir` (which also holds the caller's disk images).
  QemuProcess(const TempDir& dir, QemuConfig config);
  ~QemuProcess();
  QemuProcess(const QemuProcess&) = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  QtestClient& qtest() { return *qtest_; }
  /// The guest RAM file, open (already unlinked): map it MAP_SHARED.
  int ram_fd() const { return ram_fd_; }
  std::uint64_t ram_bytes() const { return config_.ram_bytes; }
  pid_t pid() const { return pid_; }
  const std::vector<std::string>& command_line() const { return argv_; }
  /// The last lines QEMU wrote to stdout/stderr (for error messages).
  std::string log_tail() const;
  /// True while the process has not exited.
  bool alive();

 private:
  void stop();
  const TempDir& dir_;
  QemuConfig config_;
  std::vector<std::string> argv_;
  std::string log_path_;
  pid_t pid_ = -1;
  int ram_fd_ = -1;
  std::unique_ptr<QtestClient> qtest_;
};

}  // namespace qemu
