#include "drivers/nvmed/command.hpp"

#include <cstdio>

#include "drivers/hal/error.hpp"

namespace nvmed {

// The 16-bit half of CQE DW3 (§4.6.1, figure 124): P 0, SC 8:1, SCT 11:9,
// CRD 13:12, M 14, DNR 15.
Status Status::from_field(std::uint16_t status) {
  Status s;
  s.sc = static_cast<std::uint8_t>((status >> 1) & 0xFF);
  s.sct = static_cast<std::uint8_t>((status >> 9) & 0x7);
  s.crd = static_cast<std::uint8_t>((status >> 12) & 0x3);
  s.more = (status >> 14) & 1;
  s.dnr = (status >> 15) & 1;
  return s;
}

std::uint16_t Status::field() const {
  return static_cast<std::uint16_t>((std::uint32_t{sc} << 1) | (std::uint32_t{sct & 0x7u} << 9) |
                                    (std::uint32_t{crd & 0x3u} << 12) | (more ? 1u << 14 : 0u) |
                                    (dnr ? 1u << 15 : 0u));
}

std::string Status::str() const {
  char b[160];
  std::snprintf(b, sizeof b, "%s (SCT %Xh SC %02Xh%s)", status_name(sct, sc), sct, sc, dnr ? ", DNR" : "");
  return b;
}

int Status::to_errno() const {
  if (ok()) return 0;
  if (sct == sct::kGeneric) {
    switch (sc) {
      case sc::kInvalidCommandOpcode: return hal::errc::opnotsupp;
      case sc::kInvalidFieldInCommand:
      case sc::kPrpOffsetInvalid: return hal::errc::inval;
      case sc::kInvalidNamespaceOrFormat: return hal::errc::nodev;
      case sc::kCommandAbortRequested:
      case sc::kAbortedSqDeletion:
      case sc::kAbortedPowerLoss: return hal::errc::canceled;
      case sc::kNamespaceWriteProtected: return hal::errc::acces;
      case sc::kNamespaceNotReady:
      case sc::kCommandInterrupted:
      case sc::kTransientTransportError: return hal::errc::again;
      case sc::kLbaOutOfRange:
      case sc::kCapacityExceeded: return hal::errc::nxio;
      default: return hal::errc::io;
    }
  }
  if (sct == sct::kMediaDataIntegrity && sc == sc::kAccessDenied) return hal::errc::acces;
  return hal::errc::io;  // media and data integrity errors, path errors, vendor specific
}

const char* status_name(std::uint8_t type, std::uint8_t code) {
  if (type == sct::kGeneric) {
    switch (code) {
      case 0x00: return "Successful Completion";
      case 0x01: return "Invalid Command Opcode";
      case 0x02: return "Invalid Field in Command";
      case 0x03: return "Command ID Conflict";
      case 0x04: return "Data Transfer Error";
      case 0x05: return "Commands Aborted due to Power Loss Notification";
      case 0x06: return "Internal Error";
      case 0x07: return "Command Abort Requested";
      case 0x08: return "Command Aborted due to SQ Deletion";
      case 0x09: return "Command Aborted due to Failed Fused Command";
      case 0x0A: return "Command Aborted due to Missing Fused Command";
      case 0x0B: return "Invalid Namespace or Format";
      case 0x0C: return "Command Sequence Error";
      case 0x13: return "PRP Offset Invalid";
      case 0x15: return "Operation Denied";
      case 0x20: return "Namespace is Write Protected";
      case 0x21: return "Command Interrupted";
      case 0x22: return "Transient Transport Error";
      case 0x80: return "LBA Out of Range";
      case 0x81: return "Capacity Exceeded";
      case 0x82: return "Namespace Not Ready";
      case 0x83: return "Reservation Conflict";
      case 0x84: return "Format In Progress";
      default: break;
    }
  } else if (type == sct::kCommandSpecific) {
    switch (code) {
      case 0x00: return "Completion Queue Invalid";
      case 0x01: return "Invalid Queue Identifier";
      case 0x02: return "Invalid Queue Size";
      case 0x03: return "Abort Command Limit Exceeded";
      case 0x05: return "Asynchronous Event Request Limit Exceeded";
      case 0x08: return "Invalid Interrupt Vector";
      case 0x09: return "Invalid Log Page";
      case 0x0C: return "Invalid Queue Deletion";
      case 0x0D: return "Feature Identifier Not Saveable";
      case 0x0E: return "Feature Not Changeable";
      case 0x0F: return "Feature Not Namespace Specific";
      case 0x80: return "Conflicting Attributes";
      case 0x82: return "Attempted Write to Read Only Range";
      default: break;
    }
  } else if (type == sct::kMediaDataIntegrity) {
    switch (code) {
      case 0x80: return "Write Fault";
      case 0x81: return "Unrecovered Read Error";
      case 0x82: return "End-to-end Guard Check Error";
      case 0x83: return "End-to-end Application Tag Check Error";
      case 0x84: return "End-to-end Reference Tag Check Error";
      case 0x85: return "Compare Failure";
      case 0x86: return "Access Denied";
      case 0x87: return "Deallocated or Unwritten Logical Block";
      default: break;
    }
  } else if (type == sct::kPathRelated) {
    return "Path Related Status";
  } else if (type == sct::kVendorSpecific) {
    return "Vendor Specific";
  }
  return "Unknown Status";
}

const char* opcode_name(std::uint8_t opcode, bool admin) {
  if (admin) {
    switch (opcode) {
      case admin_opc::kDeleteIoSq: return "Delete I/O Submission Queue";
      case admin_opc::kCreateIoSq: return "Create I/O Submission Queue";
      case admin_opc::kGetLogPage: return "Get Log Page";
      case admin_opc::kDeleteIoCq: return "Delete I/O Completion Queue";
      case admin_opc::kCreateIoCq: return "Create I/O Completion Queue";
      case admin_opc::kIdentify: return "Identify";
      case admin_opc::kAbort: return "Abort";
      case admin_opc::kSetFeatures: return "Set Features";
      case admin_opc::kGetFeatures: return "Get Features";
      case admin_opc::kAsyncEventRequest: return "Asynchronous Event Request";
      default: return "Unknown Admin Command";
    }
  }
  switch (opcode) {
    case nvm_opc::kFlush: return "Flush";
    case nvm_opc::kWrite: return "Write";
    case nvm_opc::kRead: return "Read";
    default: return "Unknown NVM Command";
  }
}

SubmissionEntry make_command(std::uint8_t opcode, std::uint32_t nsid) {
  SubmissionEntry e{};
  e.cdw0 = opcode;  // FUSE 00b (normal), PSDT 00b (PRPs); CID set at submission
  e.nsid = nsid;
  return e;
}

SubmissionEntry make_identify(std::uint8_t cns_value, std::uint32_t nsid, std::uint64_t prp1) {
  SubmissionEntry e = make_command(admin_opc::kIdentify, nsid);
  e.prp1 = prp1;
  e.cdw10 = cns_value;  // CNTID 0
  return e;
}

SubmissionEntry make_set_number_of_queues(std::uint16_t sq_count, std::uint16_t cq_count) {
  SubmissionEntry e = make_command(admin_opc::kSetFeatures);
  e.cdw10 = fid::kNumberOfQueues;  // SV 0
  e.cdw11 = (std::uint32_t{static_cast<std::uint16_t>(cq_count - 1)} << 16) | static_cast<std::uint16_t>(sq_count - 1);
  return e;
}

SubmissionEntry make_create_io_cq(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t vector) {
  SubmissionEntry e = make_command(admin_opc::kCreateIoCq);
  e.prp1 = base;
  e.cdw10 = ((entries - 1) & 0xFFFFu) << 16 | qid;      // QSIZE (0's based), QID
  e.cdw11 = std::uint32_t{vector} << 16 | 0x2u | 0x1u;  // IV, IEN, PC
  return e;
}

SubmissionEntry make_create_io_sq(std::uint16_t qid, std::uint32_t entries, std::uint64_t base, std::uint16_t cqid) {
  SubmissionEntry e = make_command(admin_opc::kCreateIoSq);
  e.prp1 = base;
  e.cdw10 = ((entries - 1) & 0xFFFFu) << 16 | qid;  // QSIZE (0's based), QID
  e.cdw11 = std::uint32_t{cqid} << 16 | 0x1u;       // CQID, QPRIO 00b (urgent; ignored by round robin), PC
  return e;
}

SubmissionEntry make_delete_io_sq(std::uint16_t qid) {
  SubmissionEntry e = make_command(admin_opc::kDeleteIoSq);
  e.cdw10 = qid;
  return e;
}

SubmissionEntry make_delete_io_cq(std::uint16_t qid) {
  SubmissionEntry e = make_command(admin_opc::kDeleteIoCq);
  e.cdw10 = qid;
  return e;
}

SubmissionEntry make_abort(std::uint16_t sqid, std::uint16_t cid) {
  SubmissionEntry e = make_command(admin_opc::kAbort);
  e.cdw10 = std::uint32_t{cid} << 16 | sqid;
  return e;
}

SubmissionEntry make_read_write(std::uint8_t opcode, std::uint32_t nsid, std::uint64_t slba, std::uint32_t nlb,
                                std::uint64_t prp1, std::uint64_t prp2) {
  SubmissionEntry e = make_command(opcode, nsid);
  e.prp1 = prp1;
  e.prp2 = prp2;
  e.cdw10 = static_cast<std::uint32_t>(slba);
  e.cdw11 = static_cast<std::uint32_t>(slba >> 32);
  e.cdw12 = (nlb - 1) & 0xFFFFu;  // NLB 0's based; LR, FUA, PRINFO 0
  return e;
}

SubmissionEntry make_flush(std::uint32_t nsid) { return make_command(nvm_opc::kFlush, nsid); }

QueueCounts decode_number_of_queues(std::uint32_t dw0) {
  return QueueCounts{(dw0 & 0xFFFFu) + 1, (dw0 >> 16) + 1};
}

}  // namespace nvmed
