// The same blockbench work on drvsim's own models and on QEMU's (platform:
// qemu), in host time per command, and their ratio. Each workload runs with N
// and 2N commands on each platform; (T(2N) - T(N)) / N is the host time of one
// command without the fixed costs (building the machine, starting QEMU,
// pcid and the driver's bring-up). Two clocks: CPU time (this process's, plus
// the QEMU child's, reaped at the end of each run: steady on a loaded host)
// and wall-clock time (what a user waits, QEMU's latency included).
//
// Each run is repeated R times and the fastest kept (noise on a shared host
// only ever adds time).
//
//   build/bench/bench_qemu [N [R]]     (default N = 2000, R = 3)
//
// Exit status 1 if any run failed (a process error, a verify mismatch).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
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

struct Cost {
  double wall = 0, cpu = 0;  // seconds
};

double self_cpu() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double children_cpu() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Host time of one run; false in *ok if it failed.
Cost run_once(const Workload& w, const char* platform, unsigned count, bool* ok) {
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
  const double c0 = self_cpu() + children_cpu();
  const bool good = sim::platform::run(sc, o).ok;
  Cost s;
  s.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.cpu = self_cpu() + children_cpu() - c0;
  if (!good) {
    std::fprintf(stderr, "bench_qemu: %s on %s with %u commands failed:\n%s", w.name, platform, count, out.str().c_str());
    *ok = false;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned n = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10)) : 2000;
  const unsigned reps = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 3;
  if (n == 0 || reps == 0) {
    std::fprintf(stderr, "usage: bench_qemu [N [R]]\n");
    return 2;
  }
  bool ok = true;
  std::printf("%-32s %-5s %14s %14s %8s\n", "workload (host us per command)", "clock", "drvsim models", "QEMU models",
              "ratio");
  for (const Workload& w : kWorkloads) {
    Cost per[2];
    const char* platforms[2] = {"sim", "qemu"};
    for (int p = 0; p < 2; ++p) {
      auto fastest = [&](unsigned count) {
        Cost best = run_once(w, platforms[p], count, &ok);
        for (unsigned r = 1; r < reps; ++r) {
          const Cost c = run_once(w, platforms[p], count, &ok);
          best.cpu = std::min(best.cpu, c.cpu);
          best.wall = std::min(best.wall, c.wall);
        }
        return best;
      };
      const Cost t1 = fastest(n);
      const Cost t2 = fastest(2 * n);
      per[p].cpu = (t2.cpu - t1.cpu) / n * 1e6;
      per[p].wall = (t2.wall - t1.wall) / n * 1e6;
    }
    std::printf("%-32s %-5s %14.2f %14.2f %7.2fx\n", w.name, "cpu", per[0].cpu, per[1].cpu,
                per[0].cpu > 0 ? per[1].cpu / per[0].cpu : 0.0);
    std::printf("%-32s %-5s %14.2f %14.2f %7.2fx\n", "", "wall", per[0].wall, per[1].wall,
                per[0].wall > 0 ? per[1].wall / per[0].wall : 0.0);
  }
  std::printf("ratio = QEMU / drvsim host time per command (cpu: drvsim's process plus the QEMU process; "
              "QEMU: one qtest round trip per register access, no simulated timing)\n");
  return ok ? 0 : 1;
}
