// NVMe queue entries, command builders and status decoding (NVMe Base 1.4:
// §4.2 submission queue entry, §4.6 completion queue entry, §5 admin
// commands, §6 NVM commands). nvmed's own definitions (the driver rule).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

namespace nvmed {

// --- Opcodes (figure 139, figure 346) ----------------------------------------
namespace admin_opc {
inline constexpr std::uint8_t kDeleteIoSq = 0x00;
inline constexpr std::uint8_t kCreateIoSq = 0x01;
inline constexpr std::uint8_t kGetLogPage = 0x02;
inline constexpr std::uint8_t kDeleteIoCq = 0x04;
inline constexpr std::uint8_t kCreateIoCq = 0x05;
inline constexpr std::uint8_t kIdentify = 0x06;
inline constexpr std::uint8_t kAbort = 0x08;
inline constexpr std::uint8_t kSetFeatures = 0x09;
inline constexpr std::uint8_t kGetFeatures = 0x0A;
inline constexpr std::uint8_t kAsyncEventRequest = 0x0C;
}  // namespace admin_opc
namespace nvm_opc {
inline constexpr std::uint8_t kFlush = 0x00;
inline constexpr std::uint8_t kWrite = 0x01;
inline constexpr std::uint8_t kRead = 0x02;
}  // namespace nvm_opc

/// Identify CNS values (§5.15.1, figure 244).
namespace cns {
inline constexpr std::uint8_t kNamespace = 0x00;
inline constexpr std::uint8_t kController = 0x01;
inline constexpr std::uint8_t kActiveNamespaceList = 0x02;
}  // namespace cns

/// Feature Identifiers (§5.21.1, figure 271).
namespace fid {
inline constexpr std::uint8_t kNumberOfQueues = 0x07;
inline constexpr std::uint8_t kVolatileWriteCache = 0x06;
}  // namespace fid

/// NSID FFFFFFFFh: every namespace (Flush with Identify VWC bits 2:1 = 11b).
inline constexpr std::uint32_t kBroadcastNsid = 0xFFFF'FFFFu;

// --- Queue entries -------------------------------------------------------------

/// A submission queue entry (§4.2, figure 104): 64 bytes.
struct SubmissionEntry {
  std::uint32_t cdw0;  // 7:0 OPC, 9:8 FUSE, 15:14 PSDT, 31:16 CID
  std::uint32_t nsid;
  std::uint32_t cdw2, cdw3;
  std::uint64_t mptr;
  std::uint64_t prp1, prp2;  // DPTR
  std::uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;

  std::uint8_t opcode() const { return static_cast<std::uint8_t>(cdw0 & 0xFF); }
  std::uint16_t cid() const { return static_cast<std::uint16_t>(cdw0 >> 16); }
  void set_cid(std::uint16_t cid) { cdw0 = (cdw0 & 0xFFFFu) | (std::uint32_t{cid} << 16); }
};
static_assert(sizeof(SubmissionEntry) == 64);
static_assert(std::is_trivially_copyable_v<SubmissionEntry>);
inline constexpr unsigned kSqeBytes = 64, kCqeBytes = 16;

/// A completion queue entry (§4.6, figure 121): 16 bytes.
struct CompletionEntry {
  std::uint32_t dw0;     // command specific
  std::uint32_t dw1;     // reserved
  std::uint16_t sqhd;    // SQ Head Pointer
  std::uint16_t sqid;    // SQ Identifier
  std::uint16_t cid;     // Command Identifier
  std::uint16_t status;  // bit 0 Phase Tag (P), 15:1 Status Field (SF)

  bool phase() const { return status & 1; }
};
static_assert(sizeof(CompletionEntry) == 16);
static_assert(std::is_trivially_copyable_v<CompletionEntry>);

// --- Status (§4.6.1.2) ----------------------------------------------------------

/// Status Code Types (figure 125).
namespace sct {
inline constexpr std::uint8_t kGeneric = 0x0;
inline constexpr std::uint8_t kCommandSpecific = 0x1;
inline constexpr std::uint8_t kMediaDataIntegrity = 0x2;
inline constexpr std::uint8_t kPathRelated = 0x3;
inline constexpr std::uint8_t kVendorSpecific = 0x7;
}  // namespace sct

/// Generic Command Status values (figures 126, 127) nvmed looks at.
namespace sc {
inline constexpr std::uint8_t kSuccessfulCompletion = 0x00;
inline constexpr std::uint8_t kInvalidCommandOpcode = 0x01;
inline constexpr std::uint8_t kInvalidFieldInCommand = 0x02;
inline constexpr std::uint8_t kCommandIdConflict = 0x03;
inline constexpr std::uint8_t kDataTransferError = 0x04;
inline constexpr std::uint8_t kAbortedPowerLoss = 0x05;
inline constexpr std::uint8_t kInternalError = 0x06;
inline constexpr std::uint8_t kCommandAbortRequested = 0x07;
inline constexpr std::uint8_t kAbortedSqDeletion = 0x08;
inline constexpr std::uint8_t kInvalidNamespaceOrFormat = 0x0B;
inline constexpr std::uint8_t kCommandSequenceError = 0x0C;
inline constexpr std::uint8_t kPrpOffsetInvalid = 0x13;
inline constexpr std::uint8_t kNamespaceWriteProtected = 0x20;
inline constexpr std::uint8_t kCommandInterrupted = 0x21;
inline constexpr std::uint8_t kTransientTransportError = 0x22;
inline constexpr std::uint8_t kLbaOutOfRange = 0x80;
inline constexpr std::uint8_t kCapacityExceeded = 0x81;
inline constexpr std::uint8_t kNamespaceNotReady = 0x82;
// Command Specific (SCT 1, figure 128).
inline constexpr std::uint8_t kCompletionQueueInvalid = 0x00;
inline constexpr std::uint8_t kInvalidQueueIdentifier = 0x01;
inline constexpr std::uint8_t kInvalidQueueSize = 0x02;
inline constexpr std::uint8_t kAbortCommandLimitExceeded = 0x03;
inline constexpr std::uint8_t kInvalidInterruptVector = 0x08;
// Media and Data Integrity Errors (SCT 2, figure 130).
inline constexpr std::uint8_t kWriteFault = 0x80;
inline constexpr std::uint8_t kUnrecoveredReadError = 0x81;
inline constexpr std::uint8_t kAccessDenied = 0x86;
}  // namespace sc

/// The Status Field of a CQE, decoded.
struct Status {
  std::uint8_t sct = 0;  // Status Code Type
  std::uint8_t sc = 0;   // Status Code
  std::uint8_t crd = 0;  // Command Retry Delay
  bool more = false;     // M: more status in the Error Information log
  bool dnr = false;      // Do Not Retry

  /// From CQE DW3 bits 31:16 (the `status` half-word; bit 0 is the Phase Tag).
  static Status from_field(std::uint16_t status);
  /// Back to the half-word (Phase Tag 0).
  std::uint16_t field() const;

  bool ok() const { return sct == sct::kGeneric && sc == sc::kSuccessfulCompletion; }
  bool is(std::uint8_t type, std::uint8_t code) const { return sct == type && sc == code; }
  bool abort_requested() const { return is(sct::kGeneric, sc::kCommandAbortRequested); }

  /// "Invalid Field in Command (SCT 0h SC 02h, DNR)".
  std::string str() const;
  /// The errno the disk scheme answers with (EIO for media errors, EINVAL
  /// for invalid fields, ...); 0 for success.
  int to_errno() const;

  friend bool operator==(const Status&, const Status&) = default;
};

/// The specification's name for a status ("LBA Out of Range"), or
/// "Unknown Status" for one nvmed does not know.
const char* status_name(std::uint8_t sct, std::uint8_t sc);
/// "Identify", "Read", ... (admin or NVM command set by `admin`).
const char* opcode_name(std::uint8_t opcode, bool admin);

// --- Command builders ------------------------------------------------------------

SubmissionEntry make_command(std::uint8_t opcode, std::uint32_t nsid = 0);
/// Identify (§5.15) into a 4 KiB page at `prp1` (page aligned: one PRP).
SubmissionEntry make_identify(std::uint8_t cns, std::uint32_t nsid, std::uint64_t prp1);
/// Set Features Number of Queues (§5.21.1.7): counts are 1-based here.
SubmissionEntry make_set_number_of_queues(std::uint16_t sq_count, std::uint16_t cq_count);
/// Create I/O Completion Queue (§5.3): physically contiguous, interrupts on `vector`.
SubmissionEntry make_create_io_cq(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t vector);
/// Create I/O Submission Queue (§5.4) completing into `cqid`.
SubmissionEntry make_create_io_sq(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t cqid);
SubmissionEntry make_delete_io_sq(std::uint16_t qid);
SubmissionEntry make_delete_io_cq(std::uint16_t qid);
/// Abort (§5.1) the command `cid` of SQ `sqid`.
SubmissionEntry make_abort(std::uint16_t sqid, std::uint16_t cid);
/// Read or Write (§6.9, §6.15) of `nlb` blocks (1-based here) at `slba`.
SubmissionEntry make_read_write(std::uint8_t opcode, std::uint32_t nsid, std::uint64_t slba, std::uint32_t nlb,
                                std::uint64_t prp1, std::uint64_t prp2);
/// Flush (§6.8).
SubmissionEntry make_flush(std::uint32_t nsid);

/// Set Features Number of Queues completion DW0: NSQA 15:0, NCQA 31:16 (0's based).
struct QueueCounts {
  std::uint32_t sq = 0, cq = 0;  // 1-based
};
QueueCounts decode_number_of_queues(std::uint32_t dw0);

/// Abort completion DW0 bit 0: 0 if the command was aborted (§5.1).
constexpr bool abort_succeeded(std::uint32_t dw0) { return (dw0 & 1) == 0; }

}  // namespace nvmed
