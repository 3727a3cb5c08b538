#include "drivers/nvmed/interrupts.hpp"

#include <algorithm>
#include <string>

#include "drivers/nvmed/regs.hpp"

namespace nvmed {

hal::Result<hal::Mmio> Bars::map(unsigned index) {
  if (index >= pcid::kNumBars) return hal::Error(hal::errc::inval, "BAR index out of range");
  if (mapped_[index]) return *mapped_[index];
  const pcid::BarConfig& b = cfg_.bars[index];
  if (b.size == 0 || b.phys == 0) return hal::Error(hal::errc::nodev, "BAR" + std::to_string(index) + " not assigned");
  hal::Result<hal::Mmio> m = sys_.physmap(b.phys, b.size);
  if (!m) return m.error().with_context("map BAR" + std::to_string(index));
  mapped_[index] = *m;
  return m;
}

const char* irq_mode_name(IrqMode m) { return m == IrqMode::msix ? "MSI-X" : "MSI"; }

namespace {

/// PCI Local Bus 3.0 §6.8.2.6-9: message address, data, then unmask.
void program_entry(const hal::Mmio& table, unsigned entry, const hal::IrqVector& v) {
  const std::uint64_t base = std::uint64_t{entry} * reg::msix::kEntrySize;
  table.write32(base + reg::msix::kVectorControl, reg::msix::kMaskBit);  // masked while it changes
  table.write32(base + reg::msix::kAddrLo, static_cast<std::uint32_t>(v.address()));
  table.write32(base + reg::msix::kAddrHi, static_cast<std::uint32_t>(v.address() >> 32));
  table.write32(base + reg::msix::kData, v.data());
  table.write32(base + reg::msix::kVectorControl, 0);
}

}  // namespace

hal::Task<hal::Result<InterruptSetup>> setup_interrupts(hal::Sys& sys, pcid::PcidClient& pcid,
                                                        const pcid::FunctionConfig& cfg, Bars& bars,
                                                        unsigned admin_cpu, unsigned io_queues, bool allow_msix) {
  InterruptSetup s;
  const bool msix = cfg.msix.present && cfg.msix.table_size > 0 && allow_msix;
  if (!msix && !cfg.msi.present) co_return hal::Error(hal::errc::nodev, "neither MSI-X nor MSI (INTx is not routed)");
  s.mode = msix ? IrqMode::msix : IrqMode::msi;
  const unsigned cpus = sys.cpu_count();
  if (msix) {
    const unsigned count = std::min<unsigned>(cfg.msix.table_size, 1 + std::max(1u, io_queues));
    for (unsigned i = 0; i < count; ++i) {
      const unsigned cpu = i == 0 ? admin_cpu : cpu_for_queue(i - 1, cpus);
      const hal::Result<hal::IrqVector> v = co_await hal::alloc_irq(sys, cpu);
      if (!v) co_return v.error().with_context("allocate interrupt vector " + std::to_string(i));
      s.vectors.push_back(*v);
    }
    const hal::Result<hal::Mmio> bar = bars.map(cfg.msix.table_bar);
    if (!bar) co_return bar.error().with_context("MSI-X table");
    const std::uint64_t bytes = std::uint64_t{cfg.msix.table_size} * reg::msix::kEntrySize;
    if (cfg.msix.table_offset > bar->size() || bytes > bar->size() - cfg.msix.table_offset)
      co_return hal::Error(hal::errc::fault, "MSI-X table outside its BAR");
    const hal::Mmio table = bar->sub(cfg.msix.table_offset, bytes);
    for (unsigned i = 0; i < s.vectors.size(); ++i) program_entry(table, i, s.vectors[i]);
    const hal::Result<void> on = co_await pcid.enable_feature(pcid::Feature::msix);
    if (!on) co_return on.error();
  } else {
    const hal::Result<hal::IrqVector> v = co_await hal::alloc_irq(sys, admin_cpu);
    if (!v) co_return v.error().with_context("allocate interrupt vector");
    s.vectors.push_back(*v);
    const hal::Result<unsigned> n = co_await pcid.set_msi_message(v->address(), v->data(), 1);
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

}  // namespace nvmed
