#include <vector>

#include "test_machine.hpp"

using namespace pcitest;
using namespace pci;

namespace {
constexpr std::uint64_t kRegs = 0xC000'0000, kMsix = 0x80'0000'0000;

// Starts a copy and waits for DMA_STATUS to leave BUSY; returns the status.
std::uint32_t copy(Machine& m, std::uint64_t src, std::uint64_t dst, std::uint32_t len) {
  m.wr(kRegs + Dev::kDmaSrc, src, 8);
  m.wr(kRegs + Dev::kDmaDst, dst, 8);
  m.wr(kRegs + Dev::kDmaLen, len);
  m.wr(kRegs + Dev::kDmaCmd, Dev::kCmdStart);
  std::uint32_t st = 0;
  for (int i = 0; i < 10'000; ++i) {
    st = static_cast<std::uint32_t>(m.rd(kRegs + Dev::kDmaStatus));
    if (!(st & Dev::kStatusBusy)) break;
  }
  return st;
}

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}
}  // namespace

TEST(Dma, CopiesDataWithBusMasterEnabled) {
  Machine m;
  m.add("d", 1, 0);
  const auto src = pattern(10'000);
  ASSERT_TRUE(m.mem.write(0x10'0000, src.data(), src.size()));
  m.run([&] {
    m.enable(1, 0, kRegs);
    EXPECT_EQ(copy(m, 0x10'0000, 0x20'0003, 10'000), Dev::kStatusDone);
    EXPECT_EQ(m.rd(kRegs + Dev::kCompleted), 1u);
  });
  std::vector<std::uint8_t> dst(10'000);
  ASSERT_TRUE(m.mem.read(0x20'0003, dst.data(), dst.size()));
  EXPECT_EQ(dst, src);
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 0u);
}

TEST(Dma, BusMasterDisabledBlocksDmaAndLeavesMemoryAlone) {
  Machine m;
  m.add("d", 1, 0);
  const auto src = pattern(4096);
  ASSERT_TRUE(m.mem.write(0x10'0000, src.data(), src.size()));
  m.run([&] {
    m.enable(1, 0, kRegs, 0, kCommandMemorySpace);
    EXPECT_EQ(copy(m, 0x10'0000, 0x20'0000, 4096), Dev::kStatusDone | Dev::kStatusError);
    EXPECT_EQ(m.rd(kRegs + Dev::kIntStatus) & Dev::kIntDmaError, Dev::kIntDmaError);
  });
  std::vector<std::uint8_t> dst(4096, 0xEE);
  ASSERT_TRUE(m.mem.read(0x20'0000, dst.data(), dst.size()));
  EXPECT_EQ(dst, std::vector<std::uint8_t>(4096, 0));
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 1u);
}

TEST(Dma, OutsideMemoryIsAnUnsupportedRequestRecordedInStatus) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs);
    EXPECT_EQ(m.cfg_read(1, 0, kStatus, 2) & kStatusReceivedMasterAbort, 0u);
    // 64 MiB of RAM: the source runs off its end.
    EXPECT_EQ(copy(m, (64ULL << 20) - 100, 0x1000, 4096), Dev::kStatusDone | Dev::kStatusError);
    EXPECT_NE(m.cfg_read(1, 0, kStatus, 2) & kStatusReceivedMasterAbort, 0u);
    m.cfg_write(1, 0, kStatus, kStatusReceivedMasterAbort, 2);  // RW1C
    EXPECT_EQ(m.cfg_read(1, 0, kStatus, 2) & kStatusReceivedMasterAbort, 0u);
    // The device keeps working afterwards.
    EXPECT_EQ(copy(m, 0x1000, 0x2000, 64), Dev::kStatusDone);
  });
  EXPECT_EQ(m.rc.unsupported_requests(), 1u);
}

TEST(Dma, CompletionRaisesTheRequestedMsixVector) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix);
    m.wr(kMsix + 16 * 3 + kMsixEntryAddrLo, InterruptController::message_address(0));
    m.wr(kMsix + 16 * 3 + kMsixEntryData, 0x99);
    m.wr(kMsix + 16 * 3 + kMsixEntryVectorControl, 0);
    auto p = static_cast<std::uint16_t>(m.cfg_read(1, 0, kCapabilitiesPointer, 1));
    while (m.cfg_read(1, 0, p, 1) != kCapIdMsix) p = static_cast<std::uint16_t>(m.cfg_read(1, 0, p + 1, 1));
    m.cfg_write(1, 0, p + kMsixMessageControl, kMsixControlEnable, 2);
    m.wr(kRegs + Dev::kDmaSrc, 0x1000, 8);
    m.wr(kRegs + Dev::kDmaDst, 0x9000, 8);
    m.wr(kRegs + Dev::kDmaLen, 8192);
    m.wr(kRegs + Dev::kDmaVector, 3);
    const sim::Picos start = sim::now();
    m.wr(kRegs + Dev::kDmaCmd, Dev::kCmdStart | Dev::kCmdIrq);
    m.wait_irqs(1);
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].vector, 0x99u);
    // 8 KiB read and written at 1 GB/s plus link time: more than 8 us, well under 20.
    EXPECT_GT(sim::now() - start, sim::us(8));
    EXPECT_LT(sim::now() - start, sim::us(20));
  });
}

TEST(Dma, LargerCopiesOnSlowerLinksTakeLonger) {
  auto time_copy = [](unsigned gen, unsigned lanes, std::uint32_t len) {
    Machine m;
    PciTestParams p;
    p.link.generation = gen;
    p.link.lanes = lanes;
    p.dma_bytes_per_second = 100'000'000'000ULL;  // the engine is not the bottleneck
    m.add("d", 1, 0, p);
    sim::Picos took = 0;
    m.run([&] {
      m.enable(1, 0, kRegs);
      const sim::Picos t0 = sim::now();
      EXPECT_EQ(copy(m, 0x1000, 0x10'0000, len), Dev::kStatusDone);
      took = sim::now() - t0;
    });
    return took;
  };
  const auto small = time_copy(3, 4, 4096), big = time_copy(3, 4, 65536), slow = time_copy(1, 1, 65536);
  EXPECT_LT(small, big);
  EXPECT_LT(big, slow);
  EXPECT_GT(slow, sim::us(2 * 262));  // 64 KiB each way over 250 MB/s
}

TEST(Dma, BadLengthIsAnErrorNotACrash) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs);
    EXPECT_EQ(copy(m, 0x1000, 0x2000, 0), Dev::kStatusDone | Dev::kStatusError);
    EXPECT_EQ(copy(m, 0x1000, 0x2000, Dev::kMaxDmaLen + 1), Dev::kStatusDone | Dev::kStatusError);
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 2u);
}
