// NVMe controller registers (NVM Express Base Specification 1.4, §3.1,
// figure 78), nvmed's own copy (the driver rule: drivers never include
// devices/). Offsets are in BAR0; fields are named as the specification
// names them.
#pragma once

#include <cstdint>

namespace nvmed::reg {

inline constexpr std::uint32_t CAP = 0x00;    // Controller Capabilities (64-bit)
inline constexpr std::uint32_t VS = 0x08;     // Version
inline constexpr std::uint32_t INTMS = 0x0C;  // Interrupt Mask Set (not used with MSI-X, §3.1.3)
inline constexpr std::uint32_t INTMC = 0x10;  // Interrupt Mask Clear
inline constexpr std::uint32_t CC = 0x14;     // Controller Configuration
inline constexpr std::uint32_t CSTS = 0x1C;   // Controller Status
inline constexpr std::uint32_t AQA = 0x24;    // Admin Queue Attributes
inline constexpr std::uint32_t ASQ = 0x28;    // Admin Submission Queue Base Address (64-bit)
inline constexpr std::uint32_t ACQ = 0x30;    // Admin Completion Queue Base Address (64-bit)
/// SQ 0 Tail Doorbell (§3.1.24); queue y's doorbells follow, 4 << CAP.DSTRD apart.
inline constexpr std::uint32_t kDoorbellBase = 0x1000;

/// SQyTDBL: 1000h + (2y) × (4 << CAP.DSTRD).
constexpr std::uint64_t sq_tail_doorbell(std::uint16_t qid, std::uint32_t dstrd) {
  return kDoorbellBase + (2ULL * qid) * (4ULL << dstrd);
}
/// CQyHDBL: 1000h + (2y + 1) × (4 << CAP.DSTRD).
constexpr std::uint64_t cq_head_doorbell(std::uint16_t qid, std::uint32_t dstrd) {
  return kDoorbellBase + (2ULL * qid + 1) * (4ULL << dstrd);
}

// --- CAP (§3.1.1) -----------------------------------------------------------
namespace cap {
constexpr std::uint32_t MQES(std::uint64_t v) { return static_cast<std::uint32_t>(v & 0xFFFF); }  // 0's based
constexpr bool CQR(std::uint64_t v) { return (v >> 16) & 1; }
constexpr std::uint32_t AMS(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 17) & 0x3); }
constexpr std::uint32_t TO(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 24) & 0xFF); }  // 500 ms units
constexpr std::uint32_t DSTRD(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 32) & 0xF); }
constexpr bool NSSRS(std::uint64_t v) { return (v >> 36) & 1; }
constexpr std::uint32_t CSS(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 37) & 0xFF); }
constexpr std::uint32_t MPSMIN(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 48) & 0xF); }
constexpr std::uint32_t MPSMAX(std::uint64_t v) { return static_cast<std::uint32_t>((v >> 52) & 0xF); }
inline constexpr std::uint32_t kCssNvm = 1u << 0;  // CAP.CSS bit 37: NVM command set
}  // namespace cap

// --- CC (§3.1.5) ------------------------------------------------------------
namespace cc {
inline constexpr std::uint32_t EN = 1u << 0;
inline constexpr unsigned kCssShift = 4;      // 6:4 I/O Command Set Selected (000b NVM)
inline constexpr unsigned kMpsShift = 7;      // 10:7 Memory Page Size = 2^(12 + MPS)
inline constexpr unsigned kAmsShift = 11;     // 13:11 Arbitration Mechanism (000b round robin)
inline constexpr unsigned kShnShift = 14;     // 15:14 Shutdown Notification
inline constexpr unsigned kIosqesShift = 16;  // 19:16 I/O SQ Entry Size (log2)
inline constexpr unsigned kIocqesShift = 20;  // 23:20 I/O CQ Entry Size (log2)
inline constexpr std::uint32_t kShnMask = 0x3u << kShnShift;
inline constexpr std::uint32_t kShnNormal = 0x1u << kShnShift;  // 01b normal shutdown
inline constexpr std::uint32_t kShnAbrupt = 0x2u << kShnShift;  // 10b abrupt shutdown
inline constexpr std::uint32_t kCssNvm = 0;

/// CC for NVM with 64-byte SQEs and 16-byte CQEs, round robin, page 2^(12+mps).
constexpr std::uint32_t value(std::uint32_t mps, bool enable) {
  return (kCssNvm << kCssShift) | (mps << kMpsShift) | (0u << kAmsShift) | (6u << kIosqesShift) |
         (4u << kIocqesShift) | (enable ? EN : 0u);
}
}  // namespace cc

// --- CSTS (§3.1.6) ----------------------------------------------------------
namespace csts {
inline constexpr std::uint32_t RDY = 1u << 0;
inline constexpr std::uint32_t CFS = 1u << 1;  // Controller Fatal Status
inline constexpr unsigned kShstShift = 2;      // 3:2 Shutdown Status
inline constexpr std::uint32_t kShstMask = 0x3u << kShstShift;
inline constexpr std::uint32_t kShstNormal = 0x0u << kShstShift;      // no shutdown requested
inline constexpr std::uint32_t kShstProcessing = 0x1u << kShstShift;  // shutdown processing occurring
inline constexpr std::uint32_t kShstComplete = 0x2u << kShstShift;    // shutdown processing complete
inline constexpr std::uint32_t NSSRO = 1u << 4;
inline constexpr std::uint32_t PP = 1u << 5;
/// All ones: the function no longer answers (surprise removal, a dead link).
inline constexpr std::uint32_t kGone = 0xFFFF'FFFFu;
}  // namespace csts

// --- AQA (§3.1.8): ASQS 11:0 and ACQS 27:16, both 0's based -----------------
constexpr std::uint32_t aqa(std::uint32_t sq_entries, std::uint32_t cq_entries) {
  return ((cq_entries - 1) & 0xFFF) << 16 | ((sq_entries - 1) & 0xFFF);
}
inline constexpr std::uint32_t kMaxAdminEntries = 4096;

// --- VS (§3.1.2) -------------------------------------------------------------
constexpr std::uint32_t vs_mjr(std::uint32_t v) { return v >> 16; }
constexpr std::uint32_t vs_mnr(std::uint32_t v) { return (v >> 8) & 0xFF; }
constexpr std::uint32_t vs_ter(std::uint32_t v) { return v & 0xFF; }

// --- MSI-X table entry (PCI Local Bus 3.0 §6.8.2.6-9) ------------------------
namespace msix {
inline constexpr std::uint32_t kEntrySize = 16;
inline constexpr std::uint32_t kAddrLo = 0x0;
inline constexpr std::uint32_t kAddrHi = 0x4;
inline constexpr std::uint32_t kData = 0x8;
inline constexpr std::uint32_t kVectorControl = 0xC;
inline constexpr std::uint32_t kMaskBit = 1u << 0;
}  // namespace msix

}  // namespace nvmed::reg
