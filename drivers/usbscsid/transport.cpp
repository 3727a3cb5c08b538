#include "drivers/usbscsid/transport.hpp"

#include <cstring>
#include <string>

namespace usbscsid {

bool device_gone(int error) { return error == hal::errc::nodev || error == hal::errc::shutdown; }

BotTransport::BotTransport(hal::Sys& sys, xhcid::XhciClient& usb, BotEndpoints eps, std::uint64_t cbw_offset,
                           std::uint64_t csw_offset)
    : sys_(sys), usb_(usb), eps_(eps), cbw_off_(cbw_offset), csw_off_(csw_offset) {}

hal::Task<hal::Result<void>> BotTransport::reset_recovery() {
  ++stats_.reset_recoveries;
  sys_.log(hal::LogLevel::warn, "usbscsid.reset_recovery", "Bulk-Only Mass Storage Reset");
  const xhcid::usb::SetupPacket reset{xhcid::usb::kTypeClass | xhcid::usb::kRecipientInterface,
                                      bot::kBulkOnlyMassStorageReset, 0, eps_.interface, 0};
  const xhcid::proto::Transfer t = co_await usb_.control(reset);
  if (!t.ok()) co_return hal::Error(t.error, "Bulk-Only Mass Storage Reset");
  hal::Result<void> r = co_await usb_.clear_halt(eps_.bulk_in);
  if (!r) co_return r.error().with_context("reset recovery, bulk IN");
  r = co_await usb_.clear_halt(eps_.bulk_out);
  if (!r) co_return r.error().with_context("reset recovery, bulk OUT");
  co_return hal::ok();
}

hal::Task<hal::Result<BotResult>> BotTransport::fail_and_recover(const std::string& why) {
  const hal::Result<void> r = co_await reset_recovery();
  if (!r) co_return r.error().with_context(why);
  co_return hal::Error(hal::errc::io, why + " (reset recovery done)");
}

hal::Task<hal::Result<BotResult>> BotTransport::execute(std::uint8_t lun, const scsi::Cdb& cdb, bot::Direction dir,
                                                        std::uint64_t data_offset, std::uint32_t length) {
  ++stats_.commands;
  bot::Cbw cbw;
  cbw.tag = next_tag_++;
  cbw.data_transfer_length = length;
  cbw.direction = length ? dir : bot::Direction::none;
  cbw.lun = lun;
  cbw.cb_length = cdb.length;
  cbw.cb = cdb.bytes;
  auto bytes = bot::encode(cbw);
  if (inject_at_ != 0 && stats_.commands == inject_at_) {
    bytes[0] ^= 0xFF;  // not a valid CBW (§6.2.1): the device STALLs both pipes
    sys_.log(hal::LogLevel::warn, "usbscsid.inject", "invalid CBW, tag " + std::to_string(cbw.tag));
  }
  std::memcpy(usb_.memory().data + cbw_off_, bytes.data(), bytes.size());

  // Command transport (§5.3.1).
  xhcid::proto::Transfer t = co_await usb_.bulk(eps_.bulk_out, cbw_off_, bot::kCbwSize);
  if (device_gone(t.error)) co_return hal::Error(t.error, "CBW");
  if (!t.ok() || t.bytes != bot::kCbwSize) co_return co_await fail_and_recover("CBW transfer failed");

  // Data transport (§5.3.2).
  BotResult result;
  if (length > 0 && dir != bot::Direction::none) {
    const std::uint8_t ep = dir == bot::Direction::in ? eps_.bulk_in : eps_.bulk_out;
    t = co_await usb_.bulk(ep, data_offset, length);
    if (device_gone(t.error)) co_return hal::Error(t.error, "data stage");
    result.data_bytes = t.bytes;
    if (t.stalled()) {
      ++stats_.stalls;  // §6.7.2 / §6.7.3: clear the halt, then the CSW tells
      const hal::Result<void> c = co_await usb_.clear_halt(ep);
      if (!c) {
        if (device_gone(c.error().code())) co_return c.error();
        co_return co_await fail_and_recover("clear halt after a data stall failed");
      }
    } else if (!t.ok()) {
      co_return co_await fail_and_recover("data stage failed: errno " + std::to_string(t.error));
    }
  }

  // Status transport (§5.3.3): a STALL gets one more try after clearing it.
  std::memset(usb_.memory().data + csw_off_, 0, bot::kCswSize);
  t = co_await usb_.bulk(eps_.bulk_in, csw_off_, bot::kCswSize);
  if (t.stalled()) {
    ++stats_.stalls;
    const hal::Result<void> c = co_await usb_.clear_halt(eps_.bulk_in);
    if (!c && device_gone(c.error().code())) co_return c.error();
    if (c) t = co_await usb_.bulk(eps_.bulk_in, csw_off_, bot::kCswSize);
  }
  if (device_gone(t.error)) co_return hal::Error(t.error, "CSW");
  if (!t.ok()) co_return co_await fail_and_recover("CSW transfer failed: errno " + std::to_string(t.error));
  const bot::Csw csw = bot::decode_csw(std::span<const std::uint8_t>(usb_.memory().data + csw_off_, bot::kCswSize));
  const bot::CswCheck check = bot::check_csw(csw, t.bytes, cbw);
  if (check != bot::CswCheck::ok) {
    ++stats_.bad_csws;
    co_return co_await fail_and_recover(bot::to_string(check));
  }
  if (csw.status == bot::kCswPhaseError) {
    ++stats_.phase_errors;
    co_return co_await fail_and_recover("phase error");
  }
  result.status = csw.status;
  result.residue = csw.data_residue;
  co_return result;
}

}  // namespace usbscsid
