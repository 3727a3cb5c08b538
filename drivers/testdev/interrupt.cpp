#include "drivers/testdev/interrupt.hpp"

#include <string>

#include "drivers/testdev/regs.hpp"

namespace testdev {

const char* mode_name(IrqMode m) { return m == IrqMode::msix ? "MSI-X" : "MSI"; }

hal::Result<hal::Mmio> map_bar(hal::Sys& sys, const pcid::FunctionConfig& cfg, MappedBars& mapped, unsigned index) {
  if (index >= pcid::kNumBars) return hal::Error(hal::errc::inval, "BAR index out of range");
  if (mapped.bars[index]) return *mapped.bars[index];
  const pcid::BarConfig& b = cfg.bars[index];
  if (b.size == 0 || b.phys == 0) return hal::Error(hal::errc::nodev, "BAR" + std::to_string(index) + " not assigned");
  hal::Result<hal::Mmio> m = sys.physmap(b.phys, b.size);
  if (!m) return m.error().with_context("map BAR" + std::to_string(index));
  mapped.bars[index] = *m;
  return m;
}

namespace {

/// Writes MSI-X table entry 0 and unmasks it (PCI 3.0 §6.8.2.6-9).
hal::Result<void> program_msix_entry(hal::Sys& sys, const pcid::FunctionConfig& cfg, MappedBars& mapped,
                                     const hal::IrqVector& irq) {
  const hal::Result<hal::Mmio> bar = map_bar(sys, cfg, mapped, cfg.msix.table_bar);
  if (!bar) return bar.error().with_context("MSI-X table");
  const std::uint64_t table_bytes = std::uint64_t{cfg.msix.table_size} * regs::kMsixEntrySize;
  if (cfg.msix.table_offset > bar->size() || table_bytes > bar->size() - cfg.msix.table_offset)
    return hal::Error(hal::errc::fault, "MSI-X table outside its BAR");
  const hal::Mmio table = bar->sub(cfg.msix.table_offset, table_bytes);
  table.write32(regs::kMsixEntryAddrLo, static_cast<std::uint32_t>(irq.address()));
  table.write32(regs::kMsixEntryAddrHi, static_cast<std::uint32_t>(irq.address() >> 32));
  table.write32(regs::kMsixEntryData, irq.data());
  table.write32(regs::kMsixEntryVectorControl, 0);  // unmask
  return hal::ok();
}

}  // namespace

hal::Task<hal::Result<InterruptSetup>> setup_interrupt(hal::Sys& sys, pcid::PcidClient& pcid,
                                                       const pcid::FunctionConfig& cfg, MappedBars& mapped) {
  if (!cfg.msix.present && !cfg.msi.present)
    co_return hal::Error(hal::errc::nodev, "neither MSI-X nor MSI: the platform does not route INTx");
  const hal::Result<hal::IrqVector> irq = co_await hal::alloc_irq(sys, sys.cpu());
  if (!irq) co_return irq.error().with_context("allocate irq vector");
  InterruptSetup s{*irq, cfg.msix.present ? IrqMode::msix : IrqMode::msi};
  if (s.mode == IrqMode::msix) {
    const hal::Result<void> e = program_msix_entry(sys, cfg, mapped, s.irq);
    if (!e) co_return e.error();
    const hal::Result<void> on = co_await pcid.enable_feature(pcid::Feature::msix);
    if (!on) co_return on.error();
  } else {
    const hal::Result<unsigned> n = co_await pcid.set_msi_message(s.irq.address(), s.irq.data(), 1);
    if (!n) co_return n.error();
    if (cfg.msi.per_vector_masking) {
      const hal::Result<std::uint32_t> m = co_await pcid.set_msi_mask(0);
      if (!m) co_return m.error();
    }
    const hal::Result<void> on = co_await pcid.enable_feature(pcid::Feature::msi);
    if (!on) co_return on.error();
  }
  const hal::Result<void> intx = co_await pcid.enable_feature(pcid::Feature::intx_disable);
  if (!intx) co_return intx.error();
  co_return s;
}

}  // namespace testdev
