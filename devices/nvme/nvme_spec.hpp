// NVM Express Base Specification 1.4 (NVMe-over-PCIe): register offsets and
// fields, command opcodes, status codes, and the submission/completion queue
// entry layouts, named as the specification names them. Section numbers in
// comments refer to NVMe 1.4 (June 2019).
#pragma once

#include <cstdint>

namespace nvme {

// ---------------------------------------------------------------------------
// Controller registers (§3.1, figure 78). Offsets in BAR0.
namespace reg {
constexpr std::uint32_t kCap = 0x00;    // Controller Capabilities (64-bit, RO)
constexpr std::uint32_t kVs = 0x08;     // Version
constexpr std::uint32_t kIntms = 0x0C;  // Interrupt Mask Set (RW1S)
constexpr std::uint32_t kIntmc = 0x10;  // Interrupt Mask Clear (RW1C)
constexpr std::uint32_t kCc = 0x14;     // Controller Configuration
constexpr std::uint32_t kCsts = 0x1C;   // Controller Status
constexpr std::uint32_t kNssr = 0x20;   // NVM Subsystem Reset (optional; not supported)
constexpr std::uint32_t kAqa = 0x24;    // Admin Queue Attributes
constexpr std::uint32_t kAsq = 0x28;    // Admin Submission Queue Base Address (64-bit)
constexpr std::uint32_t kAcq = 0x30;    // Admin Completion Queue Base Address (64-bit)
constexpr std::uint32_t kDoorbellBase = 0x1000;  // SQ 0 Tail Doorbell (§3.1.24)
}  // namespace reg

// CAP fields (§3.1.1).
namespace cap {
constexpr unsigned kMqesShift = 0;     // 15:0 Maximum Queue Entries Supported, 0's based
constexpr std::uint64_t kCqr = 1ULL << 16;  // Contiguous Queues Required
constexpr unsigned kAmsShift = 17;     // 18:17 Arbitration Mechanism Supported
constexpr unsigned kToShift = 24;      // 31:24 Timeout, 500 ms units
constexpr unsigned kDstrdShift = 32;   // 35:32 Doorbell Stride
constexpr unsigned kCssShift = 37;     // 44:37 Command Sets Supported
constexpr std::uint64_t kCssNvm = 1ULL << 37;
constexpr unsigned kMpsminShift = 48;  // 51:48
constexpr unsigned kMpsmaxShift = 52;  // 55:52
}  // namespace cap

constexpr std::uint32_t kVersion14 = 0x0001'0400;  // VS: MJR 1, MNR 4, TER 0

// CC fields (§3.1.5).
namespace cc {
constexpr std::uint32_t kEn = 1u << 0;
constexpr unsigned kCssShift = 4, kMpsShift = 7, kAmsShift = 11, kShnShift = 14, kIosqesShift = 16,
                   kIocqesShift = 20;
constexpr std::uint32_t field(std::uint32_t cc, unsigned shift, std::uint32_t mask) { return (cc >> shift) & mask; }
constexpr std::uint32_t css(std::uint32_t v) { return field(v, kCssShift, 0x7); }
constexpr std::uint32_t mps(std::uint32_t v) { return field(v, kMpsShift, 0xF); }
constexpr std::uint32_t ams(std::uint32_t v) { return field(v, kAmsShift, 0x7); }
constexpr std::uint32_t shn(std::uint32_t v) { return field(v, kShnShift, 0x3); }
constexpr std::uint32_t iosqes(std::uint32_t v) { return field(v, kIosqesShift, 0xF); }
constexpr std::uint32_t iocqes(std::uint32_t v) { return field(v, kIocqesShift, 0xF); }
constexpr std::uint32_t kWritableMask = 0x00FF'FFF1;  // EN, CSS, MPS, AMS, SHN, IOSQES, IOCQES
}  // namespace cc

// CSTS fields (§3.1.6).
namespace csts {
constexpr std::uint32_t kRdy = 1u << 0;
constexpr std::uint32_t kCfs = 1u << 1;
constexpr unsigned kShstShift = 2;  // 3:2
constexpr std::uint32_t kShstMask = 0x3u << kShstShift;
constexpr std::uint32_t kNssro = 1u << 4;
constexpr std::uint32_t kPp = 1u << 5;
}  // namespace csts
enum class Shst : std::uint32_t { normal = 0, processing = 1, complete = 2 };

// AQA fields (§3.1.8): ASQS 11:0, ACQS 27:16, both 0's based.
constexpr std::uint32_t aqa_asqs(std::uint32_t aqa) { return aqa & 0xFFF; }
constexpr std::uint32_t aqa_acqs(std::uint32_t aqa) { return (aqa >> 16) & 0xFFF; }

constexpr unsigned kSqeSize = 64, kCqeSize = 16;
constexpr unsigned kSqesLog2 = 6, kCqesLog2 = 4;  // the only entry sizes NVM supports

// ---------------------------------------------------------------------------
// Queue entries (§4.2, §4.6).

struct Sqe {
  std::uint8_t opcode;
  std::uint8_t flags;  // 1:0 FUSE, 7:6 PSDT
  std::uint16_t cid;
  std::uint32_t nsid;
  std::uint32_t cdw2, cdw3;
  std::uint64_t mptr;
  std::uint64_t prp1, prp2;
  std::uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
static_assert(sizeof(Sqe) == kSqeSize);

constexpr std::uint8_t sqe_fuse(const Sqe& s) { return s.flags & 0x3; }
constexpr std::uint8_t sqe_psdt(const Sqe& s) { return (s.flags >> 6) & 0x3; }

struct Cqe {
  std::uint32_t dw0;
  std::uint32_t dw1;
  std::uint16_t sqhd;
  std::uint16_t sqid;
  std::uint16_t cid;
  std::uint16_t status;  // bit 0 Phase Tag, 15:1 Status Field
};
static_assert(sizeof(Cqe) == kCqeSize);

// ---------------------------------------------------------------------------
// Opcodes (§5, figure 139; NVM command set §6, figure 346).

namespace admin {
constexpr std::uint8_t kDeleteIoSq = 0x00, kCreateIoSq = 0x01, kGetLogPage = 0x02, kDeleteIoCq = 0x04,
                       kCreateIoCq = 0x05, kIdentify = 0x06, kAbort = 0x08, kSetFeatures = 0x09,
                       kGetFeatures = 0x0A, kAsyncEventRequest = 0x0C;
}
namespace io {
constexpr std::uint8_t kFlush = 0x00, kWrite = 0x01, kRead = 0x02, kWriteZeroes = 0x08, kDatasetManagement = 0x09;
}

// Identify CNS values (§5.15.1).
namespace cns {
constexpr std::uint8_t kNamespace = 0x00, kController = 0x01, kActiveNamespaceList = 0x02;
}

// Feature identifiers (§5.21.1).
namespace feature {
constexpr std::uint8_t kArbitration = 0x01, kPowerManagement = 0x02, kTemperatureThreshold = 0x04,
                       kErrorRecovery = 0x05, kVolatileWriteCache = 0x06, kNumberOfQueues = 0x07,
                       kInterruptCoalescing = 0x08, kInterruptVectorConfig = 0x09,
                       kWriteAtomicityNormal = 0x0A, kAsyncEventConfig = 0x0B;
}

// Log page identifiers (§5.14.1).
namespace log {
constexpr std::uint8_t kErrorInformation = 0x01, kSmartHealth = 0x02;
constexpr unsigned kErrorEntrySize = 64, kSmartSize = 512;
}

// Asynchronous event types and information (§5.2, figures 145-147).
namespace aer {
constexpr std::uint8_t kTypeErrorStatus = 0x0, kTypeSmartHealth = 0x1, kTypeNotice = 0x2;
constexpr std::uint8_t kInfoInvalidDoorbellRegister = 0x00, kInfoInvalidDoorbellValue = 0x01;
}

constexpr std::uint32_t kBroadcastNsid = 0xFFFF'FFFF;

// ---------------------------------------------------------------------------
// Status (§4.6.1.2): Status Code Type and Status Code, plus Do Not Retry.

struct Status {
  std::uint8_t sct = 0;
  std::uint8_t sc = 0;
  bool dnr = false;

  constexpr bool ok() const { return sct == 0 && sc == 0; }
  /// The Status Field as it sits in CQE DW3 bits 31:17, shifted to 15:1 of
  /// the 16-bit half (bit 0 is the Phase Tag): SC 8:1, SCT 11:9, DNR 15.
  constexpr std::uint16_t field() const {
    return static_cast<std::uint16_t>((sc << 1) | ((sct & 0x7) << 9) | (dnr ? 0x8000 : 0));
  }
  constexpr bool operator==(const Status& o) const { return sct == o.sct && sc == o.sc; }
};

namespace sct {
constexpr std::uint8_t kGeneric = 0, kCommandSpecific = 1, kMediaError = 2;
}

// Generic Command Status (figure 126) and NVM Command Set generic values (figure 127).
constexpr Status kSuccess{};
constexpr Status kInvalidOpcode{sct::kGeneric, 0x01, true};
constexpr Status kInvalidField{sct::kGeneric, 0x02, true};
constexpr Status kCommandIdConflict{sct::kGeneric, 0x03, true};
constexpr Status kDataTransferError{sct::kGeneric, 0x04, false};
constexpr Status kInternalError{sct::kGeneric, 0x06, false};
constexpr Status kAbortRequested{sct::kGeneric, 0x07, false};
constexpr Status kAbortSqDeletion{sct::kGeneric, 0x08, false};
constexpr Status kInvalidNamespace{sct::kGeneric, 0x0B, true};
constexpr Status kCommandSequenceError{sct::kGeneric, 0x0C, true};
constexpr Status kInvalidPrpOffset{sct::kGeneric, 0x13, true};
constexpr Status kLbaOutOfRange{sct::kGeneric, 0x80, true};

// Command Specific Status (figure 128).
constexpr Status kCompletionQueueInvalid{sct::kCommandSpecific, 0x00, true};
constexpr Status kInvalidQueueIdentifier{sct::kCommandSpecific, 0x01, true};
constexpr Status kInvalidQueueSize{sct::kCommandSpecific, 0x02, true};
constexpr Status kAbortCommandLimitExceeded{sct::kCommandSpecific, 0x03, true};
constexpr Status kAsyncEventLimitExceeded{sct::kCommandSpecific, 0x05, true};
constexpr Status kInvalidInterruptVector{sct::kCommandSpecific, 0x08, true};
constexpr Status kInvalidLogPage{sct::kCommandSpecific, 0x09, true};
constexpr Status kInvalidQueueDeletion{sct::kCommandSpecific, 0x0C, true};
constexpr Status kFeatureNotSaveable{sct::kCommandSpecific, 0x0D, true};
constexpr Status kFeatureNotNamespaceSpecific{sct::kCommandSpecific, 0x0F, true};

// Media and Data Integrity Errors (figure 130).
constexpr Status kWriteFault{sct::kMediaError, 0x80, false};
constexpr Status kUnrecoveredReadError{sct::kMediaError, 0x81, false};

/// A short name for the trace.
const char* status_name(Status s);

}  // namespace nvme
