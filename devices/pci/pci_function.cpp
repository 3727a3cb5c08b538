#include "devices/pci/pci_function.hpp"

#include <iterator>

#include <cstdio>
#include <cstring>

#include "sim/core/bus_master.hpp"

namespace pci {

std::string Bdf::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02x:%02x.%x", bus, device, function);
  return buf;
}

PciFunction::PciFunction(sc_core::sc_module_name name, sim::Trace& trace, const PcieLinkParams& link)
    : sc_module(name),
      cfg_socket("cfg_socket"),
      mmio_socket("mmio_socket"),
      dma_socket("dma_socket"),
      trace_(trace),
      link_params_(link),
      link_(link),
      component_(basename()) {
  cfg_socket.register_b_transport(this, &PciFunction::cfg_transport);
  mmio_socket.register_b_transport(this, &PciFunction::mmio_transport);
  // Until software programs Device Control the link runs with reset values.
  PcieLinkParams p = link_params_;
  p.max_payload = 128;
  p.max_read_request = 512;
  link_ = PcieLink(p);
  sc_core::sc_spawn_options m;
  m.spawn_method();
  m.set_sensitivity(&late_event_);
  m.dont_initialize();
  sc_core::sc_spawn([this] { apply_late_writes(); }, "late_writes", &m);
}

void PciFunction::install_pcie() { pcie_.install(cs_, link_params_); }

void PciFunction::install_msi(unsigned vectors, bool per_vector_mask) { msi_.install(cs_, vectors, per_vector_mask); }

void PciFunction::install_msix(unsigned table_size, unsigned table_bir, std::uint32_t table_offset, unsigned pba_bir,
                               std::uint32_t pba_offset) {
  msix_.install(cs_, table_size, table_bir, table_offset, pba_bir, pba_offset);
}

// ---------------------------------------------------------------------------
// Configuration accesses

void PciFunction::cfg_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const auto off = p.get_address();
  const unsigned len = p.get_data_length();
  // Configuration requests are at most one dword and never cross one (PCIe §2.2.7).
  if ((len != 1 && len != 2 && len != 4) || off % len != 0 || off + len > kConfigSpaceSize) {
    trace_.warn(component_, "cfg.bad_access", {{"offset", sim::Hex{off}}, {"size", len}});
    if (p.is_read()) std::memset(p.get_data_ptr(), 0xFF, len);
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const auto o = static_cast<std::uint16_t>(off);
  delay += sim::to_sc(link_.cpu_read_time(len));
  if (p.is_read()) {
    const std::uint32_t v = cs_.read(o, len);
    std::memcpy(p.get_data_ptr(), &v, len);
  } else {
    std::uint32_t v = 0;
    std::memcpy(&v, p.get_data_ptr(), len);
    const std::uint16_t old_command = cs_.command();
    cs_.write(o, len, v);
    trace_.debug(component_, "cfg.write", {{"offset", sim::Hex{o}}, {"size", len}, {"value", sim::Hex{v}}});
    after_config_write(o, len, old_command);
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PciFunction::after_config_write(std::uint16_t offset, unsigned size, std::uint16_t old_command) {
  const auto overlaps = [&](std::uint16_t start, std::uint16_t n) { return offset < start + n && offset + size > start; };
  const std::uint16_t cmd = cs_.command();
  if (overlaps(kCommand, 2) && cmd != old_command) {
    trace_.info(component_, "pci.command",
                {{"mse", (cmd & kCommandMemorySpace) != 0},
                 {"bme", (cmd & kCommandBusMaster) != 0},
                 {"intx_disable", (cmd & kCommandInterruptDisable) != 0}});
    if ((cmd ^ old_command) & kCommandMemorySpace && decode_changed_) decode_changed_();
  }
  if (overlaps(kBar0, 4 * kNumBars) && decode_changed_) decode_changed_();
  if (pcie_.touches(offset, size)) {
    PcieLinkParams p = link_params_;
    p.max_payload = pcie_.max_payload(cs_);
    p.max_read_request = pcie_.max_read_request(cs_);
    link_ = PcieLink(p);
  }
  if (msi_.touches(offset, size) || msix_.touches(offset, size)) {
    if (msi_.enabled(cs_) && msix_.enabled(cs_))
      trace_.warn(component_, "msi.both_enabled", {{"note", "MSI-X takes precedence"}});
    deliver_pending();
  }
  config_written(offset, size);
}

// ---------------------------------------------------------------------------
// BAR accesses

void PciFunction::mmio_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  BarAccess* ext = nullptr;
  p.get_extension(ext);
  const unsigned len = p.get_data_length();
  const std::uint64_t off = p.get_address();
  if (!ext || (len != 1 && len != 2 && len != 4 && len != 8)) {
    trace_.warn(component_, "mmio.bad_access", {{"offset", sim::Hex{off}}, {"size", len}});
    if (p.is_read()) std::memset(p.get_data_ptr(), 0xFF, len);
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  const unsigned bar = ext->bar;
  const sim::Picos ahead = delay.value();  // the initiator's local time offset
  delay += sim::to_sc(p.is_read() ? link_.cpu_read_time(len) : link_.cpu_write_time(len)) + register_access_time();
  std::uint64_t v = 0;
  if (p.is_read()) {
    if (!late_.empty() && late_.front().at <= sim::now()) apply_late_writes();  // a read passes no write
    if (!msix_bar_access(bar, off, len, false, v)) v = bar_read(bar, off, len);
    std::memcpy(p.get_data_ptr(), &v, len);
  } else {
    std::memcpy(&v, p.get_data_ptr(), len);
    const sim::Picos at = sim::now() + ahead;
    if (ahead == 0 && late_.empty()) {
      write_now(bar, off, len, v);
    } else if (!late_.empty() || in_msix_structures(bar, off) || !bar_write_posted(bar, off, len, v, at)) {
      // Kept until it arrives, after every write that arrives before it (one
      // from another CPU may arrive earlier than one already kept).
      auto it = late_.end();
      while (it != late_.begin() && std::prev(it)->at > at) --it;
      late_.insert(it, LateWrite{at, bar, off, len, v});
      late_event_.notify(sim::to_sc(late_.front().at - sim::now()));
    }
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PciFunction::write_now(unsigned bar, std::uint64_t off, unsigned size, std::uint64_t value) {
  if (!msix_bar_access(bar, off, size, true, value)) bar_write(bar, off, size, value);
}

void PciFunction::apply_late_writes() {
  const sim::Picos now = sim::now();
  while (!late_.empty() && late_.front().at <= now) {
    const LateWrite w = late_.front();
    late_.pop_front();
    write_now(w.bar, w.offset, w.size, w.value);
  }
  if (!late_.empty()) late_event_.notify(sim::to_sc(late_.front().at - now));
}

bool PciFunction::in_msix_structures(unsigned bar, std::uint64_t off) const {
  if (!msix_.present()) return false;
  const auto in = [&](unsigned bir, std::uint32_t start, std::uint32_t n) {
    return bar == bir && off >= start && off < std::uint64_t{start} + n;
  };
  return in(msix_.table_bir(), msix_.table_offset(), msix_.table_bytes()) ||
         in(msix_.pba_bir(), msix_.pba_offset(), msix_.pba_bytes());
}

bool PciFunction::msix_bar_access(unsigned bar, std::uint64_t off, unsigned size, bool write, std::uint64_t& value) {
  if (!msix_.present()) return false;
  const auto in = [&](unsigned bir, std::uint32_t start, std::uint32_t n) {
    return bar == bir && off >= start && off < std::uint64_t{start} + n;
  };
  if (in(msix_.table_bir(), msix_.table_offset(), msix_.table_bytes())) {
    const auto rel = static_cast<std::uint32_t>(off - msix_.table_offset());
    const bool ok = write ? msix_.table_write(rel, size, value) : msix_.table_read(rel, size, value);
    if (!ok) {
      trace_.warn(component_, "msix.bad_table_access", {{"offset", sim::Hex{rel}}, {"size", size}});
      if (!write) value = ~std::uint64_t{0};
    } else if (write && (rel % kMsixEntrySize) >= kMsixEntryVectorControl - (size == 8 ? 4u : 0u)) {
      deliver_pending();  // the write may have cleared a Mask bit
    }
    return true;
  }
  if (in(msix_.pba_bir(), msix_.pba_offset(), msix_.pba_bytes())) {
    const auto rel = static_cast<std::uint32_t>(off - msix_.pba_offset());
    if (write) {
      trace_.warn(component_, "msix.pba_write_ignored", {{"offset", sim::Hex{rel}}});  // PBA is read-only
    } else if (!msix_.pba_read(rel, size, value)) {
      trace_.warn(component_, "msix.bad_pba_access", {{"offset", sim::Hex{rel}}, {"size", size}});
      value = ~std::uint64_t{0};
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Interrupts

void PciFunction::signal_interrupt(unsigned vector) {
  if (msix_.enabled(cs_)) {
    if (vector >= msix_.table_size()) {
      trace_.warn(component_, "msix.bad_vector", {{"vector", vector}, {"table_size", msix_.table_size()}});
      return;
    }
    if (msix_.function_masked(cs_) || msix_.entry_masked(vector)) {
      msix_.set_pending(vector, true);  // delivered when unmasked (§6.8.2.9)
      trace_.debug(component_, "msix.pending", {{"vector", vector}});
      return;
    }
    send_message(msix_.message(vector), vector, "msix");
    return;
  }
  if (msi_.enabled(cs_)) {
    const unsigned n = msi_.enabled_vectors(cs_);
    const unsigned v = vector & (n - 1);
    if (msi_.masked(cs_, v)) {
      msi_.set_pending(cs_, v, true);
      trace_.debug(component_, "msi.pending", {{"vector", v}});
      return;
    }
    send_message(msi_.message(cs_, v), v, "msi");
    return;
  }
  set_intx(true);
}

void PciFunction::set_intx(bool asserted) {
  const bool was = cs_.get16(kStatus) & kStatusInterrupt;
  if (asserted == was) return;
  if (asserted)
    cs_.set_status_bits(kStatusInterrupt);
  else
    cs_.clear_status_bits(kStatusInterrupt);
  const bool disabled = cs_.command() & kCommandInterruptDisable;
  trace_.info(component_, asserted ? "intx.assert" : "intx.deassert", {{"disabled", disabled}});
}

void PciFunction::deliver_pending() {
  if (msix_.enabled(cs_) && !msix_.function_masked(cs_)) {
    for (unsigned v = 0; v < msix_.table_size(); ++v) {
      if (msix_.pending(v) && !msix_.entry_masked(v)) {
        msix_.set_pending(v, false);
        send_message(msix_.message(v), v, "msix");
      }
    }
  } else if (!msix_.enabled(cs_) && msi_.enabled(cs_) && msi_.per_vector_mask()) {
    for (unsigned v = 0; v < msi_.enabled_vectors(cs_); ++v) {
      if (msi_.pending(cs_, v) && !msi_.masked(cs_, v)) {
        msi_.set_pending(cs_, v, false);
        send_message(msi_.message(cs_, v), v, "msi");
      }
    }
  }
}

void PciFunction::send_message(const MsiMessage& m, unsigned vector, const char* kind) {
  trace_.info(component_, kind,
              {{"vector", vector}, {"address", sim::Hex{m.address}}, {"data", sim::Hex{m.data}}});
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  std::uint32_t data = m.data;
  // An MSI is a posted memory write, so it needs Bus Master Enable too.
  if (dma_write(m.address, &data, 4, delay) == DmaStatus::ok) ++messages_sent_;
}

// ---------------------------------------------------------------------------
// DMA

DmaStatus PciFunction::dma_read(std::uint64_t addr, void* dst, std::uint64_t len, sc_core::sc_time& delay) {
  return dma(tlm::TLM_READ_COMMAND, addr, static_cast<unsigned char*>(dst), len, delay);
}

DmaStatus PciFunction::dma_write(std::uint64_t addr, const void* src, std::uint64_t len, sc_core::sc_time& delay) {
  return dma(tlm::TLM_WRITE_COMMAND, addr, const_cast<unsigned char*>(static_cast<const unsigned char*>(src)), len,
             delay);
}

DmaStatus PciFunction::dma(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, std::uint64_t len,
                           sc_core::sc_time& delay) {
  const bool is_read = cmd == tlm::TLM_READ_COMMAND;
  if (!cs_.bus_master_enabled()) {
    // PCI 3.0 §6.2.2: with Bus Master disabled the function must not issue
    // memory requests. The request is dropped here; nothing reaches memory.
    trace_.warn(component_, "dma.bus_master_disabled",
                {{"op", is_read ? "read" : "write"}, {"address", sim::Hex{addr}}, {"length", len}});
    return DmaStatus::bus_master_disabled;
  }
  delay += sim::to_sc(is_read ? link_.read_time(len) : link_.write_time(len));
  if (dma_direct(is_read, addr, data, len, delay)) return DmaStatus::ok;
  bool ok = false;
  dma_payload_.use(cmd, addr, data, static_cast<unsigned>(len), [&](tlm::tlm_generic_payload& p) {
    dma_socket->b_transport(p, delay);
    ok = p.is_response_ok();
  });
  if (!ok) {
    // The root complex answered Unsupported Request: a requester records
    // Received Master Abort (PCIe §7.5.1.2).
    cs_.set_status_bits(kStatusReceivedMasterAbort);
    trace_.warn(component_, "dma.unsupported_request",
                {{"op", is_read ? "read" : "write"}, {"address", sim::Hex{addr}}, {"length", len}});
    return DmaStatus::unsupported_request;
  }
  return DmaStatus::ok;
}

bool PciFunction::dma_direct(bool is_read, std::uint64_t addr, unsigned char* data, std::uint64_t len,
                             sc_core::sc_time& delay) {
  if (!dmi_asked_) {
    dmi_asked_ = true;
    dma_payload_.use(tlm::TLM_READ_COMMAND, addr, data, static_cast<unsigned>(len), [&](tlm::tlm_generic_payload& p) {
      dmi_granted_ = dma_socket->get_direct_mem_ptr(p, dmi_);
    });
  }
  const std::uint64_t start = dmi_.get_start_address(), end = dmi_.get_end_address();
  if (!dmi_granted_ || len == 0 || addr < start || addr > end || len - 1 > end - addr) return false;
  unsigned char* mem = dmi_.get_dmi_ptr() + (addr - start);
  if (is_read) {
    std::memcpy(data, mem, len);
    delay += dmi_.get_read_latency();
  } else {
    std::memcpy(mem, data, len);
    delay += dmi_.get_write_latency();
  }
  return true;
}

}  // namespace pci
