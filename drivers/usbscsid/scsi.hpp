// SCSI commands usbscsid sends (SPC-4, SBC-3) — CDB builders — and the data
// they return: standard INQUIRY data, READ CAPACITY (10)/(16) parameter
// data, and sense data in fixed (70h/71h) or descriptor (72h/73h) format.
// Everything the device returns is parsed with its length checked.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "drivers/hal/result.hpp"

namespace usbscsid::scsi {

// Operation codes (SPC-4 §6, SBC-3 §5).
inline constexpr std::uint8_t kTestUnitReady = 0x00;
inline constexpr std::uint8_t kRequestSense = 0x03;
inline constexpr std::uint8_t kInquiry = 0x12;
inline constexpr std::uint8_t kModeSense6 = 0x1A;
inline constexpr std::uint8_t kReadCapacity10 = 0x25;
inline constexpr std::uint8_t kRead10 = 0x28;
inline constexpr std::uint8_t kWrite10 = 0x2A;
inline constexpr std::uint8_t kSynchronizeCache10 = 0x35;
inline constexpr std::uint8_t kRead16 = 0x88;
inline constexpr std::uint8_t kWrite16 = 0x8A;
inline constexpr std::uint8_t kServiceActionIn16 = 0x9E;
inline constexpr std::uint8_t kSaReadCapacity16 = 0x10;

// Sense keys (SPC-4 §4.5.6, Table 52).
inline constexpr std::uint8_t kNoSense = 0x0;
inline constexpr std::uint8_t kRecoveredError = 0x1;
inline constexpr std::uint8_t kNotReady = 0x2;
inline constexpr std::uint8_t kMediumError = 0x3;
inline constexpr std::uint8_t kHardwareError = 0x4;
inline constexpr std::uint8_t kIllegalRequest = 0x5;
inline constexpr std::uint8_t kUnitAttention = 0x6;
inline constexpr std::uint8_t kDataProtect = 0x7;
inline constexpr std::uint8_t kAbortedCommand = 0xB;

// Additional sense codes usbscsid looks at.
inline constexpr std::uint8_t kAscInvalidCommandOperationCode = 0x20;
inline constexpr std::uint8_t kAscLbaOutOfRange = 0x21;
inline constexpr std::uint8_t kAscMediumNotPresent = 0x3A;

inline constexpr std::size_t kStandardInquiryLength = 36;
inline constexpr std::size_t kFixedSenseLength = 18;
inline constexpr std::uint8_t kPeripheralDirectAccess = 0x00;

struct Cdb {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t length = 0;
  std::uint8_t opcode() const { return bytes[0]; }
};

Cdb test_unit_ready();
Cdb request_sense(std::uint8_t allocation_length);
Cdb inquiry(std::uint8_t allocation_length);
Cdb read_capacity10();
Cdb read_capacity16(std::uint32_t allocation_length);
Cdb read10(std::uint32_t lba, std::uint16_t blocks);
Cdb write10(std::uint32_t lba, std::uint16_t blocks);
Cdb read16(std::uint64_t lba, std::uint32_t blocks);
Cdb write16(std::uint64_t lba, std::uint32_t blocks);
Cdb synchronize_cache10();
/// READ/WRITE(10) when the LBA and count fit, else (16).
Cdb read(std::uint64_t lba, std::uint32_t blocks);
Cdb write(std::uint64_t lba, std::uint32_t blocks);

struct InquiryData {
  std::uint8_t peripheral_qualifier = 0;
  std::uint8_t peripheral_device_type = 0;
  bool removable = false;
  std::uint8_t version = 0;
  std::string vendor, product, revision;  // trailing blanks trimmed
};
hal::Result<InquiryData> parse_inquiry(std::span<const std::uint8_t> data);

struct Capacity {
  std::uint64_t last_lba = 0;
  std::uint32_t block_length = 0;
  std::uint64_t blocks() const { return last_lba + 1; }
};
/// READ CAPACITY(10): last_lba 0xFFFFFFFF means "use READ CAPACITY(16)".
hal::Result<Capacity> parse_read_capacity10(std::span<const std::uint8_t> data);
hal::Result<Capacity> parse_read_capacity16(std::span<const std::uint8_t> data);

struct Sense {
  std::uint8_t response_code = 0;
  std::uint8_t key = 0;
  std::uint8_t asc = 0;
  std::uint8_t ascq = 0;
  bool valid = false;  // a response code usbscsid understands
};
/// Fixed (70h/71h) or descriptor (72h/73h) format (SPC-4 §4.5).
Sense parse_sense(std::span<const std::uint8_t> data);
std::string to_string(const Sense& s);

/// EROFS, Linux's number (hal::errc has no name for it).
inline constexpr int kErofs = 30;
/// The errno a disk request fails with after CHECK CONDITION with `s`.
int errno_of(const Sense& s);

}  // namespace usbscsid::scsi
