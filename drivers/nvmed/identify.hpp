// The Identify data structures nvmed reads (NVMe Base 1.4 §5.15.2): the
// controller (CNS 01h, figure 247), a namespace (CNS 00h, figure 245) and the
// active namespace ID list (CNS 02h). Parsing is pure: 4096 bytes in, fields
// out, nothing trusted (every size the device reports is range checked).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "drivers/hal/result.hpp"

namespace nvmed {

inline constexpr std::size_t kIdentifyBytes = 4096;

struct ControllerIdentity {
  std::uint16_t vid = 0, ssvid = 0;
  std::string sn, mn, fr;  // serial, model, firmware: trailing spaces trimmed
  std::uint8_t mdts = 0;   // Maximum Data Transfer Size, 2^n × CAP.MPSMIN pages; 0 = no limit
  std::uint16_t cntlid = 0;
  std::uint32_t ver = 0;
  std::uint8_t acl = 0;   // Abort Command Limit, 0's based
  std::uint8_t aerl = 0;  // Asynchronous Event Request Limit, 0's based
  std::uint8_t sqes = 0, cqes = 0;
  std::uint32_t nn = 0;  // Number of Namespaces (the largest NSID)
  std::uint16_t oncs = 0;
  std::uint8_t vwc = 0;  // Volatile Write Cache
};

/// An LBA Format (figure 246).
struct LbaFormat {
  std::uint16_t ms = 0;    // Metadata Size
  std::uint8_t lbads = 0;  // LBA Data Size, log2 bytes
  std::uint8_t rp = 0;     // Relative Performance
};

struct NamespaceIdentity {
  std::uint64_t nsze = 0, ncap = 0, nuse = 0;
  std::uint8_t nsfeat = 0, nlbaf = 0, flbas = 0;
  LbaFormat format;  // the one FLBAS selects
  bool active() const { return nsze != 0; }
  std::uint32_t lba_bytes() const { return format.lbads < 32 ? 1u << format.lbads : 0; }
};

ControllerIdentity parse_identify_controller(std::span<const std::uint8_t> page);
/// EINVAL when the selected LBA format is unusable (LBADS below 9 or above
/// 16, or more formats claimed than the structure holds).
hal::Result<NamespaceIdentity> parse_identify_namespace(std::span<const std::uint8_t> page);
/// The NSIDs of the list, in order, up to the first zero entry.
std::vector<std::uint32_t> parse_namespace_list(std::span<const std::uint8_t> page);

}  // namespace nvmed
