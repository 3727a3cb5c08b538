// A machine for the USB drivers' end-to-end tests: memory, root complex,
// interrupt controller, an xHCI controller model with USB mass-storage
// models on its ports, and the kernel model running pcid, xhcid, usbscsid
// and test programs written as HAL coroutines (after tests/kernel's fixture).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/root_complex.hpp"
#include "devices/usb/mass_storage.hpp"
#include "devices/xhci/xhci_controller.hpp"
#include "drivers/hal/file.hpp"
#include "drivers/hal/irq.hpp"
#include "kernel-model/kernel.hpp"
#include "sim/core/address_map.hpp"

namespace usbtest {

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

/// Keeps trace events of the kinds a test asks about.
class RecordingSink final : public sim::TraceSink {
 public:
  struct Event {
    sim::Picos time;
    std::string component, kind, text;
  };
  explicit RecordingSink(std::vector<Event>& out) : out_(out) {}
  void write(const sim::TraceEvent& e) override {
    out_.push_back(Event{e.time, std::string(e.component), std::string(e.kind), sim::format_event_body(e)});
  }

 private:
  std::vector<Event>& out_;
};

class UsbMachine {
  FreshKernel fresh_;

 public:
  sim::Trace trace;
  sim::GuestMemory mem{256ULL << 20};
  pci::InterruptController irqc{"irqc", trace, 2};
  pci::RootComplex rc{"rc", trace, mem, irqc};
  sim::BusMaster bus{"bus"};
  std::unique_ptr<xhci::XhciController> hc;
  std::vector<std::unique_ptr<usb::UsbMassStorage>> disks;
  std::unique_ptr<kernel::Kernel> k;
  std::vector<std::string> printed;
  std::vector<RecordingSink::Event> events;
  bool stopped = false;
  bool stop_when_idle = true;  // stop once no foreground process is left

  explicit UsbMachine(kernel::Kernel::Programs programs, xhci::XhciParams xp = {}, unsigned cpus = 2) {
    bus.socket.bind(rc.cpu_socket);
    trace.add_sink(std::make_unique<RecordingSink>(events));
    if (std::getenv("USBDRV_TRACE")) trace.add_sink(sim::make_text_sink(sim::Severity::debug));
    kernel::KernelConfig cfg;
    cfg.cpus = cpus;
    cfg.ecam_base = sim::addr::kEcamBase;
    cfg.ecam_size = sim::addr::kEcamSize;
    k = std::make_unique<kernel::Kernel>("kernel", trace, mem, bus, irqc, cfg, std::move(programs));
    k->on_print([this](std::string_view l) { printed.emplace_back(l); });
    k->on_foreground_change([this](std::size_t n) {
      if (n == 0 && stop_when_idle) {
        stopped = true;
        sc_core::sc_stop();
      }
    });
    hc = std::make_unique<xhci::XhciController>("xhci", trace, xp);
    rc.attach(*hc, 4, 0);
  }

  /// A mass-storage device on the first free port of its speed, plugged in
  /// at `at` (and unplugged at `detach_at`, if not 0).
  usb::UsbMassStorage& plug(usb::Speed speed, sim::Picos at = 0, usb::UsbStorageParams p = {},
                            sim::Picos detach_at = 0) {
    p.speed = speed;
    disks.push_back(std::make_unique<usb::UsbMassStorage>("disk" + std::to_string(disks.size()), p));
    const unsigned port = hc->free_port(speed);
    EXPECT_NE(port, 0u);
    hc->attach(port, *disks.back(), at);
    if (detach_at) hc->detach(port, detach_at);
    return *disks.back();
  }
  unsigned port_of(usb::Speed speed, unsigned nth = 0) const {
    unsigned seen = 0;
    for (unsigned p = 1; p <= hc->port_count(); ++p)
      if (hc->port_is_usb3(p) == (speed == usb::Speed::super) && seen++ == nth) return p;
    return 0;
  }

  /// Spawns pcid (privileged, with `pcid_args` as its match rules) and the
  /// other programs; runs until no foreground process is left or `limit`.
  void run(std::vector<std::string> pcid_args, std::vector<std::pair<std::string, std::vector<std::string>>> others,
           sim::Picos limit) {
    auto r = k->spawn("pcid", std::move(pcid_args), 0, 0, true);
    ASSERT_TRUE(r.has_value());
    for (auto& [prog, args] : others) {
      auto p = k->spawn(prog, args, 0, 0, false);
      ASSERT_TRUE(p.has_value()) << prog;
    }
    sc_core::sc_start(sim::to_sc(limit));
  }

  bool printed_contains(std::string_view s) const {
    for (const auto& l : printed)
      if (l.find(s) != std::string::npos) return true;
    return false;
  }
  std::size_t count_events(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
  std::string dump_printed() const {
    std::string s;
    for (const auto& l : printed) s += l + "\n";
    return s;
  }
  std::uint64_t warnings() const { return trace.count(sim::Severity::warn); }
  std::size_t count_printed(std::string_view s) const {
    std::size_t n = 0;
    for (const auto& l : printed) n += l.find(s) != std::string::npos;
    return n;
  }
  /// The pid of the `nth` process spawned as `program` (0 if none).
  hal::Pid pid_of(std::string_view program, unsigned nth = 0) const {
    const std::string needle = " program=" + std::string(program) + " ";
    unsigned seen = 0;
    for (const auto& e : events) {
      if (e.kind != "process.spawn" || e.text.find(needle) == std::string::npos) continue;
      if (seen++ != nth) continue;
      const auto at = e.text.find(" pid=");
      return at == std::string::npos ? 0 : static_cast<hal::Pid>(std::stoul(e.text.substr(at + 5)));
    }
    return 0;
  }
  /// Executor resumptions of a process so far (0 if it is gone).
  std::uint64_t resumptions(hal::Pid pid) {
    kernel::Process* p = k->process(pid);
    return p ? p->executor().resumptions() : 0;
  }
};

}  // namespace usbtest
