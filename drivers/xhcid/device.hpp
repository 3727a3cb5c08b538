// One USB device on a root hub port, as xhcid drives it: its slot, contexts,
// endpoint rings and the transfers in flight on them; enumeration (xHCI 1.2
// §4.3: Enable Slot, Address Device, descriptors, Evaluate Context,
// Configure Endpoint, SET_CONFIGURATION); control and bulk/interrupt
// transfers; halt recovery; and teardown when the device leaves.
//
// A transfer is one TD: Normal TRBs (ISP on each, CH on all but the last,
// IOC on the last) that never cross a 64 KiB boundary (§6.4.1.1). Its bytes
// come from the Transfer Events (§4.10.1.1): a short packet reports its TRB
// and residual, then the IOC TRB reports again. Events arrive in TD order per
// endpoint, so each event belongs to the oldest TD in flight there.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/xhcid/context.hpp"
#include "drivers/xhcid/controller.hpp"
#include "drivers/xhcid/descriptors.hpp"
#include "drivers/xhcid/protocol.hpp"
#include "drivers/xhcid/ring.hpp"
#include "drivers/xhcid/usb.hpp"

namespace xhcid {

/// A TD in flight, owned by the task waiting for it.
struct PendingTd {
  struct Piece {
    std::uint64_t address;  // of the data TRB
    std::uint32_t offset;   // of its bytes within the TD
    std::uint32_t length;
  };
  std::vector<Piece> data;
  std::uint64_t final_trb = 0;  // the TRB with IOC
  std::uint64_t total = 0;
  unsigned trbs = 0;  // ring TRBs the TD occupies
  bool short_seen = false;
  std::uint32_t short_bytes = 0;
  hal::Signal<proto::Transfer> done;

  /// Applies one Transfer Event; true when the TD is complete (`result` set).
  bool on_event(const Trb& event, proto::Transfer& result);
};

struct Endpoint {
  unsigned dci = 0;
  EpType type = EpType::not_valid;
  std::uint16_t max_packet = 0;
  std::uint8_t max_burst = 0;
  std::uint8_t interval = 0;
  hal::DmaBuffer page;
  ProducerRing ring;
  bool halted = false;  // the controller halted it (a STALL or an error)
  std::deque<PendingTd*> in_flight;
  hal::WaitList room;
};

/// Splits [phys, phys + length) into TRB buffers: none crosses a 64 KiB
/// boundary (§6.4.1.1). A zero-length transfer is one empty piece.
std::vector<std::pair<std::uint64_t, std::uint32_t>> split_buffer(std::uint64_t phys, std::uint64_t length);
/// The xHCI Interval (§6.2.3.6) of a periodic endpoint.
std::uint8_t xhci_interval(const usb::EndpointDescriptor& e, usb::Speed speed);

class Device {
 public:
  enum class State { enumerating, configured, failed, gone };

  Device(Controller& hc, unsigned port, usb::Speed speed);
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  /// Enable Slot .. SET_CONFIGURATION. On failure the caller calls teardown().
  hal::Task<hal::Result<void>> enumerate();
  /// The device left (or enumeration failed): Disable Slot, fail what is in
  /// flight with `error`, give the pages back.
  hal::Task<void> teardown(int error);

  /// A control transfer on EP0; `data` is the data stage buffer (phys, at
  /// least setup.wLength bytes). A STALL is recovered on the controller side
  /// at once (Reset Endpoint, Set TR Dequeue Pointer).
  hal::Task<proto::Transfer> control(const usb::SetupPacket& setup, std::uint64_t data_phys);
  /// A bulk or interrupt transfer on a configured endpoint.
  hal::Task<proto::Transfer> transfer(std::uint8_t endpoint_address, std::uint64_t phys, std::uint64_t length);
  /// Reset Endpoint + Set TR Dequeue Pointer (if the controller halted it),
  /// then CLEAR_FEATURE(ENDPOINT_HALT) to the device (USB 2.0 §9.4.5).
  hal::Task<hal::Result<void>> clear_halt(std::uint8_t endpoint_address);

  /// From the event task: a Transfer Event for this slot.
  void on_transfer_event(const Trb& event);

  State state() const { return state_; }
  unsigned port() const { return port_; }
  unsigned slot() const { return slot_; }
  usb::Speed speed() const { return speed_; }
  const usb::DeviceDescriptor& device_descriptor() const { return device_; }
  const usb::ConfigurationDescriptor& configuration() const { return config_; }
  std::uint8_t active_configuration() const { return active_config_; }
  /// Device descriptor then the configuration set, as GetDescriptors gives them.
  const std::vector<std::uint8_t>& descriptor_bytes() const { return descriptor_bytes_; }
  /// True if `endpoint_address` belongs to interface `interface` (alt 0).
  bool interface_has_endpoint(unsigned interface, std::uint8_t endpoint_address) const;
  std::string describe() const;

  /// Class drivers spawned for this device: interface -> pid.
  std::map<unsigned, std::uint32_t> drivers;
  /// Connections of attached class drivers, shut down when the device leaves.
  std::vector<hal::RingServer*> connections;

 private:
  hal::Task<hal::Result<void>> command_ok(Trb trb, const char* what);
  hal::Task<hal::Result<std::uint32_t>> get(const usb::SetupPacket& setup, const char* what);
  hal::Task<hal::Result<void>> configure_endpoints();
  hal::Task<void> reset_halted(Endpoint& ep);
  hal::Task<proto::Transfer> run_td(Endpoint& ep, PendingTd& td);
  hal::Result<void> setup_endpoint(Endpoint& ep, unsigned dci);
  void cancel_in_flight(Endpoint& ep, int error);

  Controller& hc_;
  unsigned port_;
  usb::Speed speed_;
  unsigned slot_ = 0;
  State state_ = State::enumerating;
  hal::DmaBuffer out_page_, in_page_, buf_page_;
  DeviceContext out_;
  InputContext in_;
  std::unique_ptr<Endpoint> eps_[kMaxDci + 1];
  usb::DeviceDescriptor device_;
  usb::ConfigurationDescriptor config_;
  std::uint8_t active_config_ = 0;
  std::vector<std::uint8_t> descriptor_bytes_;
};

}  // namespace xhcid
