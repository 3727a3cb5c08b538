// USB Mass Storage Class Bulk-Only Transport 1.0: the Command Block Wrapper
// and Command Status Wrapper (§5.1, §5.2), their encoding, and the checks of
// §6.3: a CSW is *valid* when it is 13 bytes with signature 53425355h and
// the tag of its CBW, and *meaningful* when its status is 0, 1 or 2 and its
// residue is not above dCBWDataTransferLength.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace usbscsid::bot {

inline constexpr std::uint32_t kCbwSignature = 0x43425355;  // "USBC"
inline constexpr std::uint32_t kCswSignature = 0x53425355;  // "USBS"
inline constexpr std::size_t kCbwSize = 31;
inline constexpr std::size_t kCswSize = 13;
inline constexpr std::uint8_t kCbwFlagsDataIn = 0x80;  // bmCBWFlags bit 7: device to host
inline constexpr std::size_t kMaxCdbLength = 16;

// bCSWStatus (§5.2, Table 5.3).
inline constexpr std::uint8_t kCswCommandPassed = 0x00;
inline constexpr std::uint8_t kCswCommandFailed = 0x01;
inline constexpr std::uint8_t kCswPhaseError = 0x02;

// Class-specific requests (§3.1, §3.2).
inline constexpr std::uint8_t kBulkOnlyMassStorageReset = 0xFF;
inline constexpr std::uint8_t kGetMaxLun = 0xFE;

enum class Direction : std::uint8_t { none, in, out };

struct Cbw {
  std::uint32_t tag = 0;
  std::uint32_t data_transfer_length = 0;
  Direction direction = Direction::none;
  std::uint8_t lun = 0;
  std::uint8_t cb_length = 0;
  std::array<std::uint8_t, kMaxCdbLength> cb{};
};

/// The 31 bytes of a CBW (little-endian fields).
std::array<std::uint8_t, kCbwSize> encode(const Cbw& cbw);

struct Csw {
  std::uint32_t signature = 0;
  std::uint32_t tag = 0;
  std::uint32_t data_residue = 0;
  std::uint8_t status = 0;
};

enum class CswCheck : std::uint8_t {
  ok,
  wrong_size,       // not 13 bytes: not valid
  bad_signature,    // not valid
  tag_mismatch,     // not valid
  bad_status,       // above 2: not meaningful
  residue_too_big,  // above dCBWDataTransferLength: not meaningful
};
const char* to_string(CswCheck c);

Csw decode_csw(std::span<const std::uint8_t> bytes);
/// Checks a CSW of `received` bytes against the CBW it answers.
CswCheck check_csw(const Csw& csw, std::size_t received, const Cbw& cbw);

}  // namespace usbscsid::bot
