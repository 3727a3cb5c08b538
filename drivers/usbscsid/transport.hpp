// The Bulk-Only Transport (BOT 1.0) over xhcid: one SCSI command is a CBW on
// bulk OUT, an optional data stage, and a CSW on bulk IN (§5.3). Errors are
// handled as §5.3 and §6.6/§6.7 say:
//  - a STALL of the data stage: clear the halt, then read the CSW;
//  - a STALL of the CSW: clear the halt, read the CSW once more;
//  - a CSW that is not valid or not meaningful, a tag mismatch, a phase
//    error, a failed CBW or any other transfer error: Reset Recovery
//    (Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT) on
//    bulk IN and bulk OUT, §5.3.4) and the command fails with EIO (the
//    caller may retry it).
// A device that is gone (ENODEV, ESHUTDOWN) fails at once, with no recovery.
#pragma once

#include <cstdint>

#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/usbscsid/bot.hpp"
#include "drivers/usbscsid/scsi.hpp"
#include "drivers/xhcid/client.hpp"

namespace usbscsid {

struct BotEndpoints {
  std::uint8_t interface = 0;
  std::uint8_t bulk_in = 0;   // endpoint address, bit 7 set
  std::uint8_t bulk_out = 0;
};

struct BotResult {
  std::uint8_t status = bot::kCswCommandPassed;  // Passed or Failed (phase errors are recovered)
  std::uint32_t residue = 0;
  std::uint32_t data_bytes = 0;  // moved in the data stage
};

struct BotStats {
  std::uint64_t commands = 0;
  std::uint64_t stalls = 0;           // data or CSW stages that STALLed
  std::uint64_t reset_recoveries = 0;
  std::uint64_t bad_csws = 0;
  std::uint64_t phase_errors = 0;
};

class BotTransport {
 public:
  /// CBW and CSW live at `cbw_offset` / `csw_offset` of the client's pool.
  BotTransport(hal::Sys& sys, xhcid::XhciClient& usb, BotEndpoints eps, std::uint64_t cbw_offset,
               std::uint64_t csw_offset);

  /// Runs one command; the data stage uses the pool at `data_offset`.
  hal::Task<hal::Result<BotResult>> execute(std::uint8_t lun, const scsi::Cdb& cdb, bot::Direction dir,
                                            std::uint64_t data_offset, std::uint32_t length);
  /// Reset Recovery (§5.3.4).
  hal::Task<hal::Result<void>> reset_recovery();

  /// Testing: make the CBW of the n-th command (1-based) invalid, once.
  void inject_invalid_cbw(std::uint64_t nth) { inject_at_ = nth; }
  const BotStats& stats() const { return stats_; }

 private:
  hal::Task<hal::Result<BotResult>> fail_and_recover(const std::string& why);

  hal::Sys& sys_;
  xhcid::XhciClient& usb_;
  BotEndpoints eps_;
  std::uint64_t cbw_off_, csw_off_;
  std::uint32_t next_tag_ = 1;
  std::uint64_t inject_at_ = 0;
  BotStats stats_;
};

/// True for the errors that mean the device (or xhcid) is gone.
bool device_gone(int error);

}  // namespace usbscsid
