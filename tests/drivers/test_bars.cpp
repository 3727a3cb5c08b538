// pcid: BAR sizing (decode off, 32/64-bit, prefetchable) and assignment
// (natural alignment, the right window, no overlap, own pages).
#include <gtest/gtest.h>

#include <algorithm>

#include "drivers/pcid/bars.hpp"
#include "drivers/pcid/enumerate.hpp"
#include "tests/drivers/bench.hpp"

namespace {

using fake::Bench;

/// Enumerates and sizes everything, then assigns with `alloc`.
std::vector<pcid::Function> bring_up(Bench& b, pcid::BarAllocator alloc = {}) {
  const pcid::Ecam ecam = b.ecam();
  std::vector<pcid::Function> fns = pcid::enumerate_bus0(ecam);
  for (pcid::Function& f : fns) pcid::size_bars(ecam, f);
  pcid::assign_bars(ecam, fns, alloc);
  return fns;
}

TEST(PcidBars, Sizes32And64BitAndPrefetchable) {
  Bench b;
  fake::FakeFunction& f = fake::add_plain(b.machine, 2);              // BAR0 mem32 4 KiB
  f.cs.define_bar(1, pci::BarKind::mem64, 1 << 20, true);               // BAR1+2
  f.cs.define_bar(3, pci::BarKind::mem32, 64 * 1024, true);             // BAR3
  f.cs.define_bar(4, pci::BarKind::mem64, 8ULL << 30, false);           // BAR4+5: 8 GiB
  const pcid::Ecam ecam = b.ecam();
  pcid::Function fn = pcid::read_function(ecam, {0, 2, 0});
  pcid::size_bars(ecam, fn);
  EXPECT_EQ(fn.bars[0].type, pcid::BarType::mem32);
  EXPECT_EQ(fn.bars[0].size, 4096u);
  EXPECT_FALSE(fn.bars[0].prefetchable);
  EXPECT_EQ(fn.bars[1].type, pcid::BarType::mem64);
  EXPECT_EQ(fn.bars[1].size, 1u << 20);
  EXPECT_TRUE(fn.bars[1].prefetchable);
  EXPECT_EQ(fn.bars[2].type, pcid::BarType::none);  // upper half of BAR1
  EXPECT_EQ(fn.bars[3].type, pcid::BarType::mem32);
  EXPECT_EQ(fn.bars[3].size, 64u * 1024);
  EXPECT_TRUE(fn.bars[3].prefetchable);
  EXPECT_EQ(fn.bars[4].type, pcid::BarType::mem64);
  EXPECT_EQ(fn.bars[4].size, 8ULL << 30);
  EXPECT_EQ(fn.bars[5].type, pcid::BarType::none);
  // Sizing restored every BAR (nothing assigned yet).
  for (unsigned i = 0; i < 6; ++i) EXPECT_EQ(f.cs.get32(static_cast<std::uint16_t>(0x10 + 4 * i)) & ~0xFu, 0u);
}

TEST(PcidBars, DecodeIsOffWhileSizingAndCommandIsRestored) {
  Bench b;
  fake::FakeFunction& f = fake::add_plain(b.machine, 2);
  f.cs.define_bar(2, pci::BarKind::mem64, 1 << 16, true);
  f.cs.write(pci::kCommand, 2, pci::kCommandMemorySpace | pci::kCommandBusMaster);  // decode on, as left by someone
  const pcid::Ecam ecam = b.ecam();
  pcid::Function fn = pcid::read_function(ecam, {0, 2, 0});
  pcid::size_bars(ecam, fn);
  EXPECT_EQ(f.bar_writes_while_decoding, 0u);
  EXPECT_EQ(f.cs.command(), pci::kCommandMemorySpace | pci::kCommandBusMaster);
  std::vector<pcid::Function> fns{fn};
  pcid::BarAllocator alloc;
  pcid::assign_bars(ecam, fns, alloc);  // programming addresses: decode off too
  EXPECT_EQ(f.bar_writes_while_decoding, 0u);
  EXPECT_EQ(f.cs.command(), pci::kCommandMemorySpace | pci::kCommandBusMaster);
}

TEST(PcidBars, NaturallyAlignedInTheirWindowsWithoutOverlap) {
  Bench b;
  b.machine.emplace<fake::FakePciTest>(3, 0);
  fake::add_nvme_like(b.machine, 1);
  fake::add_xhci_like(b.machine, 2);
  fake::FakeFunction& big = fake::add_plain(b.machine, 4);
  big.cs.define_bar(1, pci::BarKind::mem32, 256 << 20, true);
  big.cs.define_bar(2, pci::BarKind::mem64, 4ULL << 30, true);
  fake::FakeFunction& small = fake::add_plain(b.machine, 6);
  small.cs.define_bar(1, pci::BarKind::mem32, 16, false);
  small.cs.define_bar(2, pci::BarKind::mem32, 128, false);
  const std::vector<pcid::Function> fns = bring_up(b);

  struct Range {
    std::uint64_t start, end;
  };
  std::vector<Range> used;
  unsigned bars = 0;
  for (const pcid::Function& f : fns) {
    for (unsigned i = 0; i < 6; ++i) {
      const pcid::Bar& bar = f.bars[i];
      if (!bar.is_memory()) continue;
      ++bars;
      ASSERT_TRUE(bar.assigned) << f.bdf.str() << " BAR" << i;
      const std::uint64_t span = std::max<std::uint64_t>(bar.size, 4096);
      EXPECT_EQ(bar.address % span, 0u) << f.bdf.str() << " BAR" << i;
      if (bar.type == pcid::BarType::mem64) {
        EXPECT_GE(bar.address, pcid::kMmio64Base);
        EXPECT_LE(bar.address + bar.size, pcid::kMmio64Base + pcid::kMmio64Size);
      } else {
        EXPECT_GE(bar.address, pcid::kMmio32Base);
        EXPECT_LE(bar.address + bar.size, pcid::kMmio32Base + pcid::kMmio32Size);
      }
      // The device holds the address.
      const pci::BarInfo hw = b.machine.function(f.bdf.device, f.bdf.function)->cs.bar(i);
      EXPECT_EQ(hw.address, bar.address) << f.bdf.str() << " BAR" << i;
      used.push_back({bar.address, bar.address + span});
    }
  }
  EXPECT_EQ(bars, 10u);
  std::sort(used.begin(), used.end(), [](const Range& a, const Range& c) { return a.start < c.start; });
  for (std::size_t i = 1; i < used.size(); ++i) EXPECT_LE(used[i - 1].end, used[i].start) << "overlap at " << i;
}

TEST(PcidBars, SmallBarsGetAPageOfTheirOwn) {
  Bench b;
  fake::FakeFunction& a = b.machine.emplace<fake::FakeFunction>(1, 0, 0x1234, 0x0001, 0x05, 0x80, 0x00);
  a.cs.define_bar(0, pci::BarKind::mem32, 16, false);
  fake::FakeFunction& c = b.machine.emplace<fake::FakeFunction>(2, 0, 0x1234, 0x0002, 0x05, 0x80, 0x00);
  c.cs.define_bar(0, pci::BarKind::mem32, 16, false);
  const std::vector<pcid::Function> fns = bring_up(b);
  EXPECT_EQ(fns[0].bars[0].address % 4096, 0u);
  EXPECT_EQ(fns[1].bars[0].address % 4096, 0u);
  EXPECT_GE(std::max(fns[0].bars[0].address, fns[1].bars[0].address) -
                std::min(fns[0].bars[0].address, fns[1].bars[0].address),
            4096u);
}

TEST(PcidBars, FullWindowsLeaveBarsUnassignedAnd64BitFallsBackTo32Bit) {
  Bench b;
  fake::FakeFunction& f = b.machine.emplace<fake::FakeFunction>(1, 0, 0x1234, 0x0001, 0x05, 0x80, 0x00);
  f.cs.define_bar(0, pci::BarKind::mem64, 32 * 1024, false);
  f.cs.define_bar(2, pci::BarKind::mem64, 32 * 1024, false);
  f.cs.define_bar(4, pci::BarKind::mem32, 32 * 1024, false);
  // 64-bit window: room for one BAR; 32-bit window: room for one.
  const std::vector<pcid::Function> fns =
      bring_up(b, pcid::BarAllocator({0xC000'0000, 0x8000}, {0x80'0000'0000, 0x8000}));
  const pcid::Function& fn = fns[0];
  EXPECT_TRUE(fn.bars[0].assigned);
  EXPECT_EQ(fn.bars[0].address, 0x80'0000'0000u);
  EXPECT_TRUE(fn.bars[2].assigned);
  EXPECT_EQ(fn.bars[2].address, 0xC000'0000u);  // fell back to the 32-bit window
  EXPECT_FALSE(fn.bars[4].assigned);
  EXPECT_EQ(fn.bars[4].address, 0u);
  EXPECT_FALSE(fn.all_bars_assigned());
}

TEST(PcidBars, AllocatorAlignsNaturally) {
  pcid::BarAllocator a;
  EXPECT_EQ(a.allocate(4096, false), 0xC000'0000u);
  EXPECT_EQ(a.allocate(1 << 20, false), 0xC010'0000u);  // skips to the next MiB
  EXPECT_EQ(a.allocate(16, false), 0xC020'0000u);       // a page of its own
  EXPECT_EQ(a.allocate(16, false), 0xC020'1000u);
  EXPECT_EQ(a.allocate(4ULL << 30, true), 0x80'0000'0000u);
  EXPECT_EQ(a.allocate(4096, true), 0x81'0000'0000u);
  EXPECT_FALSE(a.allocate(3000, false));        // not a power of two
  EXPECT_FALSE(a.allocate(0, false));
  EXPECT_FALSE(a.allocate(1ULL << 30, false));  // larger than the 512 MiB window
}

TEST(PcidBars, IoBarIsRecordedNeverAssigned) {
  Bench b;
  fake::FakeFunction& f = fake::add_plain(b.machine, 2);
  f.cs.set32(0x14, pci::kBarIoSpace);  // BAR1: 256 bytes of I/O space
  f.cs.set_wmask32(0x14, 0xFFFF'FF00u);
  const std::vector<pcid::Function> fns = bring_up(b);
  EXPECT_EQ(fns[0].bars[1].type, pcid::BarType::io);
  EXPECT_EQ(fns[0].bars[1].size, 256u);
  EXPECT_FALSE(fns[0].bars[1].assigned);
  EXPECT_TRUE(fns[0].all_bars_assigned());  // memory BARs only
  EXPECT_EQ(f.cs.get32(0x14), pci::kBarIoSpace);
}

}  // namespace
