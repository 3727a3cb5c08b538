// A root hub port: its register set (PORTSC, PORTPMSC, PORTLI, PORTHLPMC;
// xHCI 1.2 §5.4.8-§5.4.11) and what is plugged into it.
#pragma once

#include <cstdint>

#include "devices/usb/usb_device.hpp"
#include "devices/xhci/event_queue.hpp"
#include "devices/xhci/xhci_regs.hpp"

namespace xhci {

struct Port {
  unsigned number = 0;  // 1-based Port ID
  bool usb3 = false;
  usb::UsbDevice* device = nullptr;  // attached (connected) device

  bool pp = true;    // Port Power
  bool ped = false;  // Port Enabled/Disabled
  bool pr = false;   // Port Reset in progress
  bool wpr = false;  // Warm Port Reset in progress
  Pls pls = Pls::rx_detect;
  std::uint8_t speed = 0;  // Protocol Speed ID of the attached device
  std::uint32_t change = 0;  // CSC, PEC, WRC, OCC, PRC, PLC, CEC
  std::uint32_t wake = 0;    // WCE, WDE, WOE
  std::uint8_t pic = 0;
  std::uint32_t pmsc = 0, li = 0, hlpmc = 0;
  EventQueue::Ticket timer;  // reset, training or resume in progress
  sim::Picos bus_free_at = 0;  // the link is busy with a transfer until then

  bool connected() const { return device != nullptr && pp; }
  std::uint32_t portsc() const;
};

/// The Protocol Speed ID (default mapping) for a device speed.
std::uint8_t psi_of(usb::Speed s);

}  // namespace xhci
