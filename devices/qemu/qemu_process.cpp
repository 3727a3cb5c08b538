#include "devices/qemu/qemu_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace qemu {

namespace {

std::string errno_text() { return std::strerror(errno); }

bool executable(const std::string& p) { return ::access(p.c_str(), X_OK) == 0; }

// 64 KiB of 0xFF with `cli; hlt; jmp .-1` at the reset vector (0xFFFF0):
// the CPU halts with interrupts off, the machine (and its clock) runs.
void write_halting_firmware(const std::string& path) {
  std::string image(64 * 1024, '\xFF');
  const char reset[] = {'\xFA', '\xF4', '\xEB', '\xFD'};
  std::memcpy(image.data() + 0xFFF0, reset, sizeof reset);
  std::ofstream f(path, std::ios::binary);
  f.write(image.data(), static_cast<std::streamsize>(image.size()));
  if (!f) throw std::runtime_error("cannot write the firmware image " + path);
}

}  // namespace

// ---------------------------------------------------------------- TempDir

TempDir::TempDir(const std::string& prefix) {
  // tmpfs keeps guest RAM and images off the disk; a small one (a container's
  // 64-MiB /dev/shm) would run out under QEMU (SIGBUS): then $TMPDIR or /tmp.
  std::string base = "/dev/shm";
  struct stat st{};
  struct statvfs vfs{};
  const bool roomy = ::statvfs(base.c_str(), &vfs) == 0 &&
                     static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize >= (2ULL << 30);
  if (!roomy || ::stat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || ::access(base.c_str(), W_OK) != 0) {
    const char* t = std::getenv("TMPDIR");
    base = t && *t ? t : "/tmp";
  }
  std::string templ = base + "/" + prefix + "XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("cannot make a directory " + templ + ": " + errno_text());
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

// ---------------------------------------------------------------- QEMU

std::string find_qemu() {
  if (const char* env = std::getenv("DRVSIM_QEMU"); env && *env) {
    if (!executable(env)) throw std::runtime_error(std::string("DRVSIM_QEMU=") + env + " is not an executable");
    return env;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t at = 0;
  while (at <= dirs.size()) {
    const std::size_t colon = dirs.find(':', at);
    const std::string d = dirs.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    const std::string candidate = (d.empty() ? std::string(".") : d) + "/qemu-system-x86_64";
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  throw std::runtime_error("qemu-system-x86_64 not found: install qemu-system-x86");
}

QemuProcess::QemuProcess(const TempDir& dir, QemuConfig config) : dir_(dir), config_(std::move(config)) {
  if (config_.ram_bytes == 0 || config_.ram_bytes % (1ULL << 20) != 0)
    throw std::runtime_error("QEMU guest RAM must be a non-zero multiple of 1 MiB");
  const std::string exe = find_qemu();
  const std::string sock = dir_.file("qtest.sock");
  const std::string ram = dir_.file("ram");
  log_path_ = dir_.file("qemu.log");
  const std::string mib = std::to_string(config_.ram_bytes >> 20) + "M";
  argv_ = {exe,
           "-machine", "q35,memory-backend=ram0",
           "-m", mib,
           "-object", "memory-backend-file,id=ram0,size=" + mib + ",mem-path=" + ram + ",share=on",
           "-accel", "tcg",
           "-qtest", "unix:" + sock,
           "-qtest-log", "/dev/null",
           "-display", "none",
           "-nodefaults",
           "-no-reboot",
           "-monitor", "none",
           "-serial", "none"};
  if (config_.clock_running) {
    const std::string fw = dir_.file("halt.bin");
    write_halting_firmware(fw);
    argv_.insert(argv_.end(), {"-bios", fw});
  } else {
    argv_.push_back("-S");
  }
  argv_.insert(argv_.end(), config_.device_args.begin(), config_.device_args.end());

  QtestListener listener(sock);
  std::vector<char*> cargv;
  for (std::string& a : argv_) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("cannot create " + log_path_ + ": " + errno_text());
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(log_fd);
    throw std::runtime_error("cannot start QEMU: fork(): " + errno_text());
  }
  if (pid_ == 0) {
    // The child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with drvsim, however drvsim ends
    // QEMU's main loop sleeps in ppoll() until its next timer; the default
    // 50-us timer slack (inherited across exec) would add to every command.
    ::prctl(PR_SET_TIMERSLACK, 1000UL);
    if (::getppid() != parent) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  try {
    const int fd = listener.accept(config_.connect_timeout, [this] { return alive(); });
    qtest_ = std::make_unique<QtestClient>(fd);
    qtest_->set_timeout(config_.reply_timeout);
    // QEMU creates the RAM file once it has connected: one round trip first.
    qtest_->command("endianness");
    ram_fd_ = ::open(ram.c_str(), O_RDWR | O_CLOEXEC);
    if (ram_fd_ < 0) throw std::runtime_error("cannot open QEMU's RAM file " + ram + ": " + errno_text());
    ::unlink(ram.c_str());  // both sides hold it open; nothing is left behind
    struct stat st{};
    if (::fstat(ram_fd_, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < config_.ram_bytes)
      throw std::runtime_error("QEMU's RAM file " + ram + " is smaller than " + mib);
  } catch (const std::exception& e) {
    const std::string tail = log_tail();
    stop();
    throw std::runtime_error(std::string("starting QEMU: ") + e.what() + (tail.empty() ? "" : "\nQEMU said:\n" + tail));
  }
}

QemuProcess::~QemuProcess() { stop(); }

void QemuProcess::stop() {
  qtest_.reset();  // closing the socket does not make QEMU exit: kill it
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (ram_fd_ >= 0) {
    ::close(ram_fd_);
    ram_fd_ = -1;
  }
}

bool QemuProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string QemuProcess::log_tail() const {
  std::ifstream f(log_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  if (s.size() > 2000) s = "..." + s.substr(s.size() - 2000);
  return s;
}

}  // namespace qemu
