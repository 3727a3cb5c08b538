#include "drivers/usbscsid/bot.hpp"

namespace usbscsid::bot {

namespace {
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}
}  // namespace

std::array<std::uint8_t, kCbwSize> encode(const Cbw& c) {
  std::array<std::uint8_t, kCbwSize> b{};
  put32(&b[0], kCbwSignature);
  put32(&b[4], c.tag);
  put32(&b[8], c.data_transfer_length);
  b[12] = c.direction == Direction::in ? kCbwFlagsDataIn : 0;
  b[13] = c.lun & 0x0F;
  b[14] = c.cb_length & 0x1F;
  for (std::size_t i = 0; i < kMaxCdbLength; ++i) b[15 + i] = c.cb[i];
  return b;
}

Csw decode_csw(std::span<const std::uint8_t> b) {
  Csw c;
  if (b.size() < kCswSize) return c;
  c.signature = get32(&b[0]);
  c.tag = get32(&b[4]);
  c.data_residue = get32(&b[8]);
  c.status = b[12];
  return c;
}

CswCheck check_csw(const Csw& csw, std::size_t received, const Cbw& cbw) {
  if (received != kCswSize) return CswCheck::wrong_size;
  if (csw.signature != kCswSignature) return CswCheck::bad_signature;
  if (csw.tag != cbw.tag) return CswCheck::tag_mismatch;
  if (csw.status > kCswPhaseError) return CswCheck::bad_status;
  // A phase error's residue has no meaning (§6.7); otherwise it cannot exceed
  // what the host asked for.
  if (csw.status != kCswPhaseError && csw.data_residue > cbw.data_transfer_length) return CswCheck::residue_too_big;
  return CswCheck::ok;
}

const char* to_string(CswCheck c) {
  switch (c) {
    case CswCheck::ok: return "ok";
    case CswCheck::wrong_size: return "CSW not 13 bytes";
    case CswCheck::bad_signature: return "bad CSW signature";
    case CswCheck::tag_mismatch: return "CSW tag mismatch";
    case CswCheck::bad_status: return "bad CSW status";
    case CswCheck::residue_too_big: return "CSW residue above the transfer length";
  }
  return "?";
}

}  // namespace usbscsid::bot
