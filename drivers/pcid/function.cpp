#include "drivers/pcid/function.hpp"

#include <cstdio>

#include "drivers/pcid/regs.hpp"

namespace pcid {

std::string Bdf::str() const {
  char b[16];
  std::snprintf(b, sizeof b, "%02x:%02x.%x", bus, device, function);
  return b;
}

std::uint16_t MsiInfo::data_offset() const {
  return static_cast<std::uint16_t>(offset + (is64 ? regs::kMsiMessageData64 : regs::kMsiMessageData32));
}

std::uint16_t MsiInfo::mask_offset() const {
  return static_cast<std::uint16_t>(offset + (is64 ? regs::kMsiMaskBits64 : regs::kMsiMaskBits32));
}

bool Function::all_bars_assigned() const {
  for (const Bar& b : bars)
    if (b.is_memory() && !b.assigned) return false;
  return true;
}

FunctionConfig Function::config() const {
  FunctionConfig c{};
  c.bus = bdf.bus;
  c.device = bdf.device;
  c.function = bdf.function;
  c.header_type = header_type;
  c.vendor_id = vendor_id;
  c.device_id = device_id;
  c.class_code = class_code;
  c.subclass = subclass;
  c.prog_if = prog_if;
  c.revision = revision;
  c.subsystem_vendor_id = subsystem_vendor_id;
  c.subsystem_id = subsystem_id;
  c.interrupt_pin = interrupt_pin;
  c.interrupt_line = interrupt_line;
  for (unsigned i = 0; i < kNumBars; ++i) {
    const Bar& b = bars[i];
    if (!b.is_memory()) continue;
    c.bars[i].phys = b.assigned ? b.address : 0;
    c.bars[i].size = b.size;
    c.bars[i].is64 = b.type == BarType::mem64;
    c.bars[i].prefetchable = b.prefetchable;
  }
  for (const Capability& cap : capabilities) {
    if (c.capability_count == kMaxCapabilities) break;
    c.capabilities[c.capability_count++] = CapabilityConfig{cap.id, static_cast<std::uint8_t>(cap.offset)};
  }
  c.pcie_present = pcie.present;
  c.max_payload = static_cast<std::uint16_t>(pcie.max_payload);
  if (msi.present) {
    c.msi.present = 1;
    c.msi.multi_message_capable = static_cast<std::uint8_t>(msi.capable_vectors);
    c.msi.is64 = msi.is64;
    c.msi.per_vector_masking = msi.per_vector_mask;
    c.msi.offset = static_cast<std::uint8_t>(msi.offset);
  }
  if (msix.present) {
    c.msix.present = 1;
    c.msix.table_bar = static_cast<std::uint8_t>(msix.table_bar);
    c.msix.pba_bar = static_cast<std::uint8_t>(msix.pba_bar);
    c.msix.offset = static_cast<std::uint8_t>(msix.offset);
    c.msix.table_size = static_cast<std::uint16_t>(msix.table_size);
    c.msix.table_offset = msix.table_offset;
    c.msix.pba_offset = msix.pba_offset;
  }
  return c;
}

}  // namespace pcid
