// The same blockbench work on drvsim's own models and on QEMU's (platform:
// qemu), in host time per command, and their ratio. Each workload runs with N
// and 2N commands on each platform; (T(2N) - T(N)) / N is the host time of one
// command without the fixed costs (building the machine, starting QEMU,
// pcid and the driver's bring-up).
//
//   build/bench/bench_qemu [N]     (default N = 1000)
//
// Exit status 1 if any run failed (a process error, a verify mismatch).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

struct Workload {
  const char* name;
  const char* devices;
  const char* path;
  const char* args;  // blockbench arguments but --path and --count
};

const Workload kWorkloads[] = {
    {"nvme randread 4KiB qd1",
     R"(  - { type: nvme, name: nvme0, address: "00:04.0", namespaces: [ { size: 64MiB, lba_size: 512 } ] })",
     "disk.nvme0:1", R"("--pattern", "rand", "--rw", "read", "--bs", "4096", "--qd", "1")"},
    {"nvme randwrite 4KiB qd8 verify",
     R"(  - { type: nvme, name: nvme0, address: "00:04.0", namespaces: [ { size: 64MiB, lba_size: 512 } ] })",
     "disk.nvme0:1", R"("--pattern", "rand", "--rw", "write", "--bs", "4096", "--qd", "8", "--verify")"},
    {"usb-storage randread 16KiB qd1",
     R"(  - { type: xhci, name: xhci0, address: "00:06.0", usb3_ports: 0, usb_devices: [ { type: usb-storage, name: stick, capacity: 64MiB } ] })",
     "disk.usb0:0", R"("--pattern", "rand", "--rw", "read", "--bs", "16384", "--qd", "1")"},
};

// Host seconds for one run; false in *ok if it failed.
double run_once(const Workload& w, const char* platform, unsigned count, bool* ok) {
  const std::string yaml = std::string("platform: ") + platform + R"(
machine: { cpus: 2, memory: 256MiB }
devices:
)" + w.devices + R"(
processes:
  - { program: pcid }
  - { program: blockbench, cpu: 1, args: ["--path", ")" + w.path + R"(", "--count", ")" + std::to_string(count) +
                           "\", " + w.args + R"(] }
run: { duration: 60s }
)";
  const auto sc = sim::scenario::load_string(yaml, "bench_qemu.yaml");
  std::ostringstream out;
  sim::platform::RunOptions o;
  o.out = &out;
  o.log_level = sim::Severity::error;
  const auto t0 = std::chrono::steady_clock::now();  // host time: measurement only
  const bool good = sim::platform::run(sc, o).ok;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!good) {
    std::fprintf(stderr, "bench_qemu: %s on %s with %u commands failed:\n%s", w.name, platform, count, out.str().c_str());
    *ok = false;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned n = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10)) : 1000;
  if (n == 0) {
    std::fprintf(stderr, "usage: bench_qemu [N]\n");
    return 2;
  }
  bool ok = true;
  std::printf("%-32s %14s %14s %8s\n", "workload (host us per command)", "drvsim models", "QEMU models", "ratio");
  for (const Workload& w : kWorkloads) {
    double per[2] = {0, 0};
    const char* platforms[2] = {"sim", "qemu"};
    for (int p = 0; p < 2; ++p) {
      const double t1 = run_once(w, platforms[p], n, &ok);
      const double t2 = run_once(w, platforms[p], 2 * n, &ok);
      per[p] = (t2 - t1) / n * 1e6;
    }
    std::printf("%-32s %14.2f %14.2f %7.2fx\n", w.name, per[0], per[1], per[0] > 0 ? per[1] / per[0] : 0.0);
  }
  std::printf("ratio = QEMU / drvsim host time per command (QEMU: one qtest round trip per register access, "
              "no simulated timing)\n");
  return ok ? 0 : 1;
}
