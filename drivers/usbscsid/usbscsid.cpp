#include "drivers/usbscsid/usbscsid.hpp"

#include <memory>
#include <string>

#include "drivers/hal/signal.hpp"
#include "drivers/usbscsid/disk.hpp"
#include "drivers/usbscsid/disk_scheme.hpp"
#include "drivers/usbscsid/options.hpp"
#include "drivers/usbscsid/transport.hpp"
#include "drivers/xhcid/client.hpp"

namespace usbscsid {

namespace {

constexpr std::size_t kControlBytes = 16 * 1024;  // CBW, CSW, small buffer, descriptors

/// Everything a running usbscsid keeps; shared by its tasks.
struct Driver {
  Driver(hal::Sys& s, Options o, xhcid::XhciClient c) : sys(s), options(std::move(o)), usb(std::move(c)) {}
  hal::Sys& sys;
  Options options;
  xhcid::XhciClient usb;
  std::unique_ptr<BotTransport> bot;
  std::unique_ptr<ScsiDisk> disk;
  std::unique_ptr<DiskScheme> scheme;
  hal::SchemeServer* server = nullptr;
  hal::Signal<void> serve_done;
  std::string name;
};

hal::Task<void> serve_task(std::shared_ptr<Driver> d) {
  co_await d->scheme->serve();
  d->serve_done.complete();
}

hal::Result<std::uint64_t> alloc(hal::PoolAllocator& pool, std::size_t bytes, std::size_t align) {
  hal::Result<std::uint64_t> off = pool.alloc(bytes, align);
  if (!off) return off.error().with_context("usbscsid pool");
  return off;
}

/// Get Max LUN (BOT §3.2); a device with one LUN may STALL it.
hal::Task<std::uint8_t> get_max_lun(Driver& d, std::uint8_t interface, std::uint64_t small) {
  const xhcid::usb::SetupPacket s{xhcid::usb::kDirIn | xhcid::usb::kTypeClass | xhcid::usb::kRecipientInterface,
                                  bot::kGetMaxLun, 0, interface, 1};
  d.usb.memory().data[small] = 0;
  const xhcid::proto::Transfer t = co_await d.usb.control(s, small);
  if (!t.ok() || t.bytes < 1) co_return 0;
  const std::uint8_t n = d.usb.memory().data[small];
  co_return n > 15 ? 15 : n;
}

hal::Task<hal::Result<std::shared_ptr<Driver>>> bring_up(hal::Sys& sys, const Options& options) {
  hal::Result<xhcid::XhciClient> client =
      xhcid::XhciClient::attach(sys, options.scheme, std::size_t{options.max_transfer} + kControlBytes);
  if (!client) co_return client.error();
  auto d = std::make_shared<Driver>(sys, options, std::move(*client));
  const hal::Result<xhcid::PortInfo> info = co_await d->usb.attach_port(options.port, options.interface);
  if (!info) co_return info.error();
  const hal::Result<xhcid::proto::PortState> state = co_await d->usb.port_state();
  if (!state) co_return state.error();
  if (*state != xhcid::proto::PortState::configured) co_return hal::Error(hal::errc::nodev, "port not configured");
  const hal::Result<xhcid::Descriptors> desc = co_await d->usb.get_descriptors();
  if (!desc) co_return desc.error();
  const xhcid::usb::InterfaceDescriptor* intf = nullptr;
  for (const auto& i : desc->configuration.interfaces)
    if (i.bInterfaceNumber == options.interface && i.bAlternateSetting == 0) intf = &i;
  if (!intf || intf->bInterfaceClass != xhcid::usb::kClassMassStorage ||
      intf->bInterfaceSubClass != xhcid::usb::kSubclassScsiTransparent ||
      intf->bInterfaceProtocol != xhcid::usb::kProtocolBulkOnly)
    co_return hal::Error(hal::errc::nodev, "interface " + std::to_string(options.interface) +
                                               " is not mass storage / SCSI / Bulk-Only");
  const auto* in = intf->find_endpoint(xhcid::usb::TransferType::bulk, true);
  const auto* out = intf->find_endpoint(xhcid::usb::TransferType::bulk, false);
  if (!in || !out) co_return hal::Error(hal::errc::nodev, "the interface lacks a bulk IN or bulk OUT endpoint");

  hal::PoolAllocator& pool = d->usb.pool();
  const auto cbw = alloc(pool, 64, 64), csw = alloc(pool, 64, 64), small = alloc(pool, 512, 64),
             data = alloc(pool, options.max_transfer, 4096);
  for (const auto* r : {&cbw, &csw, &small, &data})
    if (!*r) co_return r->error();
  d->bot = std::make_unique<BotTransport>(sys, d->usb, BotEndpoints{intf->bInterfaceNumber, in->bEndpointAddress,
                                                                    out->bEndpointAddress},
                                          *cbw, *csw);
  if (options.inject_invalid_cbw) d->bot->inject_invalid_cbw(options.inject_invalid_cbw);
  const std::uint8_t max_lun = co_await get_max_lun(*d, intf->bInterfaceNumber, *small);
  d->disk = std::make_unique<ScsiDisk>(sys, *d->bot, d->usb.memory().data, Buffers{*small, *data, options.max_transfer});
  const hal::Result<void> r = co_await d->disk->init(max_lun);
  if (!r) co_return r.error();

  d->name = "disk.usb" + std::to_string(options.disk);
  const hal::Result<hal::SchemeServer*> scheme = sys.register_scheme(d->name);
  if (!scheme) co_return scheme.error().with_context("register " + d->name);
  d->server = *scheme;
  d->scheme = std::make_unique<DiskScheme>(sys, *d->disk, **scheme);
  for (const Lun& l : d->disk->luns()) {
    sys.print("usbscsid: port " + std::to_string(options.port) + " LUN " + std::to_string(l.number) + ": " +
              l.inquiry.vendor + " " + l.inquiry.product + " " + l.inquiry.revision + ", " +
              std::to_string(l.capacity.blocks()) + " blocks of " + std::to_string(l.capacity.block_length) +
              " bytes (" + std::to_string(l.bytes() >> 20) + " MiB), " + xhcid::usb::to_string(info->speed) +
              " speed, " + d->name + ":" + std::to_string(l.number));
  }
  co_return d;
}

}  // namespace

}  // namespace usbscsid

hal::Task<int> usbscsid_main(hal::Sys& sys) {
  std::vector<std::string> args = sys.args();
  if (!args.empty() && args.front() == sys.program()) args.erase(args.begin());
  const hal::Result<usbscsid::Options> options = usbscsid::parse_options(args);
  if (!options) {
    sys.print("usbscsid: " + options.error().context());
    co_return 2;
  }
  const hal::Result<std::shared_ptr<usbscsid::Driver>> d = co_await usbscsid::bring_up(sys, *options);
  if (!d && usbscsid::device_gone(d.error().code())) {  // unplugged while we started: not a failure
    sys.print("usbscsid: port " + std::to_string(options->port) + ": device gone during bring-up");
    co_return 0;
  }
  if (!d) {
    sys.print("usbscsid: port " + std::to_string(options->port) + ": FAILED: " + d.error().message());
    sys.log(hal::LogLevel::error, "usbscsid.failed", d.error().message());
    co_return 1;
  }
  std::shared_ptr<usbscsid::Driver> driver = *d;
  sys.daemonize();
  sys.executor().spawn(usbscsid::serve_task(driver), "usbscsid.serve");
  // Until the device leaves: xhcid then shuts the ring, which answers this.
  const hal::Error gone = co_await driver->usb.wait_disconnect();
  // Stop serving before exiting: no task of ours may stay suspended on the
  // scheme's ring, which the kernel frees when the name is registered again.
  driver->server->requests().shut_down();
  co_await driver->serve_done;
  const auto& st = driver->bot->stats();
  sys.print("usbscsid: " + driver->name + ": device gone (" + gone.message() + "); " + std::to_string(st.commands) +
            " commands, " + std::to_string(st.reset_recoveries) + " reset recoveries");
  sys.log(hal::LogLevel::info, "usbscsid.gone", driver->name);
  co_return 0;
}
