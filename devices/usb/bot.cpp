#include "devices/usb/bot.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace usb {

namespace {
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}
void put_le32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
}  // namespace

std::vector<std::uint8_t> Cbw::bytes() const {
  std::vector<std::uint8_t> v;
  put_le32(v, kCbwSignature);
  put_le32(v, tag);
  put_le32(v, data_transfer_length);
  v.push_back(flags);
  v.push_back(lun);
  v.push_back(cb_length);
  v.insert(v.end(), cb, cb + 16);
  return v;
}

// §6.2.1 (valid: 31 bytes, signature) and §6.2.2 (meaningful: reserved bits
// zero, LUN supported, bCBWCBLength 1..16).
bool BulkOnlyTransport::valid_and_meaningful(std::span<const std::uint8_t> d, Cbw& c) const {
  if (d.size() != kCbwSize || le32(d.data()) != kCbwSignature) return false;
  c.tag = le32(d.data() + 4);
  c.data_transfer_length = le32(d.data() + 8);
  c.flags = d[12];
  c.lun = d[13];
  c.cb_length = d[14];
  std::memcpy(c.cb, d.data() + 15, 16);
  return (c.flags & 0x7F) == 0 && (c.lun & 0xF0) == 0 && c.lun <= max_lun_ && (c.cb_length & 0xE0) == 0 &&
         c.cb_length >= 1 && c.cb_length <= 16;
}

void BulkOnlyTransport::reset() {
  phase_ = Phase::command;
  data_.clear();
  offset_ = 0;
  latency_ = 0;
}

void BulkOnlyTransport::abort_data_phase(const scsi::Sense& why) {
  if (phase_ != Phase::data_in && phase_ != Phase::data_out) return;
  disk_.set_sense(why);
  data_.clear();
  offset_ = 0;
  to_status(kCswFailed, host_remaining_);
}

void BulkOnlyTransport::to_status(std::uint8_t status, std::uint32_t residue) {
  csw_status_ = status;
  residue_ = residue;
  if (status == kCswPhaseError) ++phase_errors_;
  phase_ = Phase::status;
}

std::vector<std::uint8_t> BulkOnlyTransport::csw() const {
  std::vector<std::uint8_t> v;
  put_le32(v, kCswSignature);
  put_le32(v, cbw_.tag);  // §6.3: echoes dCBWTag
  put_le32(v, residue_);
  v.push_back(csw_status_);
  return v;
}

// Decides the case of §6.7 from the host's expectation (Hn/Hi/Ho) and the
// device's intent (Dn/Di/Do), and sets up the data phase.
void BulkOnlyTransport::start(const Cbw& c, Halts& halts) {
  ++commands_;
  cbw_ = c;
  data_.clear();
  offset_ = 0;
  phase_error_ = false;
  latency_ = 0;
  const std::span<const std::uint8_t> cdb(c.cb, c.cb_length);
  const scsi::Plan plan = disk_.plan(cdb);
  const std::uint32_t h = c.data_transfer_length;
  const bool host_in = (c.flags & kCbwFlagDataIn) != 0;
  host_remaining_ = h;
  if (h == 0) {
    if (plan.dir != scsi::Direction::none && plan.length > 0) return to_status(kCswPhaseError, 0);  // cases 2, 3
    const scsi::Result r = disk_.execute(cdb, {});                                                  // case 1
    latency_ = r.latency;
    return to_status(r.status == scsi::kStatusGood ? kCswPassed : kCswFailed, 0);
  }
  if (host_in) {
    if (plan.dir == scsi::Direction::out) {  // case 8: Hi <> Do
      halts.in = true;
      return to_status(kCswPhaseError, h);
    }
    scsi::Result r = disk_.execute(cdb, {});
    latency_ = r.latency;
    csw_status_ = r.status == scsi::kStatusGood ? kCswPassed : kCswFailed;
    if (r.data.size() > h) {  // case 7: Hi < Di, send Hi bytes then phase error
      r.data.resize(h);
      phase_error_ = true;
    }
    data_ = std::move(r.data);
    phase_ = Phase::data_in;  // cases 4, 5, 6 (4 and 5 end with a STALL or short packet)
    return;
  }
  // Host expects to send data.
  if (plan.dir == scsi::Direction::in) {  // case 10: Ho <> Di
    halts.out = true;
    return to_status(kCswPhaseError, h);
  }
  if (plan.dir == scsi::Direction::none || plan.length == 0) {  // case 9: Ho > Dn
    const scsi::Result r = disk_.execute(cdb, {});
    latency_ = r.latency;
    halts.out = true;
    return to_status(r.status == scsi::kStatusGood ? kCswPassed : kCswFailed, h);
  }
  expected_out_ = std::min(h, plan.length);  // cases 11, 12, 13
  phase_error_ = h < plan.length;
  phase_ = Phase::data_out;
}

OutResult BulkOnlyTransport::bulk_out(std::span<const std::uint8_t> data, std::uint16_t mps, Halts& halts) {
  switch (phase_) {
    case Phase::command: {
      Cbw c;
      if (!valid_and_meaningful(data, c)) {
        // §6.6.1: STALL both bulk pipes until Reset Recovery.
        phase_ = Phase::needs_reset;
        halts.in = halts.out = true;
        return OutResult{Status::ack, static_cast<std::uint32_t>(data.size()), 0};
      }
      start(c, halts);
      return OutResult{Status::ack, static_cast<std::uint32_t>(data.size()), 0};
    }
    case Phase::data_out: {
      const std::size_t want = expected_out_ - data_.size();
      const std::size_t take = std::min(want, data.size());
      data_.insert(data_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
      host_remaining_ -= static_cast<std::uint32_t>(take);
      OutResult r{Status::ack, static_cast<std::uint32_t>(take), 0};
      if (data_.size() == expected_out_) {
        if (phase_error_) {
          to_status(kCswPhaseError, host_remaining_);  // case 13: Ho < Do
        } else {
          const scsi::Result x = disk_.execute(std::span<const std::uint8_t>(cbw_.cb, cbw_.cb_length), data_);
          latency_ = x.latency;
          to_status(x.status == scsi::kStatusGood ? kCswPassed : kCswFailed, host_remaining_);
        }
        // case 11 (Ho > Do): the rest of the host's data is refused with a STALL.
        if (host_remaining_ > 0 || take < data.size()) {
          halts.out = true;
          r.status = Status::stall;
        }
      }
      return r;
    }
    case Phase::data_in:
    case Phase::status:
    case Phase::needs_reset:
      halts.out = true;
      return OutResult{Status::stall, 0, 0};
  }
  (void)mps;
  return OutResult{Status::stall, 0, 0};
}

InResult BulkOnlyTransport::bulk_in(std::uint32_t max_length, std::uint16_t mps, Halts& halts) {
  switch (phase_) {
    case Phase::command: return InResult{Status::nak, {}, 0};  // nothing to send until a CBW
    case Phase::needs_reset: halts.in = true; return InResult{Status::stall, {}, 0};
    case Phase::data_out: halts.in = true; return InResult{Status::stall, {}, 0};
    case Phase::data_in: {
      InResult r;
      r.latency = std::exchange(latency_, 0);
      const std::size_t remaining = data_.size() - offset_;
      const std::size_t n = std::min<std::size_t>(remaining, max_length);
      r.data.assign(data_.begin() + static_cast<std::ptrdiff_t>(offset_),
                    data_.begin() + static_cast<std::ptrdiff_t>(offset_ + n));
      offset_ += n;
      host_remaining_ -= static_cast<std::uint32_t>(n);
      if (offset_ < data_.size()) return r;  // more to come
      if (host_remaining_ == 0 || phase_error_) {
        to_status(phase_error_ ? kCswPhaseError : csw_status_, host_remaining_);
        return r;
      }
      // Hi > Di (cases 4, 5): a short packet ends the data, else a STALL does.
      const bool short_packet = n < max_length && mps && (n % mps) != 0;
      to_status(csw_status_, host_remaining_);
      if (!short_packet && n < max_length) {
        halts.in = true;
        r.status = Status::stall;
      } else if (!short_packet) {
        // The host's transfer ended on a packet boundary and still expects
        // data: the next IN gets the STALL.
        phase_ = Phase::data_in;
        data_.clear();
        offset_ = 0;
      }
      return r;
    }
    case Phase::status: {
      InResult r;
      r.latency = std::exchange(latency_, 0);
      r.data = csw();
      if (r.data.size() > max_length) r.data.resize(max_length);
      phase_ = Phase::command;
      return r;
    }
  }
  return InResult{Status::stall, {}, 0};
}

}  // namespace usb
