// A bare-metal machine for NVMe tests: guest memory, interrupt controller,
// root complex, a CPU bus master and one NVMe controller at 00:02.0. The test
// body runs in a SystemC thread and drives the controller as a driver would:
// it enables the PCI function, programs MSI-X, sets up the admin queues and
// submits commands through queues it keeps in guest memory.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "devices/nvme/controller.hpp"
#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_regs.hpp"
#include "devices/pci/root_complex.hpp"
#include "sim/core/address_map.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace nvmetest {

using nvme::Cqe;
using nvme::Sqe;
using nvme::Status;

constexpr std::uint64_t kBar0 = 0x80'0000'0000ULL;
constexpr std::uint8_t kDev = 2;
constexpr std::uint64_t kRam = 256ULL << 20;
constexpr unsigned kVectorBase = 0x20;  // MSI-X entry v -> CPU vector 0x20 + v

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

/// A queue pair as the host driver keeps it.
struct HostQueue {
  std::uint16_t qid = 0;
  std::uint64_t sq_base = 0, cq_base = 0;
  std::uint32_t sq_size = 0, cq_size = 0;
  std::uint32_t sq_tail = 0, cq_head = 0;
  bool phase = true;
  std::uint16_t next_cid = 1;
};

inline nvme::NvmeParams default_params() {
  nvme::NvmeParams p;
  p.namespaces = {nvme::NamespaceParams{1, 64ULL << 20, 512, {}}, nvme::NamespaceParams{2, 64ULL << 20, 4096, {}}};
  return p;
}

inline std::uint8_t sc_of(const Cqe& c) { return static_cast<std::uint8_t>((c.status >> 1) & 0xFF); }
inline std::uint8_t sct_of(const Cqe& c) { return static_cast<std::uint8_t>((c.status >> 9) & 0x7); }
inline bool is(const Cqe& c, Status s) { return sc_of(c) == s.sc && sct_of(c) == s.sct; }
inline bool dnr_of(const Cqe& c) { return c.status & 0x8000; }

class Machine {
  FreshKernel fresh_;

 public:
  sim::Trace trace;
  sim::GuestMemory mem{kRam};
  pci::InterruptController irqc{"irqc", trace, 1};
  pci::RootComplex rc{"rc", trace, mem, irqc};
  sim::BusMaster cpu{"cpu"};
  std::unique_ptr<nvme::NvmeController> ctrl;
  std::vector<pci::Interrupt> irqs;
  std::vector<sim::Picos> irq_times;
  sc_core::sc_event irq_event;
  bool keep_irqs = true;
  std::uint64_t irq_total = 0;
  HostQueue admin;
  std::map<std::uint16_t, HostQueue> io;
  std::uint64_t next_free = 0x10'0000;

  explicit Machine(const nvme::NvmeParams& p = default_params()) {
    ctrl = std::make_unique<nvme::NvmeController>("nvme", trace, p);
    rc.attach(*ctrl, kDev, 0);
    cpu.socket.bind(rc.cpu_socket);
    irqc.set_handler([this](const pci::Interrupt& i) {
      ++irq_total;
      if (keep_irqs) {
        irqs.push_back(i);
        irq_times.push_back(sim::now());
      }
      irq_event.notify(sc_core::SC_ZERO_TIME);
    });
  }

  /// Runs `body` in a SystemC thread; fails the test if it does not finish.
  void run(std::function<void()> body, sim::Picos limit = sim::ms(50)) {
    bool finished = false;
    sc_core::sc_spawn([&] {
      body();
      finished = true;
      sc_core::sc_stop();
    });
    sc_core::sc_start(sim::to_sc(limit));
    ASSERT_TRUE(finished) << "test body did not finish within the time limit";
  }

  // --- memory
  std::uint64_t alloc(std::uint64_t bytes, std::uint64_t align = 4096) {
    next_free = (next_free + align - 1) / align * align;
    const std::uint64_t a = next_free;
    next_free += bytes;
    return a;
  }
  void fill(std::uint64_t addr, std::size_t n, std::uint8_t seed) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 13 + (i >> 9));
    mem.write(addr, v.data(), n);
  }
  std::vector<std::uint8_t> bytes(std::uint64_t addr, std::size_t n) {
    std::vector<std::uint8_t> v(n);
    mem.read(addr, v.data(), n);
    return v;
  }
  void put64(std::uint64_t addr, std::uint64_t v) { mem.write(addr, &v, 8); }

  // --- configuration and registers
  static std::uint64_t ecam(std::uint16_t reg) { return sim::addr::kEcamBase | (std::uint64_t{kDev} << 15) | reg; }
  std::uint32_t cfg_read(std::uint16_t reg, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const auto v = static_cast<std::uint32_t>(cpu.read(ecam(reg), size, d));
    sc_core::wait(d);
    return v;
  }
  void cfg_write(std::uint16_t reg, std::uint32_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(ecam(reg), size, v, d);
    sc_core::wait(d);
  }
  std::uint16_t cap_offset(std::uint8_t id) {
    auto p = static_cast<std::uint16_t>(cfg_read(pci::kCapabilitiesPointer, 1));
    while (p && cfg_read(p, 1) != id) p = static_cast<std::uint16_t>(cfg_read(p + 1, 1));
    return p;
  }
  std::uint64_t rd(std::uint64_t off, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const auto v = cpu.read(kBar0 + off, size, d);
    sc_core::wait(d);
    return v;
  }
  void wr(std::uint64_t off, std::uint64_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(kBar0 + off, size, v, d);  // posted: the CPU does not wait
  }
  std::uint32_t csts() { return static_cast<std::uint32_t>(rd(nvme::reg::kCsts)); }

  /// Programs BAR0 and sets Memory Space and Bus Master Enable, as pcid would.
  void pci_enable(bool bus_master = true) {
    cfg_write(pci::kBar0, static_cast<std::uint32_t>(kBar0));
    cfg_write(pci::kBar0 + 4, static_cast<std::uint32_t>(kBar0 >> 32));
    set_command(true, bus_master);
  }
  void set_command(bool mse, bool bme, bool intx_disable = false) {
    cfg_write(pci::kCommand,
              (mse ? pci::kCommandMemorySpace : 0u) | (bme ? pci::kCommandBusMaster : 0u) |
                  (intx_disable ? pci::kCommandInterruptDisable : 0u),
              2);
  }
  /// Points MSI-X entry v at CPU 0, vector 0x20 + v, unmasked; enables MSI-X.
  void msix_enable() {
    const unsigned n = ctrl->msix().table_size();
    for (unsigned v = 0; v < n; ++v) {
      const std::uint64_t e = ctrl->msix_table_offset() + 16ULL * v;
      wr(e + pci::kMsixEntryAddrLo, pci::InterruptController::message_address(0));
      wr(e + pci::kMsixEntryAddrHi, 0);
      wr(e + pci::kMsixEntryData, kVectorBase + v);
      wr(e + pci::kMsixEntryVectorControl, 0);
    }
    cfg_write(cap_offset(pci::kCapIdMsix) + pci::kMsixMessageControl, pci::kMsixControlEnable, 2);
  }
  /// Polls CSTS until (CSTS & mask) == want or `limit` passes.
  bool wait_csts(std::uint32_t mask, std::uint32_t want, sim::Picos limit = sim::ms(5)) {
    const sim::Picos end = sim::now() + limit;
    while (sim::now() < end) {
      if ((csts() & mask) == want) return true;
      sc_core::wait(sim::to_sc(sim::us(10)));
    }
    return (csts() & mask) == want;
  }

  /// Admin queues, CC (4 KiB pages, 64/16-byte entries), EN, wait for RDY.
  bool enable_controller(std::uint32_t entries = 32, std::uint32_t cc_extra = 0) {
    admin = HostQueue{};
    admin.sq_size = admin.cq_size = entries;
    admin.sq_base = alloc(64ULL * entries);
    admin.cq_base = alloc(16ULL * entries);
    wr(nvme::reg::kAqa, (entries - 1) | ((entries - 1) << 16));
    wr(nvme::reg::kAsq, admin.sq_base, 8);
    wr(nvme::reg::kAcq, admin.cq_base, 8);
    wr(nvme::reg::kCc, nvme::cc::kEn | (6u << nvme::cc::kIosqesShift) | (4u << nvme::cc::kIocqesShift) | cc_extra);
    return wait_csts(nvme::csts::kRdy | nvme::csts::kCfs, nvme::csts::kRdy);
  }
  /// PCI enable, MSI-X, controller enable: what every functional test starts with.
  void bring_up() {
    pci_enable();
    msix_enable();
    ASSERT_TRUE(enable_controller());
  }
  void reset_controller() {
    wr(nvme::reg::kCc, rd(nvme::reg::kCc) & ~nvme::cc::kEn);
    ASSERT_TRUE(wait_csts(nvme::csts::kRdy, 0));
    io.clear();
  }

  // --- queues
  std::uint64_t sq_doorbell(std::uint16_t qid) const { return nvme::reg::kDoorbellBase + 8ULL * qid; }
  std::uint64_t cq_doorbell(std::uint16_t qid) const { return nvme::reg::kDoorbellBase + 8ULL * qid + 4; }

  /// Writes `s` at the SQ tail (assigning a CID unless `keep_cid`); rings if `ring`.
  std::uint16_t push(HostQueue& q, Sqe s, bool ring = true, bool keep_cid = false) {
    if (!keep_cid) s.cid = q.next_cid++;
    mem.write(q.sq_base + 64ULL * q.sq_tail, &s, sizeof s);
    q.sq_tail = (q.sq_tail + 1) % q.sq_size;
    if (ring) wr(sq_doorbell(q.qid), q.sq_tail);
    return s.cid;
  }
  void ring(HostQueue& q) { wr(sq_doorbell(q.qid), q.sq_tail); }
  std::optional<Cqe> peek(const HostQueue& q) {
    Cqe c{};
    mem.read(q.cq_base + 16ULL * q.cq_head, &c, sizeof c);
    if ((c.status & 1) != (q.phase ? 1 : 0)) return std::nullopt;
    return c;
  }
  /// Consumes the entry at the CQ head (if any); rings the head doorbell if `ring`.
  std::optional<Cqe> pop(HostQueue& q, bool ring = true) {
    auto c = peek(q);
    if (!c) return c;
    if (++q.cq_head == q.cq_size) {
      q.cq_head = 0;
      q.phase = !q.phase;
    }
    if (ring) wr(cq_doorbell(q.qid), q.cq_head);
    return c;
  }
  /// Waits for the next completion on `q` (interrupt or poll).
  std::optional<Cqe> wait_cqe(HostQueue& q, sim::Picos limit = sim::ms(10), bool ring = true) {
    const sim::Picos end = sim::now() + limit;
    for (;;) {
      if (auto c = pop(q, ring)) return c;
      if (sim::now() >= end) return std::nullopt;
      sc_core::wait(sim::to_sc(std::min(sim::us(5), end - sim::now())), irq_event);
    }
  }
  Cqe command(HostQueue& q, Sqe s) {
    const std::uint16_t cid = push(q, s);
    auto c = wait_cqe(q);
    EXPECT_TRUE(c.has_value()) << "no completion for opcode " << int{s.opcode};
    if (!c) return Cqe{0, 0, 0, 0, 0, 0xFFFE};
    EXPECT_EQ(c->cid, cid);
    return *c;
  }
  Cqe admin_cmd(Sqe s) { return command(admin, s); }

  HostQueue& create_io(std::uint16_t qid, std::uint32_t entries = 64, std::uint16_t vector = 1, bool ien = true) {
    HostQueue q;
    q.qid = qid;
    q.sq_size = q.cq_size = entries;
    q.sq_base = alloc(64ULL * entries);
    q.cq_base = alloc(16ULL * entries);
    EXPECT_TRUE(is(admin_cmd(create_cq_cmd(qid, entries, q.cq_base, vector, ien)), nvme::kSuccess));
    EXPECT_TRUE(is(admin_cmd(create_sq_cmd(qid, entries, q.sq_base, qid)), nvme::kSuccess));
    return io[qid] = q;
  }

  // --- command builders
  static Sqe create_cq_cmd(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t iv,
                           bool ien = true, bool pc = true) {
    Sqe s{};
    s.opcode = nvme::admin::kCreateIoCq;
    s.prp1 = base;
    s.cdw10 = qid | ((entries - 1) << 16);
    s.cdw11 = (pc ? 1u : 0u) | (ien ? 2u : 0u) | (std::uint32_t{iv} << 16);
    return s;
  }
  static Sqe create_sq_cmd(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t cqid,
                           bool pc = true) {
    Sqe s{};
    s.opcode = nvme::admin::kCreateIoSq;
    s.prp1 = base;
    s.cdw10 = qid | ((entries - 1) << 16);
    s.cdw11 = (pc ? 1u : 0u) | (std::uint32_t{cqid} << 16);
    return s;
  }
  static Sqe delete_cmd(std::uint8_t opcode, std::uint16_t qid) {
    Sqe s{};
    s.opcode = opcode;
    s.cdw10 = qid;
    return s;
  }
  static Sqe identify_cmd(std::uint8_t cns, std::uint32_t nsid, std::uint64_t prp1) {
    Sqe s{};
    s.opcode = nvme::admin::kIdentify;
    s.nsid = nsid;
    s.prp1 = prp1;
    s.cdw10 = cns;
    return s;
  }
  static Sqe features_cmd(bool set, std::uint8_t fid, std::uint32_t cdw11, std::uint32_t cdw10_extra = 0) {
    Sqe s{};
    s.opcode = set ? nvme::admin::kSetFeatures : nvme::admin::kGetFeatures;
    s.cdw10 = fid | cdw10_extra;
    s.cdw11 = cdw11;
    return s;
  }
  static Sqe get_log_cmd(std::uint8_t lid, std::uint32_t dwords, std::uint64_t prp1, bool rae = false,
                         std::uint64_t offset = 0) {
    Sqe s{};
    s.opcode = nvme::admin::kGetLogPage;
    s.nsid = nvme::kBroadcastNsid;
    s.prp1 = prp1;
    s.cdw10 = lid | (rae ? 1u << 15 : 0u) | ((dwords - 1) << 16);
    s.cdw12 = static_cast<std::uint32_t>(offset);
    s.cdw13 = static_cast<std::uint32_t>(offset >> 32);
    return s;
  }
  static Sqe rw_cmd(std::uint8_t opcode, std::uint32_t nsid, std::uint64_t slba, std::uint32_t nlb,
                    std::uint64_t prp1, std::uint64_t prp2 = 0, std::uint32_t cdw12_extra = 0) {
    Sqe s{};
    s.opcode = opcode;
    s.nsid = nsid;
    s.prp1 = prp1;
    s.prp2 = prp2;
    s.cdw10 = static_cast<std::uint32_t>(slba);
    s.cdw11 = static_cast<std::uint32_t>(slba >> 32);
    s.cdw12 = (nlb - 1) | cdw12_extra;
    return s;
  }
  static Sqe flush_cmd(std::uint32_t nsid) {
    Sqe s{};
    s.opcode = nvme::io::kFlush;
    s.nsid = nsid;
    return s;
  }

  /// A buffer of `bytes` described by PRP1/PRP2 (a PRP list when needed).
  struct Buffer {
    std::uint64_t addr, prp1, prp2;
  };
  Buffer buffer(std::uint64_t bytes, std::uint64_t offset = 0) {
    const std::uint64_t base = alloc(bytes + offset + 4096);
    Buffer b{base + offset, base + offset, 0};
    const std::uint64_t first = std::min<std::uint64_t>(bytes, 4096 - offset);
    const std::uint64_t rest = bytes - first;
    if (rest == 0) return b;
    if (rest <= 4096) {
      b.prp2 = base + 4096;
      return b;
    }
    const std::uint64_t pages = (rest + 4095) / 4096;
    const std::uint64_t list = alloc(8 * pages);
    for (std::uint64_t i = 0; i < pages; ++i) put64(list + 8 * i, base + 4096 * (i + 1));
    b.prp2 = list;
    return b;
  }
};

}  // namespace nvmetest
