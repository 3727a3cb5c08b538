#include "sim/platform/faults.hpp"

#include <algorithm>

#include "devices/nvme/controller.hpp"
#include "devices/usb/mass_storage.hpp"
#include "sim/core/time.hpp"
#include "sim/platform/device_factory.hpp"

namespace sim::platform {

struct FaultInjector::Target {
  const scenario::FaultSpec* spec = nullptr;
  nvme::NvmeController* nvme = nullptr;
  usb::UsbMassStorage* usb = nullptr;
};

namespace {

nvme::FaultQueues queues_of(const std::string& q) {
  if (q == "admin") return nvme::FaultQueues::admin;
  if (q == "any") return nvme::FaultQueues::any;
  return nvme::FaultQueues::io;
}

usb::StallPipe pipe_of(const std::string& p) {
  if (p == "in") return usb::StallPipe::in;
  if (p == "out") return usb::StallPipe::out;
  return usb::StallPipe::both;
}

}  // namespace

FaultInjector::FaultInjector(sc_core::sc_module_name name, Trace& trace,
                             const std::vector<scenario::FaultSpec>& faults,
                             const std::vector<std::unique_ptr<pci::PciFunction>>& devices)
    : sc_module(name), trace_(trace) {
  for (const scenario::FaultSpec& f : faults) {
    Target t;
    t.spec = &f;
    for (const auto& d : devices) {
      if (d->component() == f.device) t.nvme = dynamic_cast<nvme::NvmeController*>(d.get());
      if (!t.usb) t.usb = find_usb_storage(*d, f.device);
    }
    if (!t.nvme && !t.usb)
      throw scenario::ScenarioError(f.mark, "fault kind '" + f.kind + "' cannot reach device '" + f.device +
                                                "' in this build");
    targets_.push_back(t);
  }
  std::stable_sort(targets_.begin(), targets_.end(),
                   [](const Target& a, const Target& b) { return a.spec->at < b.spec->at; });
  SC_HAS_PROCESS(FaultInjector);
  SC_THREAD(body);
}

FaultInjector::~FaultInjector() = default;

void FaultInjector::body() {
  for (const Target& t : targets_) {
    if (t.spec->at > now()) sc_core::wait(to_sc(t.spec->at - now()));
    apply(t);
  }
}

void FaultInjector::apply(const Target& t) {
  const scenario::FaultSpec& f = *t.spec;
  const std::string& k = f.kind;
  if (t.nvme && k == "controller-hang") {
    trace_.warn(f.device, "fault", {{"fault", k}, {"for_ps", f.duration}});
    t.nvme->inject_hang(f.duration);
  } else if (t.nvme && k == "drop-completion") {
    trace_.warn(f.device, "fault", {{"fault", k}, {"count", f.count}, {"queue", f.queue}});
    t.nvme->inject_drop_completions(f.count, queues_of(f.queue));
  } else if (t.nvme && k == "fatal") {
    trace_.warn(f.device, "fault", {{"fault", k}});
    t.nvme->inject_fatal();
  } else if (t.usb && k == "stall-next") {
    trace_.warn(f.device, "fault", {{"fault", k}, {"count", f.count}, {"pipe", f.pipe}});
    t.usb->inject_stall_next(f.count, pipe_of(f.pipe));
  } else if (t.usb && k == "bad-csw") {
    trace_.warn(f.device, "fault", {{"fault", k}, {"count", f.count}, {"field", f.field}});
    t.usb->inject_bad_csw(f.count, f.field == "tag" ? usb::BadCswField::tag : usb::BadCswField::signature);
  }
}

}  // namespace sim::platform
