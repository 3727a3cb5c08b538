// USB Mass Storage Class Bulk-Only Transport 1.0: the CBW/CSW protocol and
// the thirteen host/device expectation cases of §6.7, in front of a SCSI disk.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "devices/usb/scsi.hpp"
#include "devices/usb/usb_types.hpp"

namespace usb {

constexpr std::uint32_t kCbwSignature = 0x43425355;  // "USBC"
constexpr std::uint32_t kCswSignature = 0x53425355;  // "USBS"
constexpr std::size_t kCbwSize = 31;
constexpr std::size_t kCswSize = 13;
constexpr std::uint8_t kCswPassed = 0x00;
constexpr std::uint8_t kCswFailed = 0x01;
constexpr std::uint8_t kCswPhaseError = 0x02;
constexpr std::uint8_t kCbwFlagDataIn = 0x80;

// Class-specific requests (BOT §3).
constexpr std::uint8_t kBulkOnlyMassStorageReset = 0xFF;
constexpr std::uint8_t kGetMaxLun = 0xFE;

struct Cbw {
  std::uint32_t tag = 0;
  std::uint32_t data_transfer_length = 0;
  std::uint8_t flags = 0;
  std::uint8_t lun = 0;
  std::uint8_t cb_length = 0;
  std::uint8_t cb[16] = {};
  std::vector<std::uint8_t> bytes() const;
};

class BulkOnlyTransport {
 public:
  enum class Phase : std::uint8_t { command, data_in, data_out, status, needs_reset };
  /// What the transport asks the device to do to its endpoints.
  struct Halts {
    bool in = false, out = false;
  };

  BulkOnlyTransport(scsi::ScsiDisk& disk, std::uint8_t max_lun) : disk_(disk), max_lun_(max_lun) {}

  Phase phase() const { return phase_; }
  /// A bulk OUT transfer (CBW or data-out). `halts` says which endpoints to STALL.
  OutResult bulk_out(std::span<const std::uint8_t> data, std::uint16_t max_packet, Halts& halts);
  /// A bulk IN transfer of at most `max_length` (data-in or CSW).
  InResult bulk_in(std::uint32_t max_length, std::uint16_t max_packet, Halts& halts);
  /// Bulk-Only Mass Storage Reset (§3.1): ready for the next CBW.
  void reset();
  /// The device ends the data phase early (an injected STALL): the CSW says
  /// Command Failed, the sense says `why`, the residue is what was not moved.
  void abort_data_phase(const scsi::Sense& why);
  std::uint64_t commands() const { return commands_; }
  std::uint64_t phase_errors() const { return phase_errors_; }

 private:
  bool valid_and_meaningful(std::span<const std::uint8_t> data, Cbw& cbw) const;
  void start(const Cbw& cbw, Halts& halts);
  void to_status(std::uint8_t status, std::uint32_t residue);
  std::vector<std::uint8_t> csw() const;

  scsi::ScsiDisk& disk_;
  std::uint8_t max_lun_;
  Phase phase_ = Phase::command;
  Cbw cbw_;
  std::vector<std::uint8_t> data_;      // data-in to send, or data-out received
  std::size_t offset_ = 0;              // bytes sent (data-in)
  std::uint32_t expected_out_ = 0;      // bytes to take (data-out)
  std::uint32_t host_remaining_ = 0;    // of dCBWDataTransferLength
  bool phase_error_ = false;
  std::uint8_t csw_status_ = kCswPassed;
  std::uint32_t residue_ = 0;
  sim::Picos latency_ = 0;  // device time owed before the next data or status
  std::uint64_t commands_ = 0, phase_errors_ = 0;
};

}  // namespace usb
