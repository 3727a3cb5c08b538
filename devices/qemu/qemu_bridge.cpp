#include "devices/qemu/qemu_bridge.hpp"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "sim/core/address_map.hpp"

namespace qemu {

namespace {

constexpr std::uint16_t kConfigAddress = 0xCF8;
constexpr std::uint16_t kConfigData = 0xCFC;
constexpr std::uint16_t kStatus = 0x06;
constexpr std::uint16_t kStatusCapList = 0x10;
constexpr std::uint16_t kCapPointer = 0x34;
constexpr std::uint8_t kCapMsi = 0x05;
constexpr std::uint8_t kCapMsix = 0x11;
constexpr std::uint16_t kBar0 = 0x10;
constexpr unsigned kMsixEntry = 16;
constexpr unsigned kMsixIntercepted = 12;    // address lo, hi, data; Vector Control passes through
constexpr std::uint32_t kMsixMarker = 0x8000'0000u;  // data bit 31 (reserved on x86): "QEMU wrote this"

std::string bdf_text(std::uint8_t d, std::uint8_t f) {
  char b[16];
  std::snprintf(b, sizeof b, "00:%02x.%u", d, f);
  return b;
}

std::uint8_t byte_of(std::uint64_t v, unsigned i) { return static_cast<std::uint8_t>(v >> (8 * i)); }

}  // namespace

QemuBridge::QemuBridge(sc_core::sc_module_name name, sim::Trace& trace, sim::GuestMemory& memory,
                       pci::InterruptController& irqc, QtestClient& qtest, BridgeConfig config)
    : sc_module(name),
      cpu_socket("cpu_socket"),
      trace_(trace),
      memory_(memory),
      irqc_(irqc),
      qtest_(qtest),
      config_(std::move(config)) {
  cpu_socket.register_b_transport(this, &QemuBridge::cpu_transport);
  for (const VisibleFunction& v : config_.functions) {
    if (v.device > 31 || v.function > 7) throw std::invalid_argument("bad PCI device or function number");
    if (find(v.device, v.function)) throw std::invalid_argument("PCI slot " + bdf_text(v.device, v.function) + " named twice");
    functions_.push_back(Function{});
    functions_.back().id = v;
  }
  for (Function& f : functions_) discover(f);
  if (std::uint64_t{mailboxes_} * 4 > config_.mailbox_bytes)
    throw std::runtime_error("QEMU platform: " + std::to_string(mailboxes_) + " interrupt vectors need more mailbox room");
  if (mailboxes_ > 0) {
    mailbox_words_ = reinterpret_cast<std::uint32_t*>(memory_.host_ptr(config_.mailbox_base, std::uint64_t{mailboxes_} * 4));
    if (!mailbox_words_) throw std::runtime_error("QEMU platform: the interrupt mailboxes are outside guest RAM");
    std::memset(mailbox_words_, 0, std::size_t{mailboxes_} * 4);
  }
  SC_HAS_PROCESS(QemuBridge);
  SC_THREAD(poll);
}

QemuBridge::Function* QemuBridge::find(std::uint8_t device, std::uint8_t function) {
  for (Function& f : functions_)
    if (f.id.device == device && f.id.function == function) return &f;
  return nullptr;
}

std::uint64_t QemuBridge::msix_mailbox(std::size_t index, unsigned entry) const {
  return mailbox_address(functions_.at(index).msix_mailbox + entry);
}

// ---------------------------------------------------------------- configuration

void QemuBridge::select(const Function& f, std::uint16_t reg) {
  const std::uint32_t v = 0x8000'0000u | (std::uint32_t{f.id.device} << 11) | (std::uint32_t{f.id.function} << 8) |
                          (reg & 0xFCu);
  if (cf8_valid_ && cf8_ == v) return;  // nothing else writes 0xCF8: no firmware runs
  qtest_.outl(kConfigAddress, v);
  cf8_ = v;
  cf8_valid_ = true;
}

std::uint32_t QemuBridge::raw_config_read(const Function& f, std::uint16_t reg, unsigned size) {
  select(f, reg);
  const auto port = static_cast<std::uint16_t>(kConfigData + (reg & 3));
  switch (size) {
    case 1: return qtest_.inb(port);
    case 2: return qtest_.inw(port);
    default: return qtest_.inl(port);
  }
}

void QemuBridge::raw_config_write(const Function& f, std::uint16_t reg, unsigned size, std::uint32_t v) {
  select(f, reg);
  const auto port = static_cast<std::uint16_t>(kConfigData + (reg & 3));
  switch (size) {
    case 1: qtest_.outb(port, static_cast<std::uint8_t>(v)); break;
    case 2: qtest_.outw(port, static_cast<std::uint16_t>(v)); break;
    default: qtest_.outl(port, v); break;
  }
}

void QemuBridge::discover(Function& f) {
  const std::uint32_t id = raw_config_read(f, 0, 4);
  if ((id & 0xFFFF) == 0xFFFF || (id & 0xFFFF) == 0)
    throw std::runtime_error("QEMU has no PCI function at " + bdf_text(f.id.device, f.id.function) + " (for '" +
                             f.id.name + "')");
  if (raw_config_read(f, kStatus, 2) & kStatusCapList) {
    std::uint16_t at = raw_config_read(f, kCapPointer, 1) & 0xFC;
    for (unsigned n = 0; at != 0 && n < 48; ++n) {
      const std::uint32_t head = raw_config_read(f, at, 4);
      const auto cap = static_cast<std::uint8_t>(head);
      const auto control = static_cast<std::uint16_t>(head >> 16);
      if (cap == kCapMsi && !f.msi_offset) {
        f.msi_offset = at;
        f.msi_is64 = control & 0x80;
        f.msi_mailbox = mailboxes_++;
      }
      if (cap == kCapMsix && !f.msix_offset) {
        f.msix_offset = at;
        f.table_size = (control & 0x7FFu) + 1;
        const std::uint32_t table = raw_config_read(f, static_cast<std::uint16_t>(at + 4), 4);
        f.table_bar = table & 7;
        f.table_offset = table & ~7u;
        f.msix_shadow.assign(f.table_size, {});
        f.msix_mailbox = mailboxes_;
        mailboxes_ += f.table_size;
      }
      at = static_cast<std::uint16_t>((head >> 8) & 0xFC);
    }
  }
  trace_.info("qemu", "function",
              {{"device", f.id.name},
               {"bdf", bdf_text(f.id.device, f.id.function)},
               {"vendor", sim::Hex{id & 0xFFFF}},
               {"device_id", sim::Hex{id >> 16}},
               {"msi", f.msi_offset != 0},
               {"msix_vectors", f.table_size}});
}

void QemuBridge::refresh_table_bar(Function& f) {
  if (!f.msix_offset || f.table_bar > 5) return;
  const auto reg = static_cast<std::uint16_t>(kBar0 + 4 * f.table_bar);
  const std::uint32_t lo = raw_config_read(f, reg, 4);
  std::uint64_t base = lo & ~0xFull;
  if ((lo & 0x6) == 0x4 && f.table_bar < 5) base |= std::uint64_t{raw_config_read(f, static_cast<std::uint16_t>(reg + 4), 4)} << 32;
  f.table_bar_base = base;
}

bool QemuBridge::msi_byte(const Function& f, std::uint16_t reg, std::uint8_t* driver, std::uint8_t* qemu) {
  if (!f.msi_offset || reg < f.msi_offset + 4u) return false;
  const unsigned off = reg - f.msi_offset - 4u;  // 0..3 address lo, 4..7 address hi (64-bit MSI)
  if (off >= (f.msi_is64 ? 8u : 4u)) return false;
  *driver = f.msi_shadow[off];
  *qemu = off < 4 ? byte_of(mailbox_address(f.msi_mailbox), off) : 0;
  return true;
}

std::uint32_t QemuBridge::config_read(std::uint8_t device, std::uint8_t function, std::uint16_t reg, unsigned size) {
  ++config_accesses_;
  Function* f = find(device, function);
  if (!f) return size == 4 ? 0xFFFF'FFFFu : (1u << (8 * size)) - 1;
  if (reg >= 0x100) return 0;  // extended space: not reachable through 0xCF8
  std::uint32_t v = raw_config_read(*f, reg, size);
  for (unsigned i = 0; i < size; ++i) {
    std::uint8_t drv = 0, q = 0;
    if (msi_byte(*f, static_cast<std::uint16_t>(reg + i), &drv, &q))
      v = (v & ~(0xFFu << (8 * i))) | (std::uint32_t{drv} << (8 * i));
  }
  return v;
}

void QemuBridge::config_write(std::uint8_t device, std::uint8_t function, std::uint16_t reg, unsigned size,
                              std::uint32_t v) {
  ++config_accesses_;
  Function* f = find(device, function);
  if (!f || reg >= 0x100) return;
  for (unsigned i = 0; i < size; ++i) {
    const auto r = static_cast<std::uint16_t>(reg + i);
    std::uint8_t drv = 0, q = 0;
    if (!msi_byte(*f, r, &drv, &q)) continue;
    f->msi_shadow[r - f->msi_offset - 4u] = byte_of(v, i);
    msi_byte(*f, r, &drv, &q);
    v = (v & ~(0xFFu << (8 * i))) | (std::uint32_t{q} << (8 * i));
  }
  raw_config_write(*f, reg, size, v);
  if (reg < kBar0 + 24 && reg + size > kBar0) refresh_table_bar(*f);
}

// ---------------------------------------------------------------- CPU side

void QemuBridge::cpu_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t a = p.get_address();
  const unsigned len = p.get_data_length();
  if (memory_.contains(a, len)) {
    const bool ok = p.is_read() ? memory_.read(a, p.get_data_ptr(), len) : memory_.write(a, p.get_data_ptr(), len);
    delay += config_.memory_latency;
    p.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (sim::addr::in(a, sim::addr::kEcamBase, sim::addr::kEcamSize)) return ecam_access(p, delay);
  mmio_access(p, delay);
}

void QemuBridge::ecam_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t off = p.get_address() - sim::addr::kEcamBase;
  const auto bus = static_cast<unsigned>(off >> 20);
  const auto dev = static_cast<std::uint8_t>((off >> 15) & 0x1F);
  const auto fn = static_cast<std::uint8_t>((off >> 12) & 0x7);
  const auto reg = static_cast<std::uint16_t>(off & 0xFFF);
  const unsigned len = p.get_data_length();
  delay += config_.config_latency;
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  unsigned char* data = p.get_data_ptr();
  if ((len != 1 && len != 2 && len != 4) || reg % len != 0 || bus != 0) {
    if (p.is_read()) std::memset(data, 0xFF, len);  // a master abort / an empty bus
    return;
  }
  if (p.is_read()) {
    const std::uint32_t v = config_read(dev, fn, reg, len);
    std::memcpy(data, &v, len);
  } else {
    std::uint32_t v = 0;
    std::memcpy(&v, data, len);
    config_write(dev, fn, reg, len, v);
  }
}

QemuBridge::Function* QemuBridge::msix_table_at(std::uint64_t addr, unsigned len) {
  for (Function& f : functions_) {
    if (!f.msix_offset || f.table_bar_base == 0) continue;
    const std::uint64_t start = f.table_bar_base + f.table_offset;
    const std::uint64_t end = start + std::uint64_t{f.table_size} * kMsixEntry;
    if (addr < end && addr + len > start) return &f;
  }
  return nullptr;
}

void QemuBridge::mmio_access(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const std::uint64_t a = p.get_address();
  const unsigned len = p.get_data_length();
  unsigned char* data = p.get_data_ptr();
  ++mmio_accesses_;
  delay += config_.mmio_latency;
  if (len != 1 && len != 2 && len != 4 && len != 8) {
    if (p.is_read()) std::memset(data, 0xFF, len);
    p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  Function* f = msix_table_at(a, len);
  const std::uint64_t table = f ? f->table_bar_base + f->table_offset : 0;
  // The intercepted byte at `addr`, if any: the entry's shadow byte and QEMU's view of it.
  auto intercepted = [&](std::uint64_t addr, std::uint8_t** shadow, std::uint8_t* q) {
    if (!f || addr < table || addr - table >= std::uint64_t{f->table_size} * kMsixEntry) return false;
    const auto entry = static_cast<unsigned>((addr - table) / kMsixEntry);
    const auto at = static_cast<unsigned>((addr - table) % kMsixEntry);
    if (at >= kMsixIntercepted) return false;
    auto& s = f->msix_shadow[entry];
    *shadow = &s[at];
    std::uint32_t shadow_data = 0;
    std::memcpy(&shadow_data, &s[8], 4);
    if (at < 4) *q = byte_of(mailbox_address(f->msix_mailbox + entry), at);
    else if (at < 8) *q = 0;
    else *q = byte_of(shadow_data | kMsixMarker, at - 8);
    return true;
  };
  if (p.is_read()) {
    std::uint64_t v = qtest_.read(a, len);
    for (unsigned i = 0; i < len; ++i) {
      std::uint8_t* s = nullptr;
      std::uint8_t q = 0;
      if (intercepted(a + i, &s, &q)) v = (v & ~(0xFFull << (8 * i))) | (std::uint64_t{*s} << (8 * i));
    }
    std::memcpy(data, &v, len);
    return;
  }
  std::uint64_t v = 0;
  std::memcpy(&v, data, len);
  if (f) {
    for (unsigned i = 0; i < len; ++i) {  // software's bytes to the shadow first (data may span the access)
      std::uint8_t* s = nullptr;
      std::uint8_t q = 0;
      if (intercepted(a + i, &s, &q)) *s = byte_of(v, i);
    }
    for (unsigned i = 0; i < len; ++i) {
      std::uint8_t* s = nullptr;
      std::uint8_t q = 0;
      if (intercepted(a + i, &s, &q)) v = (v & ~(0xFFull << (8 * i))) | (std::uint64_t{q} << (8 * i));
    }
  } else {
    last_write_ = std::chrono::steady_clock::now();  // a doorbell, perhaps: QEMU has work
  }
  trace_.debug("qemu", "mmio.write", {{"address", sim::Hex{a}}, {"size", len}, {"value", sim::Hex{v}}});
  qtest_.write(a, len, v);
}

// ---------------------------------------------------------------- interrupts

bool QemuBridge::any_mailbox_set() const {
  for (std::uint32_t i = 0; i < mailboxes_; ++i)
    if (std::atomic_ref<std::uint32_t>(mailbox_words_[i]).load(std::memory_order_acquire) != 0) return true;
  return false;
}

bool QemuBridge::scan() {
  bool any = false;
  auto take = [&](std::uint32_t index) {
    return std::atomic_ref<std::uint32_t>(mailbox_words_[index]).exchange(0, std::memory_order_acq_rel);
  };
  for (Function& f : functions_) {
    if (f.msi_offset) {
      if (const std::uint32_t v = take(f.msi_mailbox)) {
        std::uint64_t addr = 0;
        std::memcpy(&addr, f.msi_shadow.data(), f.msi_is64 ? 8 : 4);
        irqc_.message(addr, v & 0xFFFF, f.id.name, sc_core::SC_ZERO_TIME);
        ++interrupts_raised_;
        any = true;
      }
    }
    for (unsigned e = 0; e < f.table_size; ++e) {
      const std::uint32_t v = take(f.msix_mailbox + e);
      if (!v) continue;
      std::uint64_t addr = 0;
      std::memcpy(&addr, f.msix_shadow[e].data(), 8);
      trace_.debug("qemu", "msix.mailbox", {{"device", f.id.name}, {"entry", e}, {"data", sim::Hex{v}}});
      irqc_.message(addr, v & ~kMsixMarker, f.id.name, sc_core::SC_ZERO_TIME);
      ++interrupts_raised_;
      any = true;
    }
  }
  return any;
}

void QemuBridge::poll() {
  if (mailboxes_ == 0) return;
  for (;;) {
    sc_core::wait(config_.poll_interval);
    ++polls_;
    if (scan() || config_.host_wait_ns == 0) continue;
    // QEMU may have work from us: give it host time before simulated time moves on.
    const auto start = std::chrono::steady_clock::now();
    if (start - last_write_ > std::chrono::nanoseconds(config_.active_window_ns)) continue;
    const auto until = start + std::chrono::nanoseconds(config_.host_wait_ns);
    while (!any_mailbox_set() && std::chrono::steady_clock::now() < until) ::sched_yield();
    scan();
  }
}

}  // namespace qemu
