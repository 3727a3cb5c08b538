#include "drivers/xhcid/client.hpp"

#include <span>

#include "drivers/hal/cqe_status.hpp"

namespace xhcid {

hal::Result<XhciClient> XhciClient::attach(hal::Sys& sys, std::string_view scheme, std::size_t pool_bytes) {
  hal::Result<hal::Channel> ch = sys.attach(scheme, kRingEntries, pool_bytes);
  if (!ch) return ch.error().with_context("attach " + std::string(scheme));
  if (ch->ring == nullptr || !ch->pool.valid()) return hal::Error(hal::errc::proto, "attach: no ring or pool");
  return XhciClient(*ch);
}

XhciClient::XhciClient(hal::Channel channel) : channel_(channel), pool_(channel.pool.size) {}

hal::Task<hal::Result<PortInfo>> XhciClient::attach_port(unsigned port, unsigned interface) {
  const hal::CqEntry64 c = co_await channel_.ring->call(proto::make_request(proto::Op::attach, port, 0, 0, interface));
  if (hal::status_is_error(c.status)) co_return hal::error_from_status(c.status, "xhcid attach");
  co_return PortInfo{static_cast<usb::Speed>(c.extra & 0xFF), static_cast<unsigned>((c.extra >> 8) & 0xFF)};
}

hal::Task<hal::Result<Descriptors>> XhciClient::get_descriptors() {
  constexpr std::size_t kBytes = 4096;
  const hal::Result<std::uint64_t> off = pool_.alloc(kBytes);
  if (!off) co_return off.error().with_context("xhcid get descriptors");
  struct Free {
    hal::PoolAllocator& p;
    std::uint64_t o;
    ~Free() { p.free(o); }
  } free_on_exit{pool_, *off};
  const hal::CqEntry64 c =
      co_await channel_.ring->call(proto::make_request(proto::Op::get_descriptors, 0, *off, kBytes));
  if (hal::status_is_error(c.status)) co_return hal::error_from_status(c.status, "xhcid get descriptors");
  const std::size_t n = c.status < kBytes ? static_cast<std::size_t>(c.status) : kBytes;
  const std::span<const std::uint8_t> bytes(channel_.pool.data + *off, n);
  Descriptors d;
  const auto dev = usb::parse_device_descriptor(bytes);
  if (!dev) co_return dev.error();
  d.device = *dev;
  const auto cfg = usb::parse_configuration(bytes.subspan(usb::kDeviceDescriptorSize));
  if (!cfg) co_return cfg.error();
  d.configuration = *cfg;
  d.active_configuration = static_cast<std::uint8_t>(c.extra);
  co_return d;
}

hal::Task<proto::Transfer> XhciClient::control(const usb::SetupPacket& setup, std::uint64_t pool_offset) {
  const hal::CqEntry64 c = co_await channel_.ring->call(
      proto::make_request(proto::Op::control_transfer, setup.to_u64(), pool_offset, setup.wLength));
  proto::Transfer t;
  t.completion_code = static_cast<std::uint8_t>(c.extra);
  if (hal::status_is_error(c.status))
    t.error = hal::error_from_status(c.status, "").code();
  else
    t.bytes = static_cast<std::uint32_t>(c.status);
  co_return t;
}

hal::Task<proto::Transfer> XhciClient::bulk(std::uint8_t endpoint, std::uint64_t pool_offset, std::uint32_t length) {
  const hal::CqEntry64 c =
      co_await channel_.ring->call(proto::make_request(proto::Op::bulk_transfer, endpoint, pool_offset, length));
  proto::Transfer t;
  t.bytes = proto::bulk_bytes(c.extra);
  t.completion_code = proto::bulk_completion_code(c.extra);
  if (hal::status_is_error(c.status)) t.error = hal::error_from_status(c.status, "").code();
  co_return t;
}

hal::Task<hal::Result<void>> XhciClient::clear_halt(std::uint8_t endpoint) {
  const hal::CqEntry64 c = co_await channel_.ring->call(proto::make_request(proto::Op::clear_halt, endpoint));
  if (hal::status_is_error(c.status)) co_return hal::error_from_status(c.status, "xhcid clear halt");
  co_return hal::ok();
}

hal::Task<hal::Result<proto::PortState>> XhciClient::port_state() {
  const hal::CqEntry64 c = co_await channel_.ring->call(proto::make_request(proto::Op::get_port_state));
  if (hal::status_is_error(c.status)) co_return hal::error_from_status(c.status, "xhcid port state");
  co_return static_cast<proto::PortState>(c.status);
}

}  // namespace xhcid

namespace xhcid {

hal::Task<hal::Error> XhciClient::wait_disconnect() {
  const hal::CqEntry64 c = co_await channel_.ring->call(proto::make_request(proto::Op::wait_disconnect));
  if (hal::status_is_error(c.status)) co_return hal::error_from_status(c.status, "xhcid");
  co_return hal::Error(hal::errc::proto, "xhcid answered WaitDisconnect");
}

}  // namespace xhcid
