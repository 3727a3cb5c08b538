// xhcid's state: the controller, its root hub ports and the devices on them,
// and the scheme class drivers attach to. One Driver per process, shared by
// every task (each holds a shared_ptr, so it outlives them all).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/pcid/client.hpp"
#include "drivers/xhcid/controller.hpp"
#include "drivers/xhcid/device.hpp"
#include "drivers/xhcid/options.hpp"
#include "drivers/xhcid/protocol.hpp"

namespace xhcid {

struct Port {
  unsigned number = 0;
  bool usb3 = false;
  hal::Mailbox<int> kicks;  // "look at PORTSC": Port Status Change Events, start-up
  std::shared_ptr<Device> device;
  proto::PortState state = proto::PortState::disconnected;
  std::vector<unsigned> disks;  // disk indices handed to this device's drivers
};

struct Driver {
  Driver(hal::Sys& s, Options o, pcid::PcidClient p, hal::Mmio bar0, Controller::Params params)
      : sys(s), options(std::move(o)), pcid(std::move(p)), hc(s, bar0, params) {}

  hal::Sys& sys;
  Options options;
  pcid::PcidClient pcid;
  Controller hc;  // declared before the ports: devices use it while they go
  std::vector<std::unique_ptr<Port>> ports;  // index = port number - 1
  std::vector<bool> disks_in_use;
  hal::SchemeServer* scheme = nullptr;
  std::string scheme_name;

  Port* port(unsigned number) {
    return number >= 1 && number <= ports.size() ? ports[number - 1].get() : nullptr;
  }
  /// The live device in `slot` (one being torn down only if no other).
  Device* device_in_slot(unsigned slot);
};

/// The task of one root hub port: attach, enumerate, spawn class drivers,
/// detach; woken through Port::kicks.
hal::Task<void> port_task(std::shared_ptr<Driver> d, unsigned number);
/// Accepts class-driver rings and serves each in its own task.
hal::Task<void> accept_task(std::shared_ptr<Driver> d);

}  // namespace xhcid
