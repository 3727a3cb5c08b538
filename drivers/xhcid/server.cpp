// The class drivers' side of xhcid (protocol.hpp): one task per accepted
// ring, one task per transfer so that transfers on different endpoints (the
// CBW on bulk OUT while a data-in waits on bulk IN) are in flight together.
// TRBs are queued before the handler first suspends, so the requests of one
// endpoint reach the controller in the order they were submitted.
#include <algorithm>
#include <cstring>
#include <string>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/xhcid/driver.hpp"

namespace xhcid {

namespace {

// Each handler holds the Driver (and the Device) by shared_ptr: the task may
// outlive the connection, the device and even xhcid's main task, and must
// still find them when it is resumed or destroyed.
struct Client {
  unsigned port = 0;
  unsigned interface = 0;
  std::shared_ptr<Device> dev;
};

bool attached_and_live(const Client& c) { return c.dev && c.dev->state() == Device::State::configured; }

hal::Task<void> do_control(std::shared_ptr<Driver> d, std::shared_ptr<Device> dev, hal::RingServer* ring,
                           hal::SqEntry64 sqe) {
  const usb::SetupPacket setup = usb::SetupPacket::from_u64(sqe.offset);
  std::uint64_t phys = 0;
  if (setup.wLength > 0) {
    if (sqe.len < setup.wLength) {
      ring->reply_error(sqe, hal::errc::inval);
      co_return;
    }
    const hal::Result<hal::DmaBuffer> buf = ring->buffer(sqe.addr, setup.wLength);
    if (!buf) {
      ring->reply_error(sqe, buf.error().code());
      co_return;
    }
    phys = buf->phys;
  }
  const proto::Transfer t = co_await dev->control(setup, phys);
  ring->reply(sqe, t.ok() ? t.bytes : hal::status_from_errno(t.error), t.completion_code);
  (void)d;  // kept alive, see above
}

hal::Task<void> do_bulk(std::shared_ptr<Driver> d, std::shared_ptr<Device> dev, hal::RingServer* ring,
                        hal::SqEntry64 sqe) {
  const hal::Result<hal::DmaBuffer> buf = ring->buffer(sqe.addr, sqe.len);
  if (!buf) {
    ring->reply_error(sqe, buf.error().code());
    co_return;
  }
  const proto::Transfer t = co_await dev->transfer(static_cast<std::uint8_t>(sqe.offset), buf->phys, buf->size);
  ring->reply(sqe, t.ok() ? t.bytes : hal::status_from_errno(t.error), proto::bulk_extra(t.bytes, t.completion_code));
  (void)d;  // kept alive, see above
}

hal::Task<void> do_clear_halt(std::shared_ptr<Driver> d, std::shared_ptr<Device> dev, hal::RingServer* ring,
                              hal::SqEntry64 sqe) {
  const hal::Result<void> r = co_await dev->clear_halt(static_cast<std::uint8_t>(sqe.offset));
  ring->reply(sqe, r ? 0 : hal::status_from_errno(r.error().code()));
  (void)d;  // kept alive, see above
}

void do_attach(Driver& d, const hal::Connection& conn, Client& c, const hal::SqEntry64& sqe) {
  hal::RingServer& ring = *conn.ring;
  if (c.dev) return ring.reply_error(sqe, hal::errc::busy);
  Port* p = d.port(static_cast<unsigned>(sqe.offset));
  if (!p) return ring.reply_error(sqe, hal::errc::noent);
  std::shared_ptr<Device> dev = p->device;
  if (!dev || dev->state() != Device::State::configured) return ring.reply_error(sqe, hal::errc::nodev);
  const auto iface = static_cast<unsigned>(sqe.additional[0]);
  const auto it = dev->drivers.find(iface);
  if (it == dev->drivers.end()) return ring.reply_error(sqe, hal::errc::noent);
  if (it->second != conn.peer) {
    d.sys.log(hal::LogLevel::warn, "xhcid.attach_denied",
              "pid " + std::to_string(conn.peer) + " for port " + std::to_string(p->number));
    return ring.reply_error(sqe, hal::errc::perm);
  }
  c.port = p->number;
  c.interface = iface;
  c.dev = dev;
  dev->connections.push_back(conn.ring);
  d.sys.log(hal::LogLevel::info, "xhcid.attach",
            conn.peer_program + " (pid " + std::to_string(conn.peer) + ") on port " + std::to_string(p->number) +
                " interface " + std::to_string(iface));
  ring.reply(sqe, 0, static_cast<std::uint64_t>(dev->speed()) | (std::uint64_t{dev->slot()} << 8));
}

void do_get_descriptors(const Client& c, hal::RingServer& ring, const hal::SqEntry64& sqe) {
  const std::vector<std::uint8_t>& bytes = c.dev->descriptor_bytes();
  const hal::Result<hal::DmaBuffer> buf = ring.buffer(sqe.addr, sqe.len);
  if (!buf) return ring.reply_error(sqe, buf.error().code());
  const std::size_t n = std::min(buf->size, bytes.size());
  std::memcpy(buf->data, bytes.data(), n);
  ring.reply(sqe, n, c.dev->active_configuration());
}

hal::Task<void> serve(std::shared_ptr<Driver> d, hal::Connection conn) {
  Client c;
  hal::RingServer& ring = *conn.ring;
  for (;;) {
    const hal::Result<hal::SqEntry64> next = co_await ring.next();
    if (!next) break;  // ESHUTDOWN: the class driver closed, or we ended it
    const hal::SqEntry64& sqe = *next;
    const auto op = static_cast<proto::Op>(sqe.opcode);
    if (op == proto::Op::attach) {
      do_attach(*d, conn, c, sqe);
      continue;
    }
    if (op < proto::Op::attach || op > proto::Op::wait_disconnect) {
      ring.reply_error(sqe, hal::errc::nosys);
      continue;
    }
    if (!c.dev) {
      ring.reply_error(sqe, hal::errc::perm);  // Attach first
      continue;
    }
    if (op == proto::Op::wait_disconnect) continue;  // answered by the ring's shutdown when the device leaves
    if (op == proto::Op::get_port_state) {
      Port* p = d->port(c.port);
      const bool live = p && p->device == c.dev;
      const std::uint64_t portsc = p ? d->hc.portsc(p->number) : 0;
      const auto state = live ? p->state : proto::PortState::disconnected;
      ring.reply(sqe, static_cast<std::uint64_t>(state), static_cast<std::uint64_t>(c.dev->speed()) | (portsc << 32));
      continue;
    }
    if (!attached_and_live(c)) {
      ring.reply_error(sqe, hal::errc::nodev);
      continue;
    }
    switch (op) {
      case proto::Op::get_descriptors: do_get_descriptors(c, ring, sqe); break;
      case proto::Op::control_transfer: {
        const usb::SetupPacket s = usb::SetupPacket::from_u64(sqe.offset);
        // xhcid owns the device's address and configuration.
        if ((s.bmRequestType & 0x60) == usb::kTypeStandard &&
            (s.bRequest == usb::kSetAddress || s.bRequest == usb::kSetConfiguration)) {
          ring.reply_error(sqe, hal::errc::perm);
          break;
        }
        d->sys.executor().spawn(do_control(d, c.dev, &ring, sqe), "xhcid.control");
        break;
      }
      case proto::Op::bulk_transfer:
      case proto::Op::clear_halt: {
        const auto ep = static_cast<std::uint8_t>(sqe.offset);
        if (sqe.offset > 0xFF || !c.dev->interface_has_endpoint(c.interface, ep) ||
            (op == proto::Op::bulk_transfer && (sqe.len == 0 || sqe.len > proto::kMaxTransfer))) {
          ring.reply_error(sqe, hal::errc::inval);
          break;
        }
        if (op == proto::Op::bulk_transfer)
          d->sys.executor().spawn(do_bulk(d, c.dev, &ring, sqe), "xhcid.bulk");
        else
          d->sys.executor().spawn(do_clear_halt(d, c.dev, &ring, sqe), "xhcid.clear_halt");
        break;
      }
      default: ring.reply_error(sqe, hal::errc::nosys); break;
    }
  }
  if (c.dev) std::erase(c.dev->connections, conn.ring);
  d->sys.log(hal::LogLevel::info, "xhcid.connection_closed", "pid " + std::to_string(conn.peer));
}

}  // namespace

hal::Task<void> accept_task(std::shared_ptr<Driver> d) {
  for (;;) {
    hal::Result<hal::Connection> c = co_await d->scheme->accept();
    if (!c) co_return;
    d->sys.executor().spawn(serve(d, std::move(*c)), "xhcid.connection");
  }
}

}  // namespace xhcid
