#include "sim/platform/pci_probe.hpp"

#include <cinttypes>
#include <cstdio>
#include <ostream>

#include "devices/pci/pci_regs.hpp"
#include "devices/pci/pci_test_device.hpp"
#include "sim/core/address_map.hpp"

namespace sim::platform {

namespace {

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

std::string human_size(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && n >= 1024 && n % 1024 == 0) {
    n /= 1024;
    ++u;
  }
  return std::to_string(n) + " " + units[u];
}

const char* class_name(std::uint8_t c, std::uint8_t s, std::uint8_t pi) {
  if (c == 0x01 && s == 0x08 && pi == 0x02) return "NVM Express controller";
  if (c == 0x01 && s == 0x08) return "non-volatile memory controller";
  if (c == 0x01) return "mass storage controller";
  if (c == 0x0C && s == 0x03 && pi == 0x30) return "USB xHCI controller";
  if (c == 0x0C && s == 0x03) return "USB controller";
  if (c == 0x06) return "bridge";
  if (c == 0xFF) return "unclassified device";
  return "device";
}

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

}  // namespace

std::string ProbedFunction::bdf() const {
  char b[16];
  std::snprintf(b, sizeof b, "00:%02x.%x", device, function);
  return b;
}

PciProbe::PciProbe(Platform& platform, std::string name, std::vector<std::string> args)
    : p_(platform),
      name_(std::move(name)),
      args_(std::move(args)),
      next_mmio32_(addr::kMmio32Base),
      next_mmio64_(addr::kMmio64Base),
      rng_(platform.seed(), name_) {
  p_.interrupt_controller().set_handler([this](const pci::Interrupt& irq) {
    last_irq_vector_ = irq.vector;
    irq_event_.notify(sc_core::SC_ZERO_TIME);
  });
}

std::uint32_t PciProbe::cfg_read(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, unsigned size) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const std::uint64_t a = addr::kEcamBase | (std::uint64_t{dev} << 15) | (std::uint64_t{fn} << 12) | reg;
  const auto v = static_cast<std::uint32_t>(p_.cpu_bus().read(a, size, d));
  sc_core::wait(d);  // a configuration read stalls the CPU for the round trip
  return v;
}

void PciProbe::cfg_write(std::uint8_t dev, std::uint8_t fn, std::uint16_t reg, unsigned size, std::uint32_t v) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const std::uint64_t a = addr::kEcamBase | (std::uint64_t{dev} << 15) | (std::uint64_t{fn} << 12) | reg;
  p_.cpu_bus().write(a, size, v, d);
  sc_core::wait(d);  // configuration writes are non-posted in PCIe
}

std::uint64_t PciProbe::mmio_read(std::uint64_t a, unsigned size) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const std::uint64_t v = p_.cpu_bus().read(a, size, d);
  sc_core::wait(d);
  return v;
}

void PciProbe::mmio_write(std::uint64_t a, unsigned size, std::uint64_t v) {
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  p_.cpu_bus().write(a, size, v, d);  // posted: the CPU does not wait
}

void PciProbe::main() {
  p_.trace().info(name_, "enumerate.start");
  for (std::uint8_t dev = 0; dev < 32; ++dev) {
    if (cfg_read(dev, 0, pci::kVendorId, 2) == 0xFFFF) continue;
    const bool multi = cfg_read(dev, 0, pci::kHeaderType, 1) & pci::kHeaderTypeMultiFunction;
    for (std::uint8_t fn = 0; fn < (multi ? 8 : 1); ++fn) {
      if (cfg_read(dev, fn, pci::kVendorId, 2) == 0xFFFF) continue;
      probe_function(dev, fn);
    }
  }
  p_.trace().info(name_, "enumerate.done", {{"functions", static_cast<std::uint64_t>(functions_.size())}});
  p_.out() << "PCI bus 0: " << functions_.size() << " function" << (functions_.size() == 1 ? "" : "s") << "\n";
  for (const auto& f : functions_) print(f);
}

void PciProbe::probe_function(std::uint8_t dev, std::uint8_t fn) {
  ProbedFunction f;
  f.device = dev;
  f.function = fn;
  f.vendor = static_cast<std::uint16_t>(cfg_read(dev, fn, pci::kVendorId, 2));
  f.device_id = static_cast<std::uint16_t>(cfg_read(dev, fn, pci::kDeviceId, 2));
  const std::uint32_t cls = cfg_read(dev, fn, pci::kRevisionId, 4);
  f.class_code = static_cast<std::uint8_t>(cls >> 24);
  f.subclass = static_cast<std::uint8_t>(cls >> 16);
  f.prog_if = static_cast<std::uint8_t>(cls >> 8);
  size_and_assign_bars(f);
  walk_capabilities(f);
  // Enable memory decode and bus mastering; leave INTx disabled: the probe
  // uses message-signalled interrupts only.
  cfg_write(dev, fn, pci::kCommand, 2,
            pci::kCommandMemorySpace | pci::kCommandBusMaster | pci::kCommandInterruptDisable);
  p_.trace().info(name_, "function",
                  {{"bdf", f.bdf()},
                   {"vendor", Hex{f.vendor}},
                   {"device", Hex{f.device_id}},
                   {"class", Hex{(std::uint64_t{f.class_code} << 16) | (f.subclass << 8) | f.prog_if}},
                   {"bars", static_cast<std::uint64_t>(f.bars.size())},
                   {"msi", f.msi_vectors},
                   {"msix", f.msix_vectors}});
  if (f.vendor == pci::PciTestParams{}.vendor_id && f.device_id == pci::PciTestParams{}.device_id &&
      (f.msix_vectors || f.msi_vectors))
    test_interrupt(f, next_vector_++);
  functions_.push_back(std::move(f));
}

void PciProbe::size_and_assign_bars(ProbedFunction& f) {
  const std::uint16_t cmd = static_cast<std::uint16_t>(cfg_read(f.device, f.function, pci::kCommand, 2));
  // Decode off while the BARs hold size masks (what firmware does).
  cfg_write(f.device, f.function, pci::kCommand, 2, cmd & ~pci::kCommandMemorySpace);
  for (unsigned i = 0; i < pci::kNumBars; ++i) {
    const auto reg = static_cast<std::uint16_t>(pci::kBar0 + 4 * i);
    const std::uint32_t orig = cfg_read(f.device, f.function, reg, 4);
    if (orig & pci::kBarIoSpace) continue;  // no I/O space on this platform
    const bool is64 = (orig & pci::kBarMemTypeMask) == pci::kBarMemType64 && i + 1 < pci::kNumBars;
    cfg_write(f.device, f.function, reg, 4, 0xFFFF'FFFFu);
    std::uint64_t mask = cfg_read(f.device, f.function, reg, 4) & pci::kBarMemAddressMask;
    if (is64) {
      cfg_write(f.device, f.function, reg + 4, 4, 0xFFFF'FFFFu);
      mask |= std::uint64_t{cfg_read(f.device, f.function, reg + 4, 4)} << 32;
    } else {
      mask |= 0xFFFF'FFFF'0000'0000ULL;
    }
    if ((mask & 0xFFFF'FFFFu) == 0 && !is64) continue;  // not implemented
    const std::uint64_t size = ~mask + 1;
    if (size == 0) continue;
    ProbedBar b;
    b.index = i;
    b.is64 = is64;
    b.prefetchable = orig & pci::kBarPrefetchable;
    b.size = size;
    std::uint64_t& cursor = is64 ? next_mmio64_ : next_mmio32_;
    b.address = align_up(cursor, size);
    cursor = b.address + size;
    cfg_write(f.device, f.function, reg, 4, static_cast<std::uint32_t>(b.address));
    if (is64) cfg_write(f.device, f.function, reg + 4, 4, static_cast<std::uint32_t>(b.address >> 32));
    p_.trace().info(name_, "bar.assign",
                    {{"bdf", f.bdf()}, {"bar", i}, {"size", size}, {"address", Hex{b.address}}, {"is64", is64}});
    f.bars.push_back(b);
    if (is64) ++i;
  }
  cfg_write(f.device, f.function, pci::kCommand, 2, cmd);
}

void PciProbe::walk_capabilities(ProbedFunction& f) {
  if (!(cfg_read(f.device, f.function, pci::kStatus, 2) & pci::kStatusCapabilitiesList)) return;
  auto ptr = static_cast<std::uint16_t>(cfg_read(f.device, f.function, pci::kCapabilitiesPointer, 1) & 0xFC);
  for (int guard = 0; ptr != 0 && guard < 48; ++guard) {
    const std::uint32_t head = cfg_read(f.device, f.function, ptr, 4);
    const auto id = static_cast<std::uint8_t>(head);
    const auto control = static_cast<std::uint16_t>(head >> 16);
    f.capabilities.push_back(id);
    if (id == pci::kCapIdMsi) {
      f.msi_vectors = 1u << ((control >> pci::kMsiControlMmcShift) & 7);
      f.msi_64bit = control & pci::kMsiControl64Bit;
      f.msi_masking = control & pci::kMsiControlPerVectorMask;
    } else if (id == pci::kCapIdMsix) {
      f.msix_vectors = (control & pci::kMsixControlTableSizeMask) + 1u;
      const std::uint32_t table = cfg_read(f.device, f.function, ptr + pci::kMsixTable, 4);
      const std::uint32_t pba = cfg_read(f.device, f.function, ptr + pci::kMsixPba, 4);
      f.msix_table_bir = table & pci::kMsixBirMask;
      f.msix_table_offset = table & ~pci::kMsixBirMask;
      f.msix_pba_bir = pba & pci::kMsixBirMask;
      f.msix_pba_offset = pba & ~pci::kMsixBirMask;
    } else if (id == pci::kCapIdPciExpress) {
      const std::uint32_t status = cfg_read(f.device, f.function, ptr + pci::kPcieLinkStatus, 2);
      f.link_speed = status & 0xF;
      f.link_width = (status >> 4) & 0x3F;
    }
    ptr = static_cast<std::uint16_t>((head >> 8) & 0xFC);
  }
}

void PciProbe::test_interrupt(ProbedFunction& f, unsigned vector) {
  const auto bar_address = [&](unsigned index) -> std::uint64_t {
    for (const auto& b : f.bars)
      if (b.index == index) return b.address;
    return 0;
  };
  const std::uint64_t regs = bar_address(0);
  if (!regs) return;
  const auto cap = [&](std::uint8_t id) -> std::uint16_t {
    auto ptr = static_cast<std::uint16_t>(cfg_read(f.device, f.function, pci::kCapabilitiesPointer, 1) & 0xFC);
    for (int guard = 0; ptr != 0 && guard < 48; ++guard) {
      if (cfg_read(f.device, f.function, ptr, 1) == id) return ptr;
      ptr = static_cast<std::uint16_t>(cfg_read(f.device, f.function, ptr + 1, 1) & 0xFC);
    }
    return 0;
  };
  const std::uint64_t msg_addr = pci::InterruptController::message_address(0);
  const std::uint32_t msg_data = pci::InterruptController::message_data(vector);
  if (f.msix_vectors) {
    const std::uint64_t table = bar_address(f.msix_table_bir) + f.msix_table_offset;
    const std::uint16_t c = cap(pci::kCapIdMsix);
    mmio_write(table + pci::kMsixEntryAddrLo, 4, static_cast<std::uint32_t>(msg_addr));
    mmio_write(table + pci::kMsixEntryAddrHi, 4, msg_addr >> 32);
    mmio_write(table + pci::kMsixEntryData, 4, msg_data);
    mmio_write(table + pci::kMsixEntryVectorControl, 4, 0);  // unmask
    cfg_write(f.device, f.function, c + pci::kMsixMessageControl, 2, pci::kMsixControlEnable);
  } else {
    const std::uint16_t c = cap(pci::kCapIdMsi);
    cfg_write(f.device, f.function, c + pci::kMsiMessageAddress, 4, static_cast<std::uint32_t>(msg_addr));
    cfg_write(f.device, f.function, c + pci::kMsiMessageAddress + 4, 4, static_cast<std::uint32_t>(msg_addr >> 32));
    cfg_write(f.device, f.function, c + pci::kMsiMessageAddress + 8, 2, msg_data);
    cfg_write(f.device, f.function, c + pci::kMsiMessageControl, 2, pci::kMsiControlEnable);
  }
  // A DMA copy of a buffer the probe filled, completed by the interrupt.
  constexpr std::uint64_t kLen = 16 * 1024;
  const std::uint64_t src = 0x10'0000 + 2 * kLen * (vector - 0x40), dst = src + kLen;
  std::vector<std::uint8_t> pattern(kLen), back(kLen);
  for (auto& b : pattern) b = static_cast<std::uint8_t>(rng_.next_u64());
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  p_.cpu_bus().write_block(src, pattern.data(), kLen, d);
  sc_core::wait(d);
  using Dev = pci::PciTestDevice;
  mmio_write(regs + Dev::kDmaSrc, 8, src);
  mmio_write(regs + Dev::kDmaDst, 8, dst);
  mmio_write(regs + Dev::kDmaLen, 4, kLen);
  mmio_write(regs + Dev::kDmaVector, 4, 0);
  const Picos start = now();
  last_irq_vector_ = 0;
  mmio_write(regs + Dev::kDmaCmd, 4, Dev::kCmdStart | Dev::kCmdIrq);
  sc_core::wait(sc_core::sc_time(1, sc_core::SC_MS), irq_event_);
  f.irq_latency = now() - start;
  const bool irq_ok = last_irq_vector_ == vector;
  const auto status = static_cast<std::uint32_t>(mmio_read(regs + Dev::kDmaStatus, 4));
  d = sc_core::SC_ZERO_TIME;
  p_.cpu_bus().read_block(dst, back.data(), kLen, d);
  sc_core::wait(d);
  f.dma_ok = status == Dev::kStatusDone && back == pattern;
  f.interrupt_ok = irq_ok;
  if (!f.interrupt_ok || !f.dma_ok) ok_ = false;
  mmio_write(regs + Dev::kIntStatus, 4, Dev::kIntDmaDone);
  p_.trace().emit(f.interrupt_ok && f.dma_ok ? Severity::info : Severity::error, name_, "dma.test",
                  {{"bdf", f.bdf()},
                   {"vector", vector},
                   {"interrupt", f.interrupt_ok},
                   {"data_verified", f.dma_ok},
                   {"time_ps", f.irq_latency}});
}

void PciProbe::print(const ProbedFunction& f) {
  std::ostream& o = p_.out();
  char head[128];
  std::snprintf(head, sizeof head, "%s %04x:%04x class %02x.%02x.%02x (%s)\n", f.bdf().c_str(), f.vendor, f.device_id,
                f.class_code, f.subclass, f.prog_if, class_name(f.class_code, f.subclass, f.prog_if));
  o << head;
  for (const auto& b : f.bars)
    o << "  BAR" << b.index << ": " << (b.is64 ? "mem64" : "mem32") << (b.prefetchable ? " prefetchable" : "") << ", "
      << human_size(b.size) << " at " << hex(b.address) << "\n";
  if (f.link_speed) {
    static const char* speeds[] = {"?", "2.5", "5", "8", "16", "32"};
    o << "  PCI Express: link " << speeds[f.link_speed < 6 ? f.link_speed : 0] << " GT/s x" << f.link_width << "\n";
  }
  if (f.msi_vectors)
    o << "  MSI: " << f.msi_vectors << " vector" << (f.msi_vectors == 1 ? "" : "s")
      << (f.msi_64bit ? ", 64-bit address" : ", 32-bit address") << (f.msi_masking ? ", per-vector masking" : "")
      << "\n";
  if (f.msix_vectors)
    o << "  MSI-X: " << f.msix_vectors << " vector" << (f.msix_vectors == 1 ? "" : "s") << ", table BAR"
      << f.msix_table_bir << "+" << hex(f.msix_table_offset) << ", PBA BAR" << f.msix_pba_bir << "+"
      << hex(f.msix_pba_offset) << "\n";
  if (f.vendor == pci::PciTestParams{}.vendor_id && f.device_id == pci::PciTestParams{}.device_id &&
      (f.msix_vectors || f.msi_vectors))
    o << "  DMA copy of 16 KiB, completion by " << (f.msix_vectors ? "MSI-X" : "MSI") << ": data "
      << (f.dma_ok ? "verified" : "WRONG") << ", interrupt " << (f.interrupt_ok ? "delivered" : "NOT delivered")
      << " after " << format_time(f.irq_latency) << "\n";
}

}  // namespace sim::platform
