// Interrupts end to end: a device's MSI-X message, the interrupt controller,
// the kernel's irq scheme, the waiting task. The test program plays a
// privileged driver that configures its device through ECAM itself.
#include "kernel_fixture.hpp"

using namespace ktest;

namespace {

std::map<std::string, std::int64_t> g;
constexpr std::uint64_t kBar0 = 0xC000'0000, kBar2 = 0x80'0000'0000;
constexpr std::uint64_t ecam(unsigned dev, unsigned reg) { return sim::addr::kEcamBase | (dev << 15) | reg; }

std::uint16_t find_cap(const hal::Mmio& cfg, std::uint8_t id) {
  auto p = static_cast<std::uint16_t>(cfg.read8(0x34));
  while (p && cfg.read8(p) != id) p = cfg.read8(p + 1);
  return p;
}

hal::Task<int> msix_driver(hal::Sys& sys) {
  auto cfg = sys.physmap(ecam(1, 0), 4096);
  if (!cfg) co_return 1;
  cfg->write32(0x10, static_cast<std::uint32_t>(kBar0));
  cfg->write32(0x18, static_cast<std::uint32_t>(kBar2));
  cfg->write32(0x1C, static_cast<std::uint32_t>(kBar2 >> 32));
  cfg->write16(0x04, 0x6);  // MSE | BME
  // pcid would grant these; this program is privileged and grants itself.
  if (!sys.grant_physmap(sys.pid(), kBar0, 4096) || !sys.grant_physmap(sys.pid(), kBar2, 4096)) co_return 2;
  auto regs = sys.physmap(kBar0, 4096);
  auto table = sys.physmap(kBar2, 4096);
  auto irq = co_await hal::alloc_irq(sys, 1);
  if (!regs || !table || !irq) co_return 3;
  table->write32(16 * 1 + 0, static_cast<std::uint32_t>(irq->address()));
  table->write32(16 * 1 + 4, 0);
  table->write32(16 * 1 + 8, irq->data());
  table->write32(16 * 1 + 12, 1);  // masked
  const std::uint16_t msix = find_cap(*cfg, 0x11);
  cfg->write16(msix + 2, 0x8000);
  // Raised while masked: pending, nothing delivered.
  regs->write32(0x34, 1);
  regs->write32(0x34, 1);
  co_await sys.sleep_ns(5000);
  g["pba_while_masked"] = table->read32(0x800);
  const std::uint64_t t0 = sys.now_ns();
  table->write32(16 * 1 + 12, 0);  // unmask: delivered once
  auto n = co_await hal::wait_irq(sys, *irq);
  g["latency_ns"] = static_cast<std::int64_t>(sys.now_ns() - t0);
  g["first_count"] = n ? static_cast<std::int64_t>(*n) : -1;
  g["pba_after"] = table->read32(0x800);
  // A DMA copy completed by the interrupt, data checked.
  auto src = sys.physalloc(8192), dst = sys.physalloc(8192);
  if (!src || !dst) co_return 4;
  for (std::size_t i = 0; i < 8192; ++i) src->data[i] = static_cast<std::uint8_t>(i * 13);
  regs->write64(0x10, src->phys);
  regs->write64(0x18, dst->phys);
  regs->write32(0x20, 8192);
  regs->write32(0x24, 1);
  regs->write32(0x28, 3);
  auto m = co_await hal::wait_irq(sys, *irq);
  g["dma_irq"] = m ? static_cast<std::int64_t>(*m) : -1;
  g["dma_ok"] = std::equal(src->data, src->data + 8192, dst->data);
  g["unprivileged_denied"] = 0;
  co_return 0;
}

hal::Task<int> unprivileged(hal::Sys& sys) {
  auto cfg = sys.physmap(ecam(1, 0), 4096);
  g["physmap_denied"] = cfg ? 0 : -cfg.error().code();
  auto gr = sys.grant_physmap(sys.pid(), kBar0, 4096);
  g["grant_denied"] = gr ? 0 : -gr.error().code();
  auto v = sys.grant_view(0x100000, 16);
  g["view_denied"] = v ? 0 : -v.error().code();
  co_return 0;
}

hal::Task<int> bad_mmio(hal::Sys& sys) {
  auto cfg = sys.physmap(ecam(1, 0), 4096);
  if (!cfg) co_return 1;
  (void)cfg->read32(4094);  // runs past the mapping: the task fails, the simulator does not
  co_return 0;
}

}  // namespace

TEST(KernelInterrupts, MsixMaskPendingUnmaskReachesTheWaitingTaskOnce) {
  g.clear();
  Machine m({{"drv", &msix_driver}});
  m.add_device(1);
  m.run({"drv"}, /*first_privileged=*/true);
  ASSERT_TRUE(m.k->failures().empty()) << m.k->failures()[0];
  EXPECT_EQ(g["pba_while_masked"], 1 << 1);
  EXPECT_EQ(g["first_count"], 1);
  EXPECT_EQ(g["pba_after"], 0);
  EXPECT_GT(g["latency_ns"], 0);
  EXPECT_LT(g["latency_ns"], 10'000);
  EXPECT_EQ(g["dma_irq"], 1);
  EXPECT_EQ(g["dma_ok"], 1);
  EXPECT_EQ(m.irqc.delivered(1, 0x40), 2u);
}

TEST(KernelInterrupts, PermissionsAreEnforced) {
  g.clear();
  Machine m({{"u", &unprivileged}});
  m.run({"u"});
  EXPECT_EQ(g["physmap_denied"], -hal::errc::acces);
  EXPECT_EQ(g["grant_denied"], -hal::errc::perm);
  EXPECT_EQ(g["view_denied"], -hal::errc::acces);
  EXPECT_EQ(m.warnings(), 3u);
}

TEST(KernelInterrupts, AnMmioAccessOutsideTheMappingFailsOnlyThatProcess) {
  Machine m({{"bad", &bad_mmio}});
  m.run({"bad"}, true);
  EXPECT_TRUE(m.stopped);
  ASSERT_EQ(m.k->failures().size(), 1u);
}
