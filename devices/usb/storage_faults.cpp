// Injected faults of the mass-storage device (storage_faults.hpp). The hooks
// in mass_storage.cpp call these before and after the Bulk-Only Transport.
#include "devices/usb/storage_faults.hpp"

#include "devices/usb/mass_storage.hpp"

namespace usb {

void UsbMassStorage::inject_stall_next(std::uint32_t count, StallPipe pipe) {
  faults_.stalls = count;
  faults_.stall_pipe = pipe;
}

void UsbMassStorage::inject_bad_csw(std::uint32_t count, BadCswField field) {
  faults_.bad_csws = count;
  faults_.bad_csw_field = field;
}

// A STALL is due for a transfer on this pipe that would move a CBW, data or a
// CSW (not for an IN the device would NAK while it waits for a CBW).
bool UsbMassStorage::stall_due(bool in) {
  if (faults_.stalls == 0) return false;
  if (faults_.stall_pipe == (in ? StallPipe::out : StallPipe::in)) return false;
  const BulkOnlyTransport::Phase ph = bot_->phase();
  using P = BulkOnlyTransport::Phase;
  const bool moves = in ? (ph == P::data_in || ph == P::status) : (ph == P::command || ph == P::data_out);
  if (!moves) return false;
  --faults_.stalls;
  ++faults_.stalled;
  // BOT 1.0 §6.7.2/§6.7.3: a device may end a data phase with a STALL; it then
  // reports the command's outcome in the CSW. A stalled CBW or CSW changes no
  // transport state.
  if (ph == P::data_in || ph == P::data_out) bot_->abort_data_phase(scsi::kDataPhaseError);
  set_halt(in ? kBulkIn : kBulkOut, true);
  return true;
}

void UsbMassStorage::corrupt_csw(InResult& r) {
  if (faults_.bad_csws == 0 || r.status != Status::ack || r.data.size() < kCswSize) return;
  --faults_.bad_csws;
  ++faults_.corrupted;
  // dCSWSignature is bytes 0..3, dCSWTag bytes 4..7 (BOT 1.0 §5.2).
  r.data[faults_.bad_csw_field == BadCswField::signature ? 0 : 4] ^= 0x5A;
}

}  // namespace usb
