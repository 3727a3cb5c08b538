// A Device Slot and its endpoints as the controller tracks them (the
// controller-private side of the Device Context, xHCI 1.2 §4.5, §4.8).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "devices/usb/usb_device.hpp"
#include "devices/xhci/context.hpp"
#include "devices/xhci/event_queue.hpp"
#include "devices/xhci/ring.hpp"

namespace xhci {

/// One TRB of a TD as fetched.
struct TdTrb {
  Trb trb;
  std::uint64_t address = 0;
  bool cycle = true;  // the ring's cycle state at this TRB
};

struct Endpoint {
  EpState state = EpState::disabled;
  EndpointContext ctx;
  TrbRing ring;
  bool busy = false;     // a TD is on the bus; its completion is scheduled
  bool waiting = false;  // the device NAKed; retry on ready (bulk) or interval (interrupt)
  std::vector<TdTrb> td;  // the TD in flight or waiting
  TrbRing td_after;           // the ring position after the TD
  std::function<void()> complete;  // finishes the TD in flight
  EventQueue::Ticket ticket;  // service, completion or retry
  std::uint32_t edtla = 0;    // Event Data Transfer Length Accumulator
  std::uint64_t urb_id = 0;
};

struct DeviceSlot {
  bool enabled = false;
  SlotContext ctx;  // as last written to the output context
  unsigned port = 0;
  std::uint8_t address = 0;  // the USB device address this controller assigned
  std::uint64_t output_context = 0;  // DCBAA[slot]
  usb::UsbDevice* device = nullptr;
  std::array<Endpoint, kMaxEndpoints + 1> eps{};  // index = DCI
};

}  // namespace xhci
