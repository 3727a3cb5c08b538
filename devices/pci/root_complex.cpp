#include "devices/pci/root_complex.hpp"

#include <cstring>
#include <stdexcept>

#include "sim/core/address_map.hpp"

namespace pci {

RootComplex::RootComplex(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory,
                         InterruptController& irqc)
    : sc_module(name),
      cpu_socket("cpu_socket"),
      cfg_out("cfg_out"),
      mmio_out("mmio_out"),
      dma_in("dma_in"),
      trace_(trace),
      memory_(memory),
      irqc_(irqc) {
  cpu_socket.register_b_transport(this, &RootComplex::cpu_transport);
  dma_in.register_b_transport(this, &RootComplex::dma_transport);
  dma_in.register_get_direct_mem_ptr(this, &RootComplex::dma_direct);
}

void RootComplex::attach(PciFunction& f, std::uint8_t device, std::uint8_t function) {
  if (device > 31 || function > 7) throw std::invalid_argument("bad PCI device or function number");
  const auto key = static_cast<std::uint16_t>((device << 3) | function);
  if (by_devfn_.count(key)) throw std::invalid_argument("PCI slot " + Bdf{0, device, function}.str() + " taken");
  const int index = static_cast<int>(functions_.size());
  functions_.push_back(&f);
  by_devfn_[key] = index;
  f.set_bdf(Bdf{0, device, function});
  f.on_decode_change([this] { windows_dirty_ = true; });
  cfg_out.bind(f.cfg_socket);
  mmio_out.bind(f.mmio_socket);
  f.dma_socket.bind(dma_in);
  // Function 0 of a device with several functions says so in Header Type.
  if (PciFunction* f0 = function_at(device, 0)) {
    bool multi = false;
    for (std::uint8_t fn = 1; fn < 8; ++fn) multi |= function_at(device, fn) != nullptr;
    f0->config().set_multifunction(multi);
  }
}

PciFunction* RootComplex::function_at(std::uint8_t device, std::uint8_t function) const {
  const auto it = by_devfn_.find(static_cast<std::uint16_t>((device << 3) | function));
  return it == by_devfn_.end() ? nullptr : functions_[static_cast<std::size_t>(it->second)];
}

void RootComplex::master_abort(tlm::tlm_generic_payload& p, const char* why) {
  ++master_aborts_;
  trace_.warn("pci.rc", "master_abort",
              {{"op", p.is_read() ? "read" : "write"},
               {"address", sim::Hex{p.get_address()}},
               {"size", p.get_data_length()},
               {"reason", why}});
  if (p.is_read()) std::memset(p.get_data_ptr(), 0xFF, p.get_data_length());
  // What the CPU sees of a master abort: reads complete with all ones.
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void RootComplex::cpu_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t a = p.get_address();
  const unsigned len = p.get_data_length();
  if (memory_.contains(a, len)) {
    const bool ok = p.is_read() ? memory_.read(a, p.get_data_ptr(), len) : memory_.write(a, p.get_data_ptr(), len);
    delay += memory_latency_;
    p.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (sim::addr::in(a, sim::addr::kEcamBase, sim::addr::kEcamSize)) return config_access(p, delay);
  mmio_access(p, delay);
}

void RootComplex::config_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t off = p.get_address() - sim::addr::kEcamBase;
  const auto bus = static_cast<unsigned>(off >> 20);
  const auto dev = static_cast<std::uint8_t>((off >> 15) & 0x1F);
  const auto fn = static_cast<std::uint8_t>((off >> 12) & 0x7);
  const auto reg = off & 0xFFF;
  const unsigned len = p.get_data_length();
  if ((len != 1 && len != 2 && len != 4) || reg % len != 0) return master_abort(p, "malformed configuration request");
  PciFunction* f = bus == 0 ? function_at(dev, fn) : nullptr;
  if (!f) {
    // No function: the configuration read completes with all ones (so the
    // Vendor ID reads 0xFFFF), a write is dropped. Normal during enumeration:
    // not a warning.
    if (p.is_read()) std::memset(p.get_data_ptr(), 0xFF, len);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    delay += sc_core::sc_time(100, sc_core::SC_NS);
    return;
  }
  const sc_dt::uint64 full = p.get_address();
  p.set_address(reg);
  cfg_out[by_devfn_.at(static_cast<std::uint16_t>((dev << 3) | fn))]->b_transport(p, delay);
  p.set_address(full);
  if (!p.is_response_ok()) p.set_response_status(tlm::TLM_OK_RESPONSE);  // the function already filled all ones
}

void RootComplex::rebuild_windows() {
  windows_.clear();
  for (std::size_t i = 0; i < functions_.size(); ++i) {
    const ConfigSpace& cs = functions_[i]->config();
    if (!cs.memory_space_enabled()) continue;
    for (unsigned b = 0; b < kNumBars; ++b) {
      const BarInfo bi = cs.bar(b);
      if (bi.kind == BarKind::none || bi.address == 0) continue;
      // The first claim wins if software programmed overlapping BARs.
      windows_.emplace(bi.address, Window{bi.address, bi.size, static_cast<int>(i), b});
    }
  }
  windows_dirty_ = false;
}

std::optional<RootComplex::Window> RootComplex::decode(std::uint64_t addr, unsigned len) {
  if (windows_dirty_) rebuild_windows();
  auto it = windows_.upper_bound(addr);
  if (it == windows_.begin()) return std::nullopt;
  --it;
  const Window& w = it->second;
  if (addr - w.base >= w.size || len > w.size - (addr - w.base)) return std::nullopt;
  return w;
}

void RootComplex::mmio_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t a = p.get_address();
  const unsigned len = p.get_data_length();
  const auto w = decode(a, len);
  if (!w) return master_abort(p, "no BAR claims the address");
  BarAccess ext;
  ext.bar = w->bar;
  p.set_extension(&ext);
  p.set_address(a - w->base);
  mmio_out[w->index]->b_transport(p, delay);
  p.set_address(a);
  p.clear_extension(&ext);
  if (!p.is_response_ok()) {
    // The function rejected the access (a width it does not support):
    // to the CPU this still looks like a master abort.
    ++master_aborts_;
    if (p.is_read()) std::memset(p.get_data_ptr(), 0xFF, len);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
}

void RootComplex::dma_transport(int index, tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t a = p.get_address();
  const unsigned len = p.get_data_length();
  PciFunction& f = *functions_[static_cast<std::size_t>(index)];
  if (sim::addr::in(a, sim::addr::kMsiBase, sim::addr::kMsiSize)) {
    if (p.is_write() && len == 4 && a % 4 == 0) {
      std::uint32_t data = 0;
      std::memcpy(&data, p.get_data_ptr(), 4);
      irqc_.message(a, data, f.component(), delay);
      p.set_response_status(tlm::TLM_OK_RESPONSE);
      return;
    }
    ++unsupported_requests_;
    trace_.warn("pci.rc", "msi.malformed",
                {{"source", f.component()}, {"address", sim::Hex{a}}, {"size", len}, {"write", p.is_write()}});
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (!memory_.contains(a, len)) {
    ++unsupported_requests_;
    trace_.warn("pci.rc", "dma.outside_memory",
                {{"source", f.component()}, {"op", p.is_read() ? "read" : "write"}, {"address", sim::Hex{a}},
                 {"size", len}});
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (p.is_read())
    memory_.read(a, p.get_data_ptr(), len);
  else
    memory_.write(a, p.get_data_ptr(), len);
  delay += memory_latency_;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool RootComplex::dma_direct(int, tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
  std::uint64_t start = 0, len = 0;
  if (!memory_.range_of(p.get_address(), start, len)) return false;
  dmi.set_dmi_ptr(memory_.host_ptr(start, len));
  dmi.set_start_address(start);
  dmi.set_end_address(start + len - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(memory_latency_);
  dmi.set_write_latency(memory_latency_);
  return true;
}

}  // namespace pci
