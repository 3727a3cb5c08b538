// XhciClient: the class-driver side of the xhcid protocol (protocol.hpp),
// typed. A class driver attaches a ring to xhcid's scheme, names its port
// and interface, then reads descriptors and moves data:
//
//   hal::Result<xhcid::XhciClient> usb = xhcid::XhciClient::attach(sys, "usb", 1 << 20);
//   co_await usb->attach_port(5, 0);
//   xhcid::proto::Transfer t = co_await usb->bulk(0x81, offset, 512);
//
// Buffers are pieces of the ring's pool (pool(), memory()). The client must
// stay where it is (not be moved) while a call is in flight.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "drivers/hal/pool_allocator.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/xhcid/descriptors.hpp"
#include "drivers/xhcid/protocol.hpp"
#include "drivers/xhcid/usb.hpp"

namespace xhcid {

struct PortInfo {
  usb::Speed speed = usb::Speed::unknown;
  unsigned slot = 0;
};

struct Descriptors {
  usb::DeviceDescriptor device;
  usb::ConfigurationDescriptor configuration;
  std::uint8_t active_configuration = 0;
};

class XhciClient {
 public:
  static constexpr std::uint32_t kRingEntries = 32;

  /// Attaches a ring with a `pool_bytes` buffer pool to `scheme`.
  static hal::Result<XhciClient> attach(hal::Sys& sys, std::string_view scheme, std::size_t pool_bytes);
  explicit XhciClient(hal::Channel channel);

  hal::Task<hal::Result<PortInfo>> attach_port(unsigned port, unsigned interface);
  hal::Task<hal::Result<Descriptors>> get_descriptors();
  /// A control transfer whose data stage (if any) uses the pool at `pool_offset`.
  hal::Task<proto::Transfer> control(const usb::SetupPacket& setup, std::uint64_t pool_offset = 0);
  hal::Task<proto::Transfer> bulk(std::uint8_t endpoint, std::uint64_t pool_offset, std::uint32_t length);
  hal::Task<hal::Result<void>> clear_halt(std::uint8_t endpoint);
  hal::Task<hal::Result<proto::PortState>> port_state();
  /// Returns when the device is gone (xhcid shut the ring down): the error.
  hal::Task<hal::Error> wait_disconnect();

  hal::PoolAllocator& pool() { return pool_; }
  const hal::DmaBuffer& memory() const { return channel_.pool; }
  const hal::Channel& channel() const { return channel_; }

 private:
  hal::Channel channel_;
  hal::PoolAllocator pool_;
};

}  // namespace xhcid
