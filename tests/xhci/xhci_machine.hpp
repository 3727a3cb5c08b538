// A bare-metal harness for the xHCI model: a small machine (memory, root
// complex, interrupt controller, a CPU bus master) with an XhciController,
// and the minimum of driver logic a test needs: rings, contexts, commands,
// enumeration, control, bulk and BOT transfers. The test body runs in a
// SystemC thread so that it waits for simulated time like a driver.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/pci_regs.hpp"
#include "devices/pci/root_complex.hpp"
#include "devices/usb/bot.hpp"
#include "devices/usb/mass_storage.hpp"
#include "devices/usb/usb_capture.hpp"
#include "devices/xhci/context.hpp"
#include "devices/xhci/trb.hpp"
#include "devices/xhci/xhci_controller.hpp"
#include "devices/xhci/xhci_regs.hpp"
#include "sim/core/address_map.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"

namespace xhcitest {

using namespace xhci;

constexpr std::uint64_t kBar = 0x80'0000'0000ULL;
constexpr std::uint64_t kOp = kBar + kOperationalBase;
constexpr std::uint64_t kRt = kBar + kRuntimeBase;
constexpr std::uint64_t kDb = kBar + kDoorbellBase;
constexpr unsigned kVectorBase = 0x40;
constexpr std::uint8_t kDev = 3;

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

/// A producer ring in guest memory (command or transfer ring) with a Link
/// TRB (Toggle Cycle) in its last entry.
struct ProducerRing {
  std::uint64_t base = 0;
  unsigned size = 0;  // entries, the last being the Link TRB
  unsigned index = 0;
  bool cycle = true;
};

struct Event {
  Trb trb;
  TrbType type() const { return trb.type(); }
  CompletionCode cc() const { return static_cast<CompletionCode>(trb.status() >> 24); }
  std::uint32_t length() const { return trb.status() & 0xFFFFFF; }
  std::uint64_t pointer() const { return trb.parameter(); }
  std::uint8_t slot() const { return trb.slot_id(); }
};

class Machine {
  FreshKernel fresh_;

 public:
  sim::Trace trace;
  sim::GuestMemory mem{64ULL << 20};
  pci::InterruptController irqc{"irqc", trace, 1};
  pci::RootComplex rc{"rc", trace, mem, irqc};
  sim::BusMaster cpu{"cpu"};
  std::unique_ptr<XhciController> hc;
  std::vector<pci::Interrupt> irqs;
  sc_core::sc_event irq_event;
  ContextLayout layout;

  // Driver state.
  std::uint64_t next_free = 0x10'0000;
  std::uint64_t dcbaa = 0;
  ProducerRing cmd;
  std::vector<std::pair<std::uint64_t, unsigned>> er_segments;  // per interrupter 0
  unsigned er_seg = 0, er_index = 0;
  bool er_cycle = true;
  std::deque<Event> backlog;
  std::uint64_t erst = 0;

  explicit Machine(XhciParams p = {}) {
    cpu.socket.bind(rc.cpu_socket);
    if (std::getenv("XHCI_TRACE")) trace.add_sink(sim::make_text_sink(sim::Severity::debug));
    hc = std::make_unique<XhciController>("xhci", trace, p);
    rc.attach(*hc, kDev, 0);
    layout.size = hc->params().context_size;
    irqc.set_handler([this](const pci::Interrupt& i) {
      irqs.push_back(i);
      irq_event.notify(sc_core::SC_ZERO_TIME);
    });
  }

  void run(std::function<void()> body, sim::Picos limit = sim::sec(5)) {
    bool finished = false;
    sc_core::sc_spawn([&] {
      body();
      finished = true;
      sc_core::sc_stop();
    });
    sc_core::sc_start(sim::to_sc(limit));
    ASSERT_TRUE(finished) << "test body did not finish within the time limit";
  }

  // --- raw access ---------------------------------------------------------
  std::uint64_t rd(std::uint64_t a, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    const auto v = cpu.read(a, size, d);
    sc_core::wait(d);
    return v;
  }
  void wr(std::uint64_t a, std::uint64_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(a, size, v, d);
  }
  void cfg_write(std::uint16_t reg, std::uint32_t v, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    cpu.write(sim::addr::kEcamBase | (std::uint64_t{kDev} << 15) | reg, size, v, d);
    sc_core::wait(d);
  }
  std::uint32_t cfg_read(std::uint16_t reg, unsigned size = 4) {
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    auto v = static_cast<std::uint32_t>(cpu.read(sim::addr::kEcamBase | (std::uint64_t{kDev} << 15) | reg, size, d));
    sc_core::wait(d);
    return v;
  }
  void wait(sim::Picos t) { sc_core::wait(sim::to_sc(t)); }
  std::uint64_t alloc(std::uint64_t bytes, std::uint64_t align = 64) {
    next_free = (next_free + align - 1) & ~(align - 1);
    const std::uint64_t a = next_free;
    next_free += bytes;
    std::vector<std::uint8_t> zero(bytes, 0);
    mem.write(a, zero.data(), bytes);
    return a;
  }
  Trb read_trb(std::uint64_t a) {
    Trb t;
    mem.read(a, &t, 16);
    return t;
  }
  void write_trb(std::uint64_t a, const Trb& t) { mem.write(a, &t, 16); }
  std::uint32_t portsc(unsigned port) { return static_cast<std::uint32_t>(rd(kOp + 0x400 + 0x10 * (port - 1))); }
  void write_portsc(unsigned port, std::uint32_t v) { wr(kOp + 0x400 + 0x10 * (port - 1), v); }
  std::uint64_t ir(unsigned i, std::uint32_t reg) { return kRt + kInterrupterBase + kInterrupterStride * i + reg; }

  // --- bring-up -----------------------------------------------------------
  void pci_enable() {
    cfg_write(pci::kBar0, static_cast<std::uint32_t>(kBar));
    cfg_write(pci::kBar0 + 4, static_cast<std::uint32_t>(kBar >> 32));
    cfg_write(pci::kCommand, pci::kCommandMemorySpace | pci::kCommandBusMaster, 2);
    auto p = static_cast<std::uint16_t>(cfg_read(pci::kCapabilitiesPointer, 1));
    while (p && cfg_read(p, 1) != pci::kCapIdMsix) p = static_cast<std::uint16_t>(cfg_read(p + 1, 1));
    for (unsigned v = 0; v < hc->params().msix_vectors; ++v) {
      const std::uint64_t e = kBar + kMsixTableOffset + 16 * v;
      wr(e + pci::kMsixEntryAddrLo, pci::InterruptController::message_address(0));
      wr(e + pci::kMsixEntryData, kVectorBase + v);
      wr(e + pci::kMsixEntryVectorControl, 0);
    }
    cfg_write(p + pci::kMsixMessageControl, pci::kMsixControlEnable, 2);
  }

  void reset_controller() {
    wr(kOp + kUsbCmd, kCmdHcReset);
    for (int i = 0; i < 1000 && (rd(kOp + kUsbSts) & kStsCnr); ++i) wait(sim::us(1));
    ASSERT_EQ(rd(kOp + kUsbSts) & kStsCnr, 0u);
  }

  ProducerRing make_ring(unsigned entries) {
    ProducerRing r;
    r.base = alloc(16ULL * entries, 64);
    r.size = entries;
    Trb link;
    link.set_parameter(r.base);
    link.set_type(TrbType::link);
    link.d[3] |= kTrbToggleCycle;
    link.set_cycle(false);  // not yet handed over
    write_trb(r.base + 16ULL * (entries - 1), link);
    return r;
  }

  /// Puts `t` on the ring with the producer cycle bit; wraps through the Link TRB.
  std::uint64_t push(ProducerRing& r, Trb t) {
    const std::uint64_t a = r.base + 16ULL * r.index;
    t.set_cycle(r.cycle);
    write_trb(a, t);
    if (++r.index == r.size - 1) {
      Trb link = read_trb(r.base + 16ULL * (r.size - 1));
      link.set_cycle(r.cycle);
      if (t.flag(kTrbChain)) link.d[3] |= kTrbChain; else link.d[3] &= ~kTrbChain;
      write_trb(r.base + 16ULL * (r.size - 1), link);
      r.index = 0;
      r.cycle = !r.cycle;
    }
    return a;
  }

  /// Event ring of interrupter `i` with the given segment sizes.
  void setup_event_ring(unsigned i, const std::vector<unsigned>& sizes) {
    erst = alloc(16ULL * sizes.size(), 64);
    if (i == 0) er_segments.clear();
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const std::uint64_t seg = alloc(16ULL * sizes[s], 64);
      const std::uint32_t e[4] = {static_cast<std::uint32_t>(seg), static_cast<std::uint32_t>(seg >> 32), sizes[s], 0};
      mem.write(erst + 16 * s, e, 16);
      if (i == 0) er_segments.emplace_back(seg, sizes[s]);
    }
    wr(ir(i, kErstsz), sizes.size());
    wr(ir(i, kErdp), i == 0 ? er_segments[0].first : 0, 8);
    wr(ir(i, kErstba), erst, 8);
    if (i == 0) {
      er_seg = er_index = 0;
      er_cycle = true;
    }
  }

  void init(const std::vector<unsigned>& segments = {64}, std::uint32_t imod = 0, unsigned cmd_entries = 32) {
    pci_enable();
    reset_controller();
    wr(kOp + kConfig, hc->params().max_slots);
    dcbaa = alloc(8ULL * (hc->params().max_slots + 1), 64);
    if (hc->params().scratchpad_buffers) {
      const std::uint64_t array = alloc(8ULL * hc->params().scratchpad_buffers, 64);
      for (unsigned i = 0; i < hc->params().scratchpad_buffers; ++i) {
        const std::uint64_t page = alloc(4096, 4096);
        mem.write(array + 8 * i, &page, 8);
      }
      mem.write(dcbaa, &array, 8);
    }
    wr(kOp + kDcbaap, dcbaa, 8);
    cmd = make_ring(cmd_entries);
    wr(kOp + kCrcr, cmd.base | kCrcrRcs, 8);
    setup_event_ring(0, segments);
    wr(ir(0, kImod), imod);
    wr(ir(0, kIman), kImanIe);
    wr(kOp + kUsbCmd, kCmdRunStop | kCmdInte);
    for (int i = 0; i < 100 && (rd(kOp + kUsbSts) & kStsHch); ++i) wait(sim::us(1));
    ASSERT_EQ(rd(kOp + kUsbSts) & kStsHch, 0u);
  }

  // --- events -------------------------------------------------------------
  std::optional<Event> poll_event() {
    const auto [seg, size] = er_segments[er_seg];
    const std::uint64_t a = seg + 16ULL * er_index;
    const Trb t = read_trb(a);
    if (t.cycle() != er_cycle) return std::nullopt;
    if (++er_index == size) {
      er_index = 0;
      if (++er_seg == er_segments.size()) {
        er_seg = 0;
        er_cycle = !er_cycle;
      }
    }
    const std::uint64_t deq = er_segments[er_seg].first + 16ULL * er_index;
    wr(ir(0, kErdp), deq | kErdpEhb | er_seg, 8);
    return Event{t};
  }

  /// The next event (from the backlog first), waiting up to `limit`.
  std::optional<Event> next_event(sim::Picos limit = sim::ms(200)) {
    if (!backlog.empty()) {
      Event e = backlog.front();
      backlog.pop_front();
      return e;
    }
    const sim::Picos end = sim::now() + limit;
    for (;;) {
      if (auto e = poll_event()) return e;
      if (sim::now() >= end) return std::nullopt;
      sc_core::wait(sim::to_sc(std::min<sim::Picos>(sim::us(2), end - sim::now())), irq_event);
    }
  }

  /// Waits for an event of `type`, keeping others in the backlog.
  std::optional<Event> wait_event(TrbType type, sim::Picos limit = sim::ms(200)) {
    for (std::size_t i = 0; i < backlog.size(); ++i) {
      if (backlog[i].type() == type) {
        Event e = backlog[i];
        backlog.erase(backlog.begin() + static_cast<std::ptrdiff_t>(i));
        return e;
      }
    }
    const sim::Picos end = sim::now() + limit;
    while (sim::now() < end) {
      std::optional<Event> e;
      for (;;) {
        e = poll_event();
        if (e || sim::now() >= end) break;
        sc_core::wait(sim::to_sc(std::min<sim::Picos>(sim::us(2), end - sim::now())), irq_event);
      }
      if (!e) break;
      if (e->type() == type) return e;
      backlog.push_back(*e);
    }
    return std::nullopt;
  }

  // --- commands -----------------------------------------------------------
  Event command(Trb t) {
    const std::uint64_t a = push(cmd, t);
    wr(kDb, 0);
    for (;;) {
      auto e = wait_event(TrbType::command_completion_event);
      if (!e) {
        ADD_FAILURE() << "no command completion for " << to_string(t.type());
        return Event{};
      }
      if (e->pointer() == a) return *e;
    }
  }
  static Trb cmd_trb(TrbType type, std::uint8_t slot = 0, std::uint64_t param = 0, std::uint32_t flags = 0,
                     unsigned dci = 0) {
    Trb t;
    t.set_parameter(param);
    t.set_type(type);
    t.d[3] |= flags | (std::uint32_t{slot} << 24) | (std::uint32_t{dci & 0x1F} << 16);
    return t;
  }

  // --- devices ------------------------------------------------------------
  struct Device {
    std::uint8_t slot = 0;
    unsigned port = 0;
    std::uint64_t out_ctx = 0;
    std::uint64_t input = 0;
    usb::Speed speed = usb::Speed::high;
    ProducerRing ep0;
    ProducerRing bulk_in, bulk_out;
    unsigned mps = 512;
  };

  /// Port reset (USB 2) or link training (USB 3) until the port is enabled.
  bool port_ready(unsigned port) {
    if (!(portsc(port) & kPortPed)) {
      write_portsc(port, kPortPr | kPortPp);
      for (int i = 0; i < 200 && !(portsc(port) & kPortPrc); ++i) wait(sim::ms(1));
    }
    write_portsc(port, (portsc(port) & kPortChangeBits) | kPortPp);  // clear change bits
    return (portsc(port) & kPortPed) != 0;
  }

  std::uint64_t input_context(Device& d, std::uint32_t add, std::uint32_t drop = 0) {
    const std::uint64_t in = alloc(layout.input_context_bytes(), 64);
    const std::uint32_t icc[8] = {drop, add, 0, 0, 0, 0, 0, 0};
    mem.write(in, icc, sizeof icc);
    return in;
  }
  void put_slot(std::uint64_t in, const SlotContext& s) {
    std::uint32_t dw[8];
    s.encode(dw);
    mem.write(in + layout.input_slot(), dw, sizeof dw);
  }
  void put_ep(std::uint64_t in, unsigned dci, const EndpointContext& e) {
    std::uint32_t dw[8];
    e.encode(dw);
    mem.write(in + layout.input_endpoint(dci), dw, sizeof dw);
  }
  SlotContext out_slot(const Device& d) {
    std::uint32_t dw[8];
    mem.read(d.out_ctx, dw, sizeof dw);
    return SlotContext::decode(dw);
  }
  EndpointContext out_ep(const Device& d, unsigned dci) {
    std::uint32_t dw[8];
    mem.read(d.out_ctx + layout.device_endpoint(dci), dw, sizeof dw);
    return EndpointContext::decode(dw);
  }

  /// Enable Slot + Address Device; returns the completion code of Address Device.
  CompletionCode address(Device& d, unsigned port, usb::Speed speed, bool bsr = false) {
    d.port = port;
    d.speed = speed;
    const Event es = command(cmd_trb(TrbType::enable_slot));
    if (es.cc() != CompletionCode::success) return es.cc();
    d.slot = es.slot();
    d.out_ctx = alloc(layout.device_context_bytes(), 64);
    mem.write(dcbaa + 8ULL * d.slot, &d.out_ctx, 8);
    d.ep0 = make_ring(16);
    d.input = input_context(d, 0x3);
    SlotContext sc;
    sc.root_hub_port_number = static_cast<std::uint8_t>(port);
    sc.context_entries = 1;
    sc.speed = speed == usb::Speed::super ? kPsiSuper : kPsiHigh;
    put_slot(d.input, sc);
    EndpointContext ep0;
    ep0.ep_type = EpType::control;
    ep0.max_packet_size = speed == usb::Speed::super ? 512 : 64;
    ep0.cerr = 3;
    ep0.tr_dequeue_pointer = d.ep0.base;
    ep0.dcs = true;
    put_ep(d.input, 1, ep0);
    return command(cmd_trb(TrbType::address_device, d.slot, d.input, bsr ? kTrbBsr : 0)).cc();
  }

  /// Configures the bulk IN (EP1, DCI 3) and bulk OUT (EP2, DCI 4) endpoints.
  CompletionCode configure_bulk(Device& d, unsigned mps, unsigned burst) {
    d.mps = mps;
    d.bulk_in = make_ring(64);
    d.bulk_out = make_ring(64);
    const std::uint64_t in = input_context(d, (1u << 3) | (1u << 4) | 1u);
    SlotContext sc;
    sc.root_hub_port_number = static_cast<std::uint8_t>(d.port);
    sc.context_entries = 4;
    put_slot(in, sc);
    for (unsigned dci : {3u, 4u}) {
      EndpointContext e;
      e.ep_type = dci == 3 ? EpType::bulk_in : EpType::bulk_out;
      e.max_packet_size = static_cast<std::uint16_t>(mps);
      e.max_burst_size = static_cast<std::uint8_t>(burst);
      e.cerr = 3;
      const ProducerRing& r = dci == 3 ? d.bulk_in : d.bulk_out;
      e.tr_dequeue_pointer = r.base;
      e.dcs = true;
      put_ep(in, dci, e);
    }
    return command(cmd_trb(TrbType::configure_endpoint, d.slot, in)).cc();
  }

  /// A control transfer on EP0 with a data buffer at `buf`; returns the
  /// Transfer Event of the Status stage (or of the failing stage).
  Event control(Device& d, usb::SetupPacket sp, std::uint64_t buf, bool isp = true) {
    Trb setup;
    const auto b = sp.bytes();
    std::memcpy(setup.d, b.data(), 8);
    setup.d[2] = 8;
    setup.set_type(TrbType::setup_stage);
    setup.d[3] |= kTrbIdt | (std::uint32_t{sp.wLength ? (sp.device_to_host() ? kTrtIn : kTrtOut) : kTrtNoData} << 16);
    push(d.ep0, setup);
    if (sp.wLength) {
      Trb data;
      data.set_parameter(buf);
      data.d[2] = sp.wLength;
      data.set_type(TrbType::data_stage);
      data.d[3] |= (sp.device_to_host() ? kTrbDirIn : 0) | (isp ? kTrbIsp : 0);
      push(d.ep0, data);
    }
    Trb status;
    status.set_type(TrbType::status_stage);
    status.d[3] |= kTrbIoc | ((sp.wLength && sp.device_to_host()) ? 0 : kTrbDirIn);
    const std::uint64_t st = push(d.ep0, status);
    wr(kDb + 4ULL * d.slot, 1);
    for (;;) {
      auto e = wait_event(TrbType::transfer_event);
      if (!e) return Event{};
      if (e->pointer() == st || e->cc() != CompletionCode::success) return *e;
    }
  }

  /// A bulk TD of Normal TRBs (split in `pieces`) on DCI 3 (IN) or 4 (OUT).
  Event bulk(Device& d, bool in, std::uint64_t buf, std::uint32_t len, unsigned pieces = 1) {
    ProducerRing& r = in ? d.bulk_in : d.bulk_out;
    std::uint64_t last = 0;
    const std::uint32_t piece = pieces > 1 ? (len + pieces - 1) / pieces : len;
    for (std::uint32_t off = 0, k = 0; off < len || (len == 0 && k == 0); ++k) {
      const std::uint32_t n = std::min(piece, len - off);
      Trb t;
      t.set_parameter(buf + off);
      t.d[2] = n;
      t.set_type(TrbType::normal);
      const bool final_piece = off + n >= len;
      t.d[3] |= kTrbIsp | (final_piece ? kTrbIoc : kTrbChain);
      last = push(r, t);
      off += n;
      if (len == 0) break;
    }
    wr(kDb + 4ULL * d.slot, in ? 3 : 4);
    for (;;) {
      auto e = wait_event(TrbType::transfer_event, sim::ms(500));
      if (!e) return Event{};
      if (e->pointer() == last || e->cc() != CompletionCode::success) return *e;
    }
  }
};

}  // namespace xhcitest
