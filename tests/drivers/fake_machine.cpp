#include "tests/drivers/fake_machine.hpp"

#include <stdexcept>

namespace fake {

FakeFunction::FakeFunction(std::uint16_t vendor, std::uint16_t device, std::uint8_t class_code,
                           std::uint8_t subclass, std::uint8_t prog_if) {
  cs.set_ids(vendor, device, class_code, subclass, prog_if, 0x01);
}

void FakeFunction::add_pcie(unsigned max_payload) {
  pci::PcieLinkParams link;
  link.max_payload = max_payload;
  pcie.install(cs, link);
}

void FakeFunction::config_write(std::uint16_t offset, unsigned size, std::uint32_t value) {
  if (offset >= pci::kBar0 && offset < pci::kBar0 + 4 * pci::kNumBars && cs.memory_space_enabled())
    ++bar_writes_while_decoding;
  cs.write(offset, size, value);
  deliver_pending();  // an unmask (MSI mask bits, MSI-X Function Mask) releases what is pending
}

bool FakeFunction::claims(std::uint64_t addr, unsigned& bar, std::uint64_t& offset) const {
  if (!cs.memory_space_enabled()) return false;
  for (unsigned i = 0; i < pci::kNumBars; ++i) {
    const pci::BarInfo b = cs.bar(i);
    if (b.kind == pci::BarKind::none || b.address == 0) continue;
    if (addr >= b.address && addr - b.address < b.size) {
      bar = i;
      offset = addr - b.address;
      return true;
    }
  }
  return false;
}

bool FakeFunction::in_msix_table(unsigned bar, std::uint64_t offset) const {
  return msix.present() && bar == msix.table_bir() && offset >= msix.table_offset() &&
         offset < msix.table_offset() + msix.table_bytes();
}

bool FakeFunction::in_msix_pba(unsigned bar, std::uint64_t offset) const {
  return msix.present() && bar == msix.pba_bir() && offset >= msix.pba_offset() &&
         offset < msix.pba_offset() + msix.pba_bytes();
}

std::uint64_t FakeFunction::bar_read(unsigned bar, std::uint64_t offset, unsigned width) {
  std::uint64_t v = 0;
  if (in_msix_table(bar, offset)) {
    if (!msix.table_read(static_cast<std::uint32_t>(offset - msix.table_offset()), width, v)) v = ~0ULL;
    return v;
  }
  if (in_msix_pba(bar, offset)) {
    if (!msix.pba_read(static_cast<std::uint32_t>(offset - msix.pba_offset()), width, v)) v = ~0ULL;
    return v;
  }
  return reg_read(bar, offset, width);
}

void FakeFunction::bar_write(unsigned bar, std::uint64_t offset, unsigned width, std::uint64_t value) {
  if (in_msix_table(bar, offset)) {
    msix.table_write(static_cast<std::uint32_t>(offset - msix.table_offset()), width, value);
    deliver_pending();
    return;
  }
  if (in_msix_pba(bar, offset)) return;  // read-only
  reg_write(bar, offset, width, value);
}

std::uint64_t FakeFunction::reg_read(unsigned bar, std::uint64_t offset, unsigned width) {
  const auto it = scratch_.find({bar, offset});
  return it == scratch_.end() ? 0 : it->second;
}

void FakeFunction::reg_write(unsigned bar, std::uint64_t offset, unsigned width, std::uint64_t value) {
  scratch_[{bar, offset}] = value;
}

void FakeFunction::send(std::uint64_t address, std::uint32_t data) {
  if (!cs.bus_master_enabled()) return;  // a message is a memory write: needs Bus Master Enable
  ++messages_sent;
  if (machine && machine->on_message) machine->on_message(address, data);
}

void FakeFunction::signal_interrupt(unsigned source) {
  if (msix.enabled(cs)) {
    if (source >= msix.table_size()) return;
    if (msix.function_masked(cs) || msix.entry_masked(source)) {
      msix.set_pending(source, true);
      return;
    }
    const pci::MsiMessage m = msix.message(source);
    send(m.address, m.data);
  } else if (msi.enabled(cs)) {
    if (source >= msi.enabled_vectors(cs)) return;
    if (msi.masked(cs, source)) {
      msi.set_pending(cs, source, true);
      return;
    }
    const pci::MsiMessage m = msi.message(cs, source);
    send(m.address, m.data);
  }
}

void FakeFunction::deliver_pending() {
  if (msix.enabled(cs) && !msix.function_masked(cs)) {
    for (unsigned v = 0; v < msix.table_size(); ++v) {
      if (!msix.pending(v) || msix.entry_masked(v)) continue;
      msix.set_pending(v, false);
      const pci::MsiMessage m = msix.message(v);
      send(m.address, m.data);
    }
  } else if (msi.enabled(cs)) {
    for (unsigned v = 0; v < msi.enabled_vectors(cs); ++v) {
      if (!msi.pending(cs, v) || msi.masked(cs, v)) continue;
      msi.set_pending(cs, v, false);
      const pci::MsiMessage m = msi.message(cs, v);
      send(m.address, m.data);
    }
  }
}

void FakeMachine::add(std::uint8_t dev, std::uint8_t fn, std::unique_ptr<FakeFunction> f) {
  f->machine = this;
  functions_[{dev, fn}] = std::move(f);
  FakeFunction* f0 = function(dev, 0);
  if (f0 == nullptr) return;
  bool others = false;
  for (std::uint8_t i = 1; i < 8; ++i) others = others || function(dev, i) != nullptr;
  f0->cs.set_multifunction(others);
}

FakeFunction* FakeMachine::function(std::uint8_t dev, std::uint8_t fn) {
  const auto it = functions_.find({dev, fn});
  return it == functions_.end() ? nullptr : it->second.get();
}

hal::DmaBuffer FakeMachine::alloc(std::size_t bytes) {
  const std::size_t size = ((bytes ? bytes : 1) + 4095) & ~std::size_t{4095};
  auto r = std::make_unique<Region>();
  r->phys = next_ram_;
  r->bytes.assign(size, 0);
  next_ram_ += size + 4096;  // a guard page between regions
  hal::DmaBuffer b{r->phys, r->bytes.data(), bytes};
  ram_.push_back(std::move(r));
  return b;
}

std::uint8_t* FakeMachine::ram(std::uint64_t phys, std::uint64_t len) {
  for (const auto& r : ram_) {
    if (phys >= r->phys && phys - r->phys <= r->bytes.size() && len <= r->bytes.size() - (phys - r->phys))
      return r->bytes.data() + (phys - r->phys);
  }
  return nullptr;
}

bool FakeMachine::ecam_decode(std::uint64_t phys, unsigned width, FakeFunction*& f, std::uint16_t& offset,
                              std::uint8_t& dev, std::uint8_t& fn) {
  const std::uint64_t rel = phys - kEcamBase;
  if ((width != 1 && width != 2 && width != 4) || rel % width != 0) {
    ++master_aborts;  // the root complex: larger than a dword or misaligned
    return false;
  }
  if ((rel >> 20) != 0) return false;  // bus 0 only
  dev = static_cast<std::uint8_t>((rel >> 15) & 0x1F);
  fn = static_cast<std::uint8_t>((rel >> 12) & 0x7);
  offset = static_cast<std::uint16_t>(rel & 0xFFF);
  f = function(dev, fn);
  return f != nullptr;
}

std::uint64_t FakeMachine::mmio_read(std::uint64_t phys, unsigned width) {
  const std::uint64_t ones = width >= 8 ? ~0ULL : ((1ULL << (8 * width)) - 1);
  if (phys >= kEcamBase && phys - kEcamBase < kEcamSize) {
    FakeFunction* f = nullptr;
    std::uint16_t off = 0;
    std::uint8_t dev = 0, fn = 0;
    if (!ecam_decode(phys, width, f, off, dev, fn)) return ones;
    return f->config_read(off, width);
  }
  for (auto& [at, f] : functions_) {
    unsigned bar = 0;
    std::uint64_t off = 0;
    if (f->claims(phys, bar, off)) return f->bar_read(bar, off, width) & ones;
  }
  ++master_aborts;
  return ones;
}

void FakeMachine::mmio_write(std::uint64_t phys, unsigned width, std::uint64_t value) {
  if (phys >= kEcamBase && phys - kEcamBase < kEcamSize) {
    FakeFunction* f = nullptr;
    std::uint16_t off = 0;
    std::uint8_t dev = 0, fn = 0;
    if (!ecam_decode(phys, width, f, off, dev, fn)) return;
    config_writes.push_back({dev, fn, off, width, static_cast<std::uint32_t>(value)});
    f->config_write(off, width, static_cast<std::uint32_t>(value));
    return;
  }
  for (auto& [at, f] : functions_) {
    unsigned bar = 0;
    std::uint64_t off = 0;
    if (f->claims(phys, bar, off)) return f->bar_write(bar, off, width, value);
  }
  ++master_aborts;
}

}  // namespace fake
