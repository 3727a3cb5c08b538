#include "devices/nvme/nvme_spec.hpp"

namespace nvme {

const char* status_name(Status s) {
  if (s.sct == sct::kGeneric) {
    switch (s.sc) {
      case 0x00: return "success";
      case 0x01: return "invalid_opcode";
      case 0x02: return "invalid_field";
      case 0x03: return "command_id_conflict";
      case 0x04: return "data_transfer_error";
      case 0x06: return "internal_error";
      case 0x07: return "abort_requested";
      case 0x08: return "aborted_sq_deletion";
      case 0x0B: return "invalid_namespace";
      case 0x0C: return "command_sequence_error";
      case 0x13: return "invalid_prp_offset";
      case 0x80: return "lba_out_of_range";
      default: return "generic";
    }
  }
  if (s.sct == sct::kCommandSpecific) {
    switch (s.sc) {
      case 0x00: return "completion_queue_invalid";
      case 0x01: return "invalid_queue_identifier";
      case 0x02: return "invalid_queue_size";
      case 0x03: return "abort_limit_exceeded";
      case 0x05: return "async_event_limit_exceeded";
      case 0x08: return "invalid_interrupt_vector";
      case 0x09: return "invalid_log_page";
      case 0x0C: return "invalid_queue_deletion";
      case 0x0D: return "feature_not_saveable";
      case 0x0F: return "feature_not_namespace_specific";
      default: return "command_specific";
    }
  }
  if (s.sct == sct::kMediaError) return s.sc == 0x80 ? "write_fault" : s.sc == 0x81 ? "unrecovered_read_error" : "media_error";
  return "other";
}

}  // namespace nvme
