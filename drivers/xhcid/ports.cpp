// Root hub ports (xHCI 1.2 §4.19, §4.3): each port has a task that wakes on
// a Port Status Change Event, acknowledges the change bits, and acts on what
// PORTSC says: a new connection is reset (USB 2; USB 3 ports enable
// themselves), enumerated and handed to a class driver; a disconnection
// tears the device down and ends its class drivers' rings.
#include <cstdio>
#include <string>

#include "drivers/xhcid/driver.hpp"
#include "drivers/xhcid/regs.hpp"

namespace xhcid {

using namespace regs;

Device* Driver::device_in_slot(unsigned slot) {
  Device* going = nullptr;
  for (auto& p : ports) {
    Device* dev = p->device.get();
    if (!dev || dev->slot() != slot) continue;
    if (dev->state() != Device::State::gone) return dev;
    going = dev;
  }
  return going;
}

namespace {

usb::Speed speed_of(std::uint32_t portsc) {
  const unsigned psi = port_speed(portsc);
  return psi >= kPsiFull && psi <= kPsiSuperPlus ? static_cast<usb::Speed>(psi) : usb::Speed::unknown;
}

/// Reads PORTSC and writes the change bits back (RW1C) without touching the
/// trigger bits (PED, PR, WPR, LWS).
std::uint32_t acknowledge(Driver& d, Port& p) {
  const std::uint32_t v = d.hc.portsc(p.number);
  if (v & kPortChangeBits) d.hc.write_portsc(p.number, (v & kPortPreserveBits) | (v & kPortChangeBits));
  return v;
}

unsigned take_disk_index(Driver& d) {
  for (unsigned i = d.options.disk_base;; ++i) {
    if (i >= d.disks_in_use.size()) d.disks_in_use.resize(i + 1, false);
    if (!d.disks_in_use[i]) {
      d.disks_in_use[i] = true;
      return i;
    }
  }
}

void spawn_class_drivers(Driver& d, Port& p, Device& dev) {
  const std::string where = "xhcid: port " + std::to_string(p.number);
  for (const auto& intf : dev.configuration().interfaces) {
    if (intf.bAlternateSetting != 0) continue;
    const bool storage = intf.bInterfaceClass == usb::kClassMassStorage &&
                         intf.bInterfaceSubClass == usb::kSubclassScsiTransparent &&
                         intf.bInterfaceProtocol == usb::kProtocolBulkOnly;
    char cls[16];
    std::snprintf(cls, sizeof cls, "%02x/%02x/%02x", intf.bInterfaceClass, intf.bInterfaceSubClass,
                  intf.bInterfaceProtocol);
    const std::string what = where + " interface " + std::to_string(intf.bInterfaceNumber) + " class " + cls;
    if (!storage || !d.options.spawn_class_drivers) {
      d.sys.print(what + ": no driver");
      continue;
    }
    const unsigned disk = take_disk_index(d);
    std::vector<std::string> args = {"--scheme", d.scheme_name, "--port", std::to_string(p.number), "--interface",
                                     std::to_string(intf.bInterfaceNumber), "--disk", std::to_string(disk)};
    args.insert(args.end(), d.options.storage_args.begin(), d.options.storage_args.end());
    const hal::Result<hal::Pid> pid = d.sys.spawn(d.options.storage_driver, args);
    if (!pid) {
      d.disks_in_use[disk] = false;
      d.sys.print(what + ": spawning " + d.options.storage_driver + " failed: " + pid.error().message());
      d.sys.log(hal::LogLevel::error, "xhcid.spawn_failed", what + ": " + pid.error().message());
      continue;
    }
    dev.drivers[intf.bInterfaceNumber] = *pid;
    p.disks.push_back(disk);
    d.sys.print(what + " -> " + d.options.storage_driver + " --port " + std::to_string(p.number) + " --disk " +
                std::to_string(disk) + " (pid " + std::to_string(*pid) + ")");
    d.sys.log(hal::LogLevel::info, "xhcid.spawn", what + " pid " + std::to_string(*pid));
  }
}

hal::Task<void> detach(Driver& d, Port& p) {
  std::shared_ptr<Device> dev = p.device;
  // The class drivers hear ESHUTDOWN on their rings; what they had in flight
  // completes with ENODEV when the slot goes.
  for (hal::RingServer* c : dev->connections) c->shut_down();
  dev->connections.clear();
  co_await dev->teardown(hal::errc::nodev);
  for (unsigned disk : p.disks)
    if (disk < d.disks_in_use.size()) d.disks_in_use[disk] = false;
  p.disks.clear();
  p.device = nullptr;
  p.state = proto::PortState::disconnected;
  d.sys.print("xhcid: port " + std::to_string(p.number) + ": device detached");
  d.sys.log(hal::LogLevel::info, "xhcid.detach", "port " + std::to_string(p.number));
}

/// Waits until the port is enabled after a reset; false if the device left.
hal::Task<bool> wait_enabled(Driver& d, Port& p) {
  for (;;) {
    const std::optional<int> kick = co_await p.kicks.next();
    if (!kick) co_return false;
    const std::uint32_t v = acknowledge(d, p);
    if (!(v & kPortCcs)) co_return false;
    if ((v & kPortPed) && !(v & (kPortPr | kPortWpr))) co_return true;
  }
}

hal::Task<void> attach(Driver& d, Port& p, std::uint32_t portsc) {
  const std::string where = "xhcid: port " + std::to_string(p.number);
  p.state = proto::PortState::enumerating;
  if (!(portsc & kPortPed)) {
    // USB 2 ports stay disabled until reset (§4.19.1.1); a USB 3 port that
    // did not enable itself gets a warm reset (§4.19.1.2).
    d.hc.write_portsc(p.number, (portsc & kPortPreserveBits) | (p.usb3 ? kPortWpr : kPortPr));
    if (!co_await wait_enabled(d, p)) {
      p.state = proto::PortState::disconnected;
      co_return;
    }
    if (!p.usb3) co_await d.sys.sleep_ns(10'000'000);  // TRSTRCY: 10 ms reset recovery (USB 2.0 §7.1.7.5)
    portsc = d.hc.portsc(p.number);
  }
  const usb::Speed speed = speed_of(portsc);
  auto dev = std::make_shared<Device>(d.hc, p.number, speed);
  p.device = dev;
  const hal::Result<void> r = co_await dev->enumerate();
  if (!r) {
    d.sys.print(where + ": enumeration failed: " + r.error().message());
    d.sys.log(hal::LogLevel::error, "xhcid.enumeration_failed", where + ": " + r.error().message());
    co_await dev->teardown(hal::errc::nodev);
    p.device = nullptr;
    p.state = proto::PortState::failed;
    co_return;
  }
  p.state = proto::PortState::configured;
  const usb::DeviceDescriptor& dd = dev->device_descriptor();
  d.sys.print(where + ": USB " + std::to_string(dd.bcdUSB >> 8) + "." + std::to_string((dd.bcdUSB >> 4) & 0xF) + " " +
              dev->describe() + " configuration " + std::to_string(dev->active_configuration()) + ", " +
              std::to_string(dev->configuration().interfaces.size()) + " interface(s)");
  d.sys.log(hal::LogLevel::info, "xhcid.configured", dev->describe());
  spawn_class_drivers(d, p, *dev);
}

hal::Task<void> service(Driver& d, Port& p) {
  const std::uint32_t v = acknowledge(d, p);
  const bool connected = (v & kPortCcs) != 0;
  const bool reconnected = (v & kPortCsc) != 0;  // a new connection since we last looked
  if (p.device && (!connected || reconnected)) co_await detach(d, p);
  if (connected && !p.device && (p.state != proto::PortState::failed || reconnected)) co_await attach(d, p, v);
}

}  // namespace

hal::Task<void> port_task(std::shared_ptr<Driver> d, unsigned number) {
  Port* p = d->port(number);
  if (!p) co_return;
  for (;;) {
    const std::optional<int> kick = co_await p->kicks.next();
    if (!kick) co_return;
    co_await service(*d, *p);
  }
}

}  // namespace xhcid
