// End to end: pcid (privileged) enumerates the NVMe model and spawns nvmed,
// which brings the controller up and serves disk.nvme0; blockbench runs
// workloads on it through the kernel ring. Everything is simulated time.
#include <gtest/gtest.h>

#include <cstring>

#include "drivers/hal/file.hpp"
#include "tests/nvmed/nvmed_machine.hpp"

using namespace nvmedtest;

namespace {

std::string dump(const Machine& m) { return m.all_printed() + m.warnings_and_errors(); }

}  // namespace

TEST(NvmedE2E, IdentifyAndQueuesArePrinted) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.run();
  EXPECT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_TRUE(m.printed_has("nvmed 00:02.0: \"drvsim NVMe SSD\" serial DRVSIM-NVME-0001 firmware 1.0, NVMe 1.4"))
      << dump(m);
  EXPECT_TRUE(m.printed_has("MDTS 512 KiB, 2 namespaces")) << dump(m);
  EXPECT_TRUE(m.printed_has("namespace 1: 131072 blocks x 512 B = 64 MiB")) << dump(m);
  EXPECT_TRUE(m.printed_has("namespace 2: 16384 blocks x 4096 B = 64 MiB")) << dump(m);
  EXPECT_TRUE(m.printed_has("2 I/O queue pairs x 256 entries on MSI-X")) << dump(m);
  EXPECT_TRUE(m.printed_has("serving disk.nvme0")) << dump(m);
  EXPECT_EQ(m.ctrl->csts() & 1u, 1u);  // CSTS.RDY
  EXPECT_EQ(m.count("nvmed", "nvmed.queue.created"), 2u);
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u) << dump(m);
}

TEST(NvmedE2E, Qd1RandomReads) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--pattern", "rand", "--rw", "read", "--bs", "4096", "--qd", "1",
                         "--count", "200"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.ops"), 200);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  const double p50 = m.result("blockbench.read_p50_us");
  // tR 60 us + firmware + PCIe + kernel and driver path.
  EXPECT_GT(p50, 60.0);
  EXPECT_LT(p50, 150.0);
  std::printf("%s\n", m.printed.back().c_str());
}

TEST(NvmedE2E, TimedRunStopsIssuingAtTheDuration) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench", {"--rw", "mix", "--qd", "4", "--time", "2ms"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_GT(m.result("blockbench.ops"), 50);
  EXPECT_GE(m.result("blockbench.elapsed_us"), 2000);
  EXPECT_LT(m.result("blockbench.elapsed_us"), 2000 + 1000);  // the last requests finish after it
  EXPECT_GT(m.result("blockbench.read_ops"), 0);
  EXPECT_GT(m.result("blockbench.write_ops"), 0);
}

TEST(NvmedE2E, Qd32RandomReadsScaleWithQueueDepth) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench", {"--rw", "read", "--bs", "4096", "--qd", "32", "--count", "3000", "--seed", "7"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.ops"), 3000);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  // 32 dies behind 8 channels: far above QD1's ~12.8k IOPS.
  EXPECT_GT(m.result("blockbench.iops"), 150000);
  EXPECT_GT(m.result("blockbench.read_p99_us"), m.result("blockbench.read_p50_us") - 0.001);
  std::printf("%s\n", m.printed.back().c_str());
}

TEST(NvmedE2E, SequentialWrites128KiB) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench",
          {"--pattern", "seq", "--rw", "write", "--bs", "128KiB", "--qd", "8", "--count", "400", "--fsync"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.write_ops"), 400);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  // PCIe 3.0 x4 moves ~3.5 GB/s; writes land in the DRAM buffer.
  EXPECT_GT(m.result("blockbench.bw_mbps"), 1000);
  EXPECT_LT(m.result("blockbench.bw_mbps"), 4000);
  EXPECT_GT(m.result("blockbench.fsync_us"), 0);
  std::printf("%s\n", m.printed.back().c_str());
}

TEST(NvmedE2E, VerifyOnTwoNamespacesWith512And4096ByteBlocks) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--rw", "mix", "--mix-read-percent", "60", "--bs", "8KiB", "--qd",
                         "16", "--count", "1500", "--size", "4MiB", "--verify", "--seed", "3", "--label", "ns1"},
          0);
  m.spawn("blockbench", {"--path", "disk.nvme0:2", "--rw", "mix", "--bs", "16KiB", "--qd", "16", "--count", "1500",
                         "--size", "8MiB", "--offset", "1MiB", "--verify", "--seed", "4", "--label", "ns2"},
          1);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  for (const char* l : {"ns1", "ns2"}) {
    const std::string p(l);
    EXPECT_EQ(m.result(p + ".errors"), 0) << p;
    EXPECT_EQ(m.result(p + ".verify_mismatches"), 0) << p;
    EXPECT_GT(m.result(p + ".verified_blocks"), 1000) << p;  // reads of the run and the read-back
    EXPECT_GT(m.result(p + ".write_ops"), 0) << p;
  }
  // Nothing went through a bounce buffer: aligned requests DMA straight into the caller's buffer.
  EXPECT_EQ(m.count("nvmed", "nvmed.bounce"), 0u);
}

TEST(NvmedE2E, FourCpusGetFourQueuesEachUsed) {
  nvme::NvmeParams p = two_namespaces();
  p.trace_io = true;  // nvme.fetch events name the SQ
  Machine m(p, 4);
  m.pcid();
  for (unsigned cpu = 0; cpu < 4; ++cpu)
    m.spawn("blockbench",
            {"--rw", "read", "--qd", "4", "--count", "100", "--seed", std::to_string(cpu + 1), "--label",
             "cpu" + std::to_string(cpu)},
            cpu);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_TRUE(m.printed_has("4 I/O queue pairs x 256 entries on MSI-X")) << dump(m);
  std::map<std::uint64_t, std::size_t> fetched;  // by SQ ID
  for (const Event& e : m.events)
    if (e.kind == "nvme.fetch") ++fetched[e.numbers.at("sqid")];
  for (std::uint64_t q = 1; q <= 4; ++q) EXPECT_EQ(fetched[q], 100u) << "sqid " << q;
  // Each queue's completions interrupt the CPU that queue serves.
  std::map<std::uint64_t, std::uint64_t> irq_cpu;  // MSI-X entry -> CPU, as nvmed routed it
  for (const Event& e : m.events)
    if (e.kind == "nvmed.irq") {
      const auto at = [&](const char* key) {
        const auto k = e.msg.find(key);
        return std::stoull(e.msg.substr(k + std::string(key).size()));
      };
      irq_cpu[at("entry=")] = at("cpu=");
    }
  for (std::uint64_t entry = 1; entry <= 4; ++entry) EXPECT_EQ(irq_cpu[entry], entry - 1);
  for (unsigned cpu = 0; cpu < 4; ++cpu) {
    EXPECT_EQ(m.result("cpu" + std::to_string(cpu) + ".errors"), 0);
    EXPECT_GE(m.irqc.delivered(cpu, cpu == 0 ? 65 : 64), 25u) << "cpu " << cpu;
  }
}

TEST(NvmedE2E, UnalignedIoGoesThroughBounceBuffers) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  // 1000-byte requests at odd offsets: neighbours share blocks, so the
  // read-modify-writes must not undo each other.
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--pattern", "seq", "--rw", "write", "--bs", "1000", "--offset",
                         "100", "--qd", "8", "--count", "300", "--verify", "--label", "ns1"},
          0);
  m.spawn("blockbench", {"--path", "disk.nvme0:2", "--pattern", "rand", "--rw", "mix", "--bs", "3000", "--offset",
                         "777", "--size", "600000", "--qd", "8", "--count", "300", "--verify", "--label", "ns2"},
          1);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  for (const char* l : {"ns1", "ns2"}) {
    const std::string p(l);
    EXPECT_EQ(m.result(p + ".errors"), 0) << p;
    EXPECT_EQ(m.result(p + ".verify_mismatches"), 0) << p;
    EXPECT_GT(m.result(p + ".verified_blocks"), 150) << p;
  }
  EXPECT_GT(m.count("nvmed", "nvmed.bounce"), 600u);
}

TEST(NvmedE2E, LargeRequestsAreSplitAtMdts) {
  Machine m(two_namespaces(), 2);  // MDTS 7: 512 KiB
  m.pcid();
  m.spawn("blockbench", {"--path", "disk.nvme0:2", "--pattern", "seq", "--rw", "write", "--bs", "1MiB", "--qd", "2",
                         "--count", "16", "--verify"});
  const std::uint64_t before = 0;
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_EQ(m.result("blockbench.verify_mismatches"), 0);
  EXPECT_EQ(m.result("blockbench.verified_blocks"), 16);
  // 16 writes and 16 read-backs of 1 MiB, two commands each, and no
  // command over 512 KiB (the model fails those with Invalid Field).
  EXPECT_GE(m.ctrl->commands_completed() - before, 64u);
  EXPECT_EQ(m.ctrl->error_count(), 0u);
}

TEST(NvmedE2E, ErrorsAreReportedNotCrashed) {
  Machine m(two_namespaces(), 2);
  m.pcid();
  m.spawn("blockbench", {"--path", "disk.nvme0:9", "--count", "1", "--label", "nons"});
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--offset", "1GiB", "--count", "1", "--label", "beyond"});
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--offset", "67106816", "--bs", "4096", "--count", "1",
                         "--label", "small"});
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--count", "50", "--label", "fine"}, 1);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.printed_has("blockbench: FAILED: open disk.nvme0:9")) << dump(m);
  EXPECT_TRUE(m.printed_has("beyond the device")) << dump(m);
  EXPECT_TRUE(m.printed_has("the region (2048 bytes) is smaller than --bs")) << dump(m);
  EXPECT_EQ(m.result("fine.errors"), 0);
  // Three blockbench failed (exit 1); nvmed and pcid did not.
  ASSERT_EQ(m.failures().size(), 3u) << dump(m);
  for (const auto& f : m.failures()) EXPECT_NE(f.find("blockbench"), std::string::npos) << f;
  EXPECT_EQ(m.count("kernel", "crashed"), 0u);
  EXPECT_EQ(m.count("nvmed", "crashed"), 0u);
}

TEST(NvmedE2E, FullQueuesMakeSubmittersWait) {
  Machine m(two_namespaces(), 2);
  m.pcid({"class=01 subclass=08 -> nvmed --queue-entries 4 --queues 1"});
  m.spawn("blockbench", {"--rw", "mix", "--qd", "24", "--count", "600", "--verify", "--size", "2MiB"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_TRUE(m.printed_has("1 I/O queue pair x 4 entries")) << dump(m);
  EXPECT_GT(m.count("nvmed", "nvmed.sq_full"), 100u);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  EXPECT_EQ(m.result("blockbench.verify_mismatches"), 0);
}

TEST(NvmedE2E, MsiWhenMsixIsNotWanted) {
  Machine m(two_namespaces(), 2);
  m.pcid({"class=01 subclass=08 -> nvmed --no-msix"});
  m.spawn("blockbench", {"--rw", "mix", "--qd", "8", "--count", "300", "--verify", "--size", "1MiB"});
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_TRUE(m.printed_has("on MSI")) << dump(m);
  EXPECT_EQ(m.result("blockbench.errors"), 0);
  EXPECT_EQ(m.result("blockbench.verify_mismatches"), 0);
}

TEST(NvmedE2E, SameRunSameResults) {
  std::map<std::string, double> first;
  sim::Digest d1, d2;
  {
    Machine m(two_namespaces(), 2);
    m.pcid();
    m.spawn("blockbench", {"--rw", "mix", "--qd", "8", "--count", "300"});
    m.run();
    first = m.results();
    d1 = m.trace.digest();
  }
  {
    Machine m(two_namespaces(), 2);
    m.pcid();
    m.spawn("blockbench", {"--rw", "mix", "--qd", "8", "--count", "300"});
    m.run();
    EXPECT_EQ(m.results(), first);
    d2 = m.trace.digest();
  }
  EXPECT_EQ(d1, d2);
}

namespace {

std::vector<std::string> g_probe;  // what went wrong in scheme_probe

#define PROBE(cond)                                                     \
  do {                                                                  \
    if (!(cond)) g_probe.push_back(std::string(#cond) + " (line " + std::to_string(__LINE__) + ")"); \
  } while (0)

hal::Task<hal::Result<std::uint64_t>> plain(hal::Sys& sys, hal::Opcode op, hal::Fd fd, std::uint64_t off,
                                             std::uint64_t len) {
  co_return co_await sys.kernel_ring().call_status(hal::make_sqe(op, fd, off, len));
}

/// The disk scheme's semantics, request by request.
hal::Task<int> scheme_probe(hal::Sys& sys) {
  const hal::Result<hal::Fd> root = co_await hal::open_when_ready(sys, "disk.nvme0:");
  PROBE(root.has_value());
  if (!root) co_return 1;
  hal::PoolAllocator& pool = sys.kernel_pool();
  std::uint8_t* base = sys.kernel_ring().pool().data;
  const std::uint64_t buf = pool.alloc(3 * 4096, 4096).value();
  // The root lists the namespaces.
  hal::Result<std::uint64_t> n = co_await hal::pread(sys, *root, buf, 64, 0);
  PROBE(n && *n == 4 && std::memcmp(base + buf, "1\n2\n", 4) == 0);
  hal::Result<hal::Stat> st = co_await hal::fstat(sys, *root);
  PROBE(st && st->mode == 2);
  PROBE(!(co_await hal::open(sys, "disk.nvme0:3")));
  PROBE(!(co_await hal::open(sys, "disk.nvme0:abc")));
  // Namespace 2: 4 KiB blocks.
  const hal::Result<hal::Fd> fd = co_await hal::open(sys, "disk.nvme0:2");
  PROBE(fd.has_value());
  if (!fd) co_return 1;
  st = co_await hal::fstat(sys, *fd);
  PROBE(st && st->size == (64ULL << 20) && st->block_size == 4096 && st->mode == 3 && st->blocks == 16384);
  // Write advances the position: two writes land one after the other.
  std::memset(base + buf, 0xA1, 4096);
  n = co_await plain(sys, hal::Opcode::write, *fd, buf, 4096);
  PROBE(n && *n == 4096);
  std::memset(base + buf, 0xB2, 4096);
  n = co_await plain(sys, hal::Opcode::write, *fd, buf, 4096);
  PROBE(n && *n == 4096);
  std::memset(base + buf, 0, 8192);
  n = co_await hal::pread(sys, *fd, buf, 8192, 0);
  PROBE(n && *n == 8192 && base[buf] == 0xA1 && base[buf + 4095] == 0xA1 && base[buf + 4096] == 0xB2 &&
        base[buf + 8191] == 0xB2);
  // Read on another handle starts at 0 and advances.
  const hal::Result<hal::Fd> fd2 = co_await hal::open(sys, "disk.nvme0:2");
  PROBE(fd2.has_value());
  n = co_await plain(sys, hal::Opcode::read, *fd2, buf, 4096);
  PROBE(n && *n == 4096 && base[buf] == 0xA1);
  n = co_await plain(sys, hal::Opcode::read, *fd2, buf, 4096);
  PROBE(n && *n == 4096 && base[buf] == 0xB2);
  // A buffer that is not dword aligned goes through a bounce buffer.
  std::memset(base + buf, 0, 3 * 4096);
  n = co_await hal::pread(sys, *fd, buf + 1, 8192, 0);
  PROBE(n && *n == 8192 && base[buf] == 0 && base[buf + 1] == 0xA1 && base[buf + 4097] == 0xB2 &&
        base[buf + 8193] == 0);
  // The end of the namespace: EOF, a short read, ENOSPC.
  const std::uint64_t size = 64ULL << 20;
  n = co_await hal::pread(sys, *fd, buf, 4096, size);
  PROBE(n && *n == 0);
  n = co_await hal::pread(sys, *fd, buf, 4096, size - 100);
  PROBE(n && *n == 100);
  n = co_await hal::pwrite(sys, *fd, buf, 4096, size);
  PROBE(!n && n.error().is(hal::errc::nospc));
  n = co_await hal::pwrite(sys, *fd, buf, 4096, size - 512);
  PROBE(n && *n == 512);
  PROBE(co_await hal::fsync(sys, *fd));
  // Opcodes the scheme does not serve.
  n = co_await plain(sys, hal::Opcode::mmap, *fd, buf, 4096);
  PROBE(!n);
  PROBE(co_await hal::close(sys, *fd2));
  PROBE(co_await hal::close(sys, *fd));
  PROBE(co_await hal::close(sys, *root));
  pool.free(buf);
  co_return g_probe.empty() ? 0 : 1;
}

}  // namespace

TEST(NvmedE2E, DiskSchemeSemantics) {
  g_probe.clear();
  Machine m(two_namespaces(), 2, {{"scheme-probe", &scheme_probe}});
  m.pcid();
  m.spawn("scheme-probe", {}, 1);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  for (const auto& f : g_probe) ADD_FAILURE() << f;
  EXPECT_GE(m.count("nvmed", "nvmed.bounce"), 2u);  // the odd buffer and the short read at the end
}

TEST(NvmedE2E, SmallMdtsBoundsEveryCommand) {
  nvme::NvmeParams p = two_namespaces();
  p.mdts = 1;  // 8 KiB per command
  Machine m(p, 2);
  m.pcid();
  // Aligned 64 KiB requests (8 commands each) and unaligned 20000-byte ones
  // through bounce buffers larger than MDTS.
  m.spawn("blockbench", {"--path", "disk.nvme0:2", "--rw", "mix", "--bs", "64KiB", "--qd", "4", "--count", "60",
                         "--size", "4MiB", "--verify", "--label", "aligned"});
  m.spawn("blockbench", {"--path", "disk.nvme0:1", "--rw", "write", "--pattern", "seq", "--bs", "20000", "--offset",
                         "3", "--qd", "4", "--count", "40", "--verify", "--label", "unaligned"},
          1);
  m.run();
  ASSERT_TRUE(m.stopped) << dump(m);
  EXPECT_TRUE(m.failures().empty()) << dump(m);
  EXPECT_TRUE(m.printed_has("MDTS 8 KiB")) << dump(m);
  for (const char* l : {"aligned", "unaligned"}) {
    EXPECT_EQ(m.result(std::string(l) + ".errors"), 0) << l;
    EXPECT_EQ(m.result(std::string(l) + ".verify_mismatches"), 0) << l;
  }
  EXPECT_EQ(m.ctrl->error_count(), 0u);  // no command above MDTS
}
