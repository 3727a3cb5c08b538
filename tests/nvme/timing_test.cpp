// Timing figures of the default profile (a PCIe 3.0 x4 TLC client SSD),
// measured bare metal the way fio would on a real drive: QD1 4 KiB random
// read latency, QD32 4 KiB random read IOPS, 128 KiB sequential read and
// write bandwidth at QD32, and the host cost of simulating a command.
// docs/devices/nvme.md lists the expected and measured figures.
#include <time.h>

#include <cstdio>

#include "nvme_machine.hpp"
#include "sim/core/rng.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {

struct Load {
  std::uint8_t opcode = io::kRead;
  std::uint32_t bytes = 4096;
  bool random = true;
  unsigned queues = 1;
  unsigned depth = 1;  // per queue
  unsigned total = 1000;
};

struct Result {
  double iops = 0, mb_per_s = 0, mean_latency_us = 0;
  double host_ns_per_command = 0;
  double actions_per_command = 0;
};

NvmeParams timing_params() {
  NvmeParams p;
  p.namespaces = {NamespaceParams{1, 256ULL << 30, 4096, {}}};  // sparse: unwritten blocks cost nothing
  return p;
}

// Keeps `depth` commands outstanding on each queue until `total` completed.
// Interrupt driven: on each interrupt the host reaps every CQE, resubmits,
// and rings each doorbell once.
// Host CPU time of this process (the simulation runs in one OS thread; wall
// time would count other processes sharing the machine).
double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

Result run_load(Machine& m, const Load& l) {
  std::vector<HostQueue*> qs;
  for (unsigned i = 0; i < l.queues; ++i) qs.push_back(&m.create_io(static_cast<std::uint16_t>(i + 1), 1024, static_cast<std::uint16_t>(i + 1)));
  const std::uint32_t nlb = l.bytes / 4096;
  const std::uint64_t blocks = (256ULL << 30) / 4096;
  sim::RngStream rng(7, "nvme-timing");
  std::uint64_t next_lba = 0;
  std::vector<std::vector<Machine::Buffer>> bufs(l.queues);
  for (auto& b : bufs)
    for (unsigned i = 0; i < l.depth; ++i) b.push_back(m.buffer(l.bytes));
  std::vector<std::vector<sim::Picos>> started(l.queues, std::vector<sim::Picos>(65536, 0));
  std::vector<std::vector<unsigned>> slot_of(l.queues, std::vector<unsigned>(65536, 0));
  unsigned submitted = 0, completed = 0;
  double latency_sum = 0;
  auto submit = [&](unsigned qi, unsigned slot) {
    const std::uint64_t lba = l.random ? rng.uniform(blocks / nlb) * nlb : (next_lba += nlb) - nlb;
    const Machine::Buffer& b = bufs[qi][slot];
    const std::uint16_t cid = m.push(*qs[qi], Machine::rw_cmd(l.opcode, 1, lba, nlb, b.prp1, b.prp2), false);
    started[qi][cid] = sim::now();
    slot_of[qi][cid] = slot;
    ++submitted;
  };
  m.keep_irqs = false;
  const double cpu0 = cpu_ns();
  const std::uint64_t actions0 = m.ctrl->actions_dispatched();
  const sim::Picos t0 = sim::now();
  for (unsigned qi = 0; qi < l.queues; ++qi) {
    for (unsigned s = 0; s < l.depth && submitted < l.total; ++s) submit(qi, s);
    m.ring(*qs[qi]);
  }
  while (completed < l.total) {
    // A plain event wait: a wait with a timeout would leave a cancelled timed
    // notification in the kernel's queue per call. run()'s limit is the watchdog.
    sc_core::wait(m.irq_event);
    for (unsigned qi = 0; qi < l.queues; ++qi) {
      HostQueue& q = *qs[qi];
      bool any = false;
      while (auto c = m.pop(q, false)) {
        any = true;
        EXPECT_TRUE(is(*c, kSuccess));
        ++completed;
        latency_sum += static_cast<double>(sim::now() - started[qi][c->cid]);
        if (submitted < l.total) submit(qi, slot_of[qi][c->cid]);
      }
      if (any) {
        m.wr(m.cq_doorbell(q.qid), q.cq_head);
        m.ring(q);
      }
    }
  }
  const double secs = static_cast<double>(sim::now() - t0) / 1e12;
  const double host_ns = cpu_ns() - cpu0;
  Result r;
  r.iops = l.total / secs;
  r.mb_per_s = r.iops * l.bytes / 1e6;
  r.mean_latency_us = latency_sum / l.total / 1e6;
  r.host_ns_per_command = host_ns / l.total;
  r.actions_per_command = static_cast<double>(m.ctrl->actions_dispatched() - actions0) / l.total;
  return r;
}

Result measure(const Load& l) {
  Machine m(timing_params());
  Result r;
  m.run([&] {
    m.pci_enable();
    // Max_Payload_Size 256 bytes, as firmware sets it for a Gen3 client root port.
    const std::uint16_t pcie = m.cap_offset(pci::kCapIdPciExpress);
    m.cfg_write(pcie + pci::kPcieDeviceControl, (m.cfg_read(pcie + pci::kPcieDeviceControl, 2) & ~0xE0u) | (1u << 5), 2);
    m.msix_enable();
    ASSERT_TRUE(m.enable_controller());
    r = run_load(m, l);
  }, sim::sec(10));
  return r;
}

void print(const char* what, const Result& r) {
  std::printf("[nvme timing] %-34s %9.0f IOPS %8.1f MB/s  mean latency %7.1f us  host CPU %6.0f ns/cmd  %.2f actions/cmd\n",
              what, r.iops, r.mb_per_s, r.mean_latency_us, r.host_ns_per_command, r.actions_per_command);
}

}  // namespace

TEST(NvmeTiming, Qd1RandomReadLatency) {
  const Result r = measure(Load{io::kRead, 4096, true, 1, 1, 2000});
  print("4 KiB random read QD1", r);
  EXPECT_GT(r.mean_latency_us, 60.0);
  EXPECT_LT(r.mean_latency_us, 110.0);
}

TEST(NvmeTiming, Qd32RandomReadIops) {
  const Result r = measure(Load{io::kRead, 4096, true, 1, 32, 40000});
  print("4 KiB random read QD32", r);
  EXPECT_GT(r.iops, 250'000.0);
  EXPECT_LT(r.iops, 600'000.0);
  EXPECT_LT(r.actions_per_command, 4.0);  // the event budget: a handful per command
}

TEST(NvmeTiming, Qd128RandomReadIopsIsDieLimited) {
  const Result r = measure(Load{io::kRead, 4096, true, 4, 32, 40000});
  print("4 KiB random read QD128 (4x32)", r);
  EXPECT_GT(r.iops, 300'000.0);
  EXPECT_LT(r.iops, 650'000.0);
}

TEST(NvmeTiming, SequentialReadBandwidth) {
  const Result r = measure(Load{io::kRead, 128 * 1024, false, 1, 32, 3000});
  print("128 KiB sequential read QD32", r);
  EXPECT_GT(r.mb_per_s, 2'500.0);
  EXPECT_LT(r.mb_per_s, 3'940.0);  // PCIe 3.0 x4 after encoding
}

TEST(NvmeTiming, SequentialWriteBurstThenSustained) {
  // 256 MiB: the first 64 MiB land in the write buffer at link speed, the rest at program speed.
  const Result r = measure(Load{io::kWrite, 128 * 1024, false, 1, 32, 2048});
  print("128 KiB sequential write QD32 256 MiB", r);
  EXPECT_GT(r.mb_per_s, 1'000.0);
  EXPECT_LT(r.mb_per_s, 3'500.0);
}
