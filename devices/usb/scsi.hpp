// A SCSI direct-access block device (SPC-4, SBC-3) over a backing store:
// the command set a USB mass-storage stick implements. Transport-neutral:
// BOT (bot.hpp) asks what a CDB wants to move, then runs it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "devices/usb/backing_store.hpp"
#include "sim/core/time.hpp"

namespace usb::scsi {

// Operation codes (SPC-4, SBC-3).
constexpr std::uint8_t kTestUnitReady = 0x00;
constexpr std::uint8_t kRequestSense = 0x03;
constexpr std::uint8_t kInquiry = 0x12;
constexpr std::uint8_t kModeSense6 = 0x1A;
constexpr std::uint8_t kStartStopUnit = 0x1B;
constexpr std::uint8_t kPreventAllowMediumRemoval = 0x1E;
constexpr std::uint8_t kReadCapacity10 = 0x25;
constexpr std::uint8_t kRead10 = 0x28;
constexpr std::uint8_t kWrite10 = 0x2A;
constexpr std::uint8_t kSynchronizeCache10 = 0x35;
constexpr std::uint8_t kModeSense10 = 0x5A;
constexpr std::uint8_t kRead16 = 0x88;
constexpr std::uint8_t kWrite16 = 0x8A;
constexpr std::uint8_t kServiceActionIn16 = 0x9E;
constexpr std::uint8_t kSaReadCapacity16 = 0x10;

// Status (SAM-5).
constexpr std::uint8_t kStatusGood = 0x00;
constexpr std::uint8_t kStatusCheckCondition = 0x02;

// Sense keys (SPC-4 Table 54) and additional sense codes (Table 45).
constexpr std::uint8_t kSenseNoSense = 0x0;
constexpr std::uint8_t kSenseNotReady = 0x2;
constexpr std::uint8_t kSenseMediumError = 0x3;
constexpr std::uint8_t kSenseIllegalRequest = 0x5;
constexpr std::uint8_t kSenseUnitAttention = 0x6;
constexpr std::uint8_t kSenseDataProtect = 0x7;
constexpr std::uint8_t kSenseAbortedCommand = 0xB;

struct Sense {
  std::uint8_t key = kSenseNoSense, asc = 0, ascq = 0;
  bool operator==(const Sense&) const = default;
};
constexpr Sense kInvalidCommandOperationCode{kSenseIllegalRequest, 0x20, 0x00};
constexpr Sense kLbaOutOfRange{kSenseIllegalRequest, 0x21, 0x00};
constexpr Sense kInvalidFieldInCdb{kSenseIllegalRequest, 0x24, 0x00};
constexpr Sense kSavingParametersNotSupported{kSenseIllegalRequest, 0x39, 0x00};
constexpr Sense kWriteProtected{kSenseDataProtect, 0x27, 0x00};
constexpr Sense kUnrecoveredReadError{kSenseMediumError, 0x11, 0x00};
constexpr Sense kWriteError{kSenseMediumError, 0x0C, 0x00};
constexpr Sense kDataPhaseError{kSenseAbortedCommand, 0x4B, 0x00};
constexpr Sense kPowerOnReset{kSenseUnitAttention, 0x29, 0x00};  // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED

enum class Direction : std::uint8_t { none, in, out };

/// What a command will move, decided before any data (SAM: the device's
/// intent, BOT's Dn/Di/Do).
struct Plan {
  Direction dir = Direction::none;
  std::uint32_t length = 0;
};

struct Result {
  std::uint8_t status = kStatusGood;
  std::vector<std::uint8_t> data;  // data-in
  sim::Picos latency = 0;          // media time
};

struct DiskIdentity {
  std::string vendor = "DRVSIM";      // T10 vendor identification, 8 chars
  std::string product = "USB DISK";   // 16 chars
  std::string revision = "1.00";      // 4 chars
  std::string serial = "0001";
  bool removable = true;
  bool write_protected = false;
  /// Report the power-on unit attention (SAM-5 §5.14) on the first command.
  bool power_on_unit_attention = true;
};

struct DiskTiming {
  sim::Picos read_latency = 0;    // per READ command, before the first byte
  sim::Picos write_latency = 0;   // per WRITE command, before status
  std::uint64_t media_bytes_per_second = 0;  // 0: media faster than the bus
};

class ScsiDisk {
 public:
  ScsiDisk(BackingStore& store, std::uint32_t block_size, DiskIdentity id, DiskTiming timing);

  std::uint64_t blocks() const { return blocks_; }
  std::uint32_t block_size() const { return block_size_; }
  const Sense& sense() const { return sense_; }
  /// The sense a transport-level failure leaves (BOT: a data phase the device ended).
  void set_sense(const Sense& s) { sense_ = s; }
  /// A unit attention condition is pending: from power-on when the identity
  /// asks for it (SAM-5 §5.14). The first command other than INQUIRY or
  /// REQUEST SENSE ends in CHECK CONDITION with UNIT ATTENTION / POWER ON,
  /// RESET, OR BUS DEVICE RESET OCCURRED (29h/00h) and clears it; a REQUEST
  /// SENSE reports and clears it too (SPC-4 §6.39).
  bool unit_attention() const { return unit_attention_; }

  /// What the CDB will transfer if run. A CDB that will fail before its
  /// data phase (bad opcode, bad field, LBA out of range) plans no data.
  Plan plan(std::span<const std::uint8_t> cdb) const;
  /// Runs the CDB. `data_out` is what the host sent (for WRITE), already
  /// cut to the planned length.
  Result execute(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out);

 private:
  struct Decoded {
    bool valid = false;
    Sense error;
    Plan plan;
    std::uint64_t lba = 0;
    std::uint32_t count = 0;
  };
  Decoded decode(std::span<const std::uint8_t> cdb) const;
  Result fail(const Sense& s);
  Result inquiry(std::span<const std::uint8_t> cdb, std::uint32_t alloc);
  Result request_sense(std::uint32_t alloc);
  Result mode_sense(std::span<const std::uint8_t> cdb, bool ten, std::uint32_t alloc);
  Result read_capacity(bool sixteen, std::uint32_t alloc);
  Result read(const Decoded& d);
  Result write(const Decoded& d, std::span<const std::uint8_t> data);
  sim::Picos media_time(std::uint64_t bytes) const;

  BackingStore& store_;
  std::uint32_t block_size_;
  std::uint64_t blocks_;
  DiskIdentity id_;
  DiskTiming timing_;
  Sense sense_;
  bool unit_attention_;
};

}  // namespace usb::scsi
