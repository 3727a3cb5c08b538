// A machine for nvmed end-to-end tests, after tests/kernel/kernel_fixture.hpp:
// guest memory, interrupt controller, root complex, the NVMe controller
// model at 00:02.0, and the kernel model running real programs: pcid
// (privileged), nvmed (spawned by pcid), blockbench and test programs.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/nvme/controller.hpp"
#include "devices/pci/interrupt_controller.hpp"
#include "devices/pci/root_complex.hpp"
#include "drivers/apps/blockbench.hpp"
#include "drivers/nvmed/nvmed.hpp"
#include "drivers/pcid/pcid.hpp"
#include "kernel-model/kernel.hpp"
#include "sim/core/address_map.hpp"
#include "sim/core/bus_master.hpp"
#include "sim/core/guest_memory.hpp"
#include "sim/core/trace.hpp"

namespace nvmedtest {

struct FreshKernel {
  FreshKernel() { sim::fresh_kernel(); }
};

/// An event as the test keeps it.
struct Event {
  sim::Picos time = 0;
  sim::Severity severity = sim::Severity::info;
  std::string component, kind, msg;
  std::map<std::string, std::uint64_t> numbers;
  std::map<std::string, std::string> strings;
};

class Collector final : public sim::TraceSink {
 public:
  explicit Collector(std::vector<Event>& out) : out_(out) {}
  void write(const sim::TraceEvent& e) override {
    Event x;
    x.time = e.time;
    x.severity = e.severity;
    x.component = std::string(e.component);
    x.kind = std::string(e.kind);
    for (const sim::Field& f : e.fields) {
      if (f.value.type == sim::FieldValue::Type::str) {
        x.strings[std::string(f.key)] = std::string(f.value.str);
        if (f.key == "msg") x.msg = std::string(f.value.str);
      } else {
        x.numbers[std::string(f.key)] = f.value.num;
      }
    }
    out_.push_back(std::move(x));
  }

 private:
  std::vector<Event>& out_;
};

inline nvme::NvmeParams two_namespaces() {
  nvme::NvmeParams p;
  nvme::NamespaceParams a;
  a.nsid = 1;
  a.size_bytes = 64ULL << 20;
  a.lba_bytes = 512;
  nvme::NamespaceParams b;
  b.nsid = 2;
  b.size_bytes = 64ULL << 20;
  b.lba_bytes = 4096;
  p.namespaces = {a, b};
  return p;
}

class Machine {
  FreshKernel fresh_;

 public:
  std::vector<Event> events;
  sim::Trace trace;
  sim::GuestMemory mem;
  pci::InterruptController irqc;
  pci::RootComplex rc;
  sim::BusMaster bus{"bus"};
  std::unique_ptr<nvme::NvmeController> ctrl;
  std::unique_ptr<kernel::Kernel> k;
  std::vector<std::string> printed;
  bool stopped = false;

  explicit Machine(const nvme::NvmeParams& params = two_namespaces(), unsigned cpus = 2,
                   kernel::Kernel::Programs extra = {}, std::uint64_t ram = 256ULL << 20)
      : mem(ram), irqc("irqc", trace, cpus), rc("rc", trace, mem, irqc) {
    trace.add_sink(std::make_unique<Collector>(events));
    ctrl = std::make_unique<nvme::NvmeController>("nvme", trace, params);
    rc.attach(*ctrl, 2, 0);
    bus.socket.bind(rc.cpu_socket);
    kernel::KernelConfig cfg;
    cfg.cpus = cpus;
    cfg.ecam_base = sim::addr::kEcamBase;
    cfg.ecam_size = sim::addr::kEcamSize;
    kernel::Kernel::Programs programs = {
        {"pcid", &pcid_main}, {"nvmed", &nvmed_main}, {"blockbench", &apps::blockbench_main}};
    for (auto& [name, main] : extra) programs[name] = main;
    k = std::make_unique<kernel::Kernel>("kernel", trace, mem, bus, irqc, cfg, std::move(programs));
    k->on_print([this](std::string_view l) { printed.emplace_back(l); });
    k->on_foreground_change([this](std::size_t n) {
      if (n == 0) {
        stopped = true;
        sc_core::sc_stop();
      }
    });
  }

  /// pcid, privileged, on CPU 0, with match rules (none: its defaults).
  void pcid(std::vector<std::string> rules = {}) {
    auto r = k->spawn("pcid", std::move(rules), 0, 0, true);
    ASSERT_TRUE(r.has_value());
  }
  void spawn(const std::string& program, std::vector<std::string> args, unsigned cpu = 0) {
    auto r = k->spawn(program, std::move(args), static_cast<int>(cpu), 0, false);
    ASSERT_TRUE(r.has_value()) << program;
  }
  /// Runs until no foreground process is left or `limit` passes.
  void run(sim::Picos limit = sim::ms(200)) { sc_core::sc_start(sim::to_sc(limit)); }

  // --- What happened
  bool printed_has(std::string_view text) const {
    for (const auto& l : printed)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all_printed() const {
    std::string s;
    for (const auto& l : printed) s += l + "\n";
    return s;
  }
  std::size_t count(std::string_view component, std::string_view kind) const {
    std::size_t n = 0;
    for (const Event& e : events)
      if ((component.empty() || e.component == component) && e.kind == kind) ++n;
    return n;
  }
  /// `result` values, read as docs/scenario-format.md says: "[prefix] k=v
  /// k=v ..." reports prefix.k (the last report wins).
  std::map<std::string, double> results() const {
    std::map<std::string, double> v;
    for (const Event& e : events) {
      if (e.kind != "result") continue;
      std::string prefix;
      std::size_t pos = 0;
      bool first = true;
      while (pos < e.msg.size()) {
        std::size_t end = e.msg.find(' ', pos);
        if (end == std::string::npos) end = e.msg.size();
        const std::string word = e.msg.substr(pos, end - pos);
        pos = end + 1;
        if (word.empty()) continue;
        const auto eq = word.find('=');
        if (eq == std::string::npos) {
          if (first) prefix = word + ".";
        } else {
          v[prefix + word.substr(0, eq)] = std::stod(word.substr(eq + 1));
        }
        first = false;
      }
    }
    return v;
  }
  double result(const std::string& name) const {
    const auto v = results();
    const auto it = v.find(name);
    if (it == v.end()) {
      ADD_FAILURE() << "no result " << name;
      return -1;
    }
    return it->second;
  }
  std::vector<std::string> failures() const { return k->failures(); }
  std::string warnings_and_errors(std::size_t max = 20) const {
    std::string s;
    for (const Event& e : events)
      if (e.severity >= sim::Severity::warn && max-- > 0) s += e.component + " " + e.kind + " " + e.msg + "\n";
    return s;
  }
};

}  // namespace nvmedtest
