#include "sim/platform/qemu_platform.hpp"

#include <set>
#include <stdexcept>

namespace sim::platform {

namespace {

constexpr std::uint64_t kMaxQemuMemory = 2ULL << 30;  // QEMU's q35 puts RAM above 2 GiB at 4 GiB; drvsim at 3 GiB

}  // namespace

qemu::MachineSpec qemu_machine_spec(const scenario::Scenario& sc) {
  if (sc.machine.memory > kMaxQemuMemory || sc.machine.memory % (1ULL << 20) != 0)
    throw scenario::ScenarioError(sc.platform_mark,
                                  "machine.memory: the QEMU platform takes a multiple of 1MiB up to 2GiB");
  qemu::MachineSpec m;
  for (const scenario::DeviceSpec& d : sc.devices) {
    if (d.vendor_id || d.device_id)
      throw scenario::ScenarioError(d.mark, "devices: QEMU's models keep their own Vendor and Device IDs (platform: qemu)");
    if (const auto* n = std::get_if<scenario::NvmeSpec>(&d.config)) {
      qemu::NvmeSpec q;
      q.name = d.name;
      q.device = d.address.device;
      q.function = d.address.function;
      q.serial = n->serial;
      q.msix_vectors = n->msix_vectors;
      q.max_io_queues = n->max_io_queues;
      q.mdts = n->mdts;
      std::set<std::uint32_t> used;
      for (const auto& ns : n->namespaces) used.insert(ns.nsid);
      std::uint32_t next = 1;
      for (const auto& ns : n->namespaces) {
        std::uint32_t nsid = ns.nsid;
        if (!nsid) {
          while (used.count(next)) ++next;
          nsid = next++;
          used.insert(nsid);
        }
        q.namespaces.push_back({nsid, ns.size, ns.lba_size, ns.image});
      }
      m.nvme.push_back(q);
    } else if (const auto* x = std::get_if<scenario::XhciSpec>(&d.config)) {
      if (!x->capture.empty())
        throw scenario::ScenarioError(d.mark, "devices: capture is not available on the QEMU platform");
      qemu::XhciSpec q;
      q.name = d.name;
      q.device = d.address.device;
      q.function = d.address.function;
      q.usb2_ports = x->usb2_ports;
      q.usb3_ports = x->usb3_ports;
      std::set<unsigned> taken;
      for (const auto& u : x->usb_devices) taken.insert(u.port);
      for (const auto& u : x->usb_devices) {
        if (u.attach_at || u.detach_at)
          throw scenario::ScenarioError(u.mark, "usb_devices: hotplug (attach_at, detach_at) is not available on the QEMU platform");
        unsigned port = u.port;
        if (!port) {
          const unsigned first = u.super_speed ? x->usb2_ports + 1 : 1;
          const unsigned last = u.super_speed ? x->usb2_ports + x->usb3_ports : x->usb2_ports;
          for (unsigned p = first; p <= last && !port; ++p)
            if (!taken.count(p)) port = p;
          if (!port) throw scenario::ScenarioError(u.mark, "no free port of that speed for '" + u.name + "'");
          taken.insert(port);
        }
        qemu::UsbStorageSpec s;
        s.name = u.name;
        s.port = port;
        s.super_speed = u.super_speed;
        s.capacity = u.capacity;
        s.block_size = u.block_size;
        s.serial = u.serial;
        s.read_only = u.read_only;
        s.image = u.image;
        q.usb_devices.push_back(s);
      }
      m.xhci.push_back(q);
    } else {
      throw scenario::ScenarioError(d.mark, "device type '" + d.type + "' has no QEMU model (platform: qemu)");
    }
  }
  return m;
}

QemuPlatform::QemuPlatform(const scenario::Scenario& sc) : spec_(qemu_machine_spec(sc)) {
  for (const scenario::DeviceSpec& d : sc.devices) functions_.push_back({d.address.device, d.address.function, d.name});
  qemu::QemuConfig cfg;
  cfg.ram_bytes = sc.machine.memory;
  try {
    cfg.device_args = qemu::device_args(spec_, dir_);
  } catch (const std::invalid_argument& e) {
    throw scenario::ScenarioError(sc.platform_mark, std::string("platform qemu: ") + e.what());
  }
  process_ = std::make_unique<qemu::QemuProcess>(dir_, cfg);
}

std::unique_ptr<qemu::QemuBridge> QemuPlatform::make_bridge(Trace& trace, GuestMemory& memory,
                                                            pci::InterruptController& irqc) {
  qemu::BridgeConfig bc;
  bc.functions = functions_;
  return std::make_unique<qemu::QemuBridge>("qemu", trace, memory, irqc, process_->qtest(), bc);
}

}  // namespace sim::platform
