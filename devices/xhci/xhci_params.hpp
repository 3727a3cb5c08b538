// What a scenario may set on an xHCI controller. Defaults give a small
// Intel-like controller: 4 USB 2 and 4 USB 3 ports, 32 slots, 4 interrupters.
#pragma once

#include <cstdint>

#include "devices/pci/pcie_link.hpp"
#include "devices/xhci/timing.hpp"

namespace xhci {

struct XhciParams {
  std::uint16_t vendor_id = 0x1b36;  // Red Hat's emulated-device VID
  std::uint16_t device_id = 0x000d;  // as QEMU's qemu-xhci, which drivers know
  unsigned usb2_ports = 4;           // ports 1..usb2_ports speak USB 2
  unsigned usb3_ports = 4;           // the next usb3_ports speak USB 3
  unsigned max_slots = 32;           // HCSPARAMS1.MaxSlots, 1..255
  unsigned interrupters = 4;         // HCSPARAMS1.MaxIntrs, 1..64
  unsigned msix_vectors = 4;         // MSI-X table size; interrupter i uses vector i mod n
  unsigned context_size = 32;        // 32 or 64 (HCCPARAMS1.CSZ)
  unsigned scratchpad_buffers = 4;   // HCSPARAMS2 Max Scratchpad Bufs, 0..1023
  unsigned erst_max = 4;             // HCSPARAMS2 ERST Max: 2^erst_max segments
  bool port_power_control = false;   // HCCPARAMS1.PPC: software switches PORTSC.PP
  std::uint16_t bus_number = 1;      // the USB bus number in captures
  XhciTiming timing;
  pci::PcieLinkParams link;
};

}  // namespace xhci
