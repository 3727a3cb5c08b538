#include "devices/usb/scsi.hpp"

#include <algorithm>

namespace usb::scsi {

namespace {
std::uint32_t be16(const std::uint8_t* p) { return static_cast<std::uint32_t>((p[0] << 8) | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint64_t be64(const std::uint8_t* p) { return (std::uint64_t{be32(p)} << 32) | be32(p + 4); }
void put_be32(std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x >> (24 - 8 * i));
}
void put_be64(std::vector<std::uint8_t>& v, std::size_t at, std::uint64_t x) {
  put_be32(v, at, static_cast<std::uint32_t>(x >> 32));
  put_be32(v, at + 4, static_cast<std::uint32_t>(x));
}
void put_padded(std::vector<std::uint8_t>& v, std::size_t at, const std::string& s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[at + i] = static_cast<std::uint8_t>(i < s.size() ? s[i] : ' ');
}
/// CDB length from the operation code's group (SPC-4 §4.3.2).
std::size_t cdb_length(std::uint8_t op) {
  switch (op >> 5) {
    case 0: return 6;
    case 1:
    case 2: return 10;
    case 4: return 16;
    case 5: return 12;
    default: return 6;
  }
}
}  // namespace

ScsiDisk::ScsiDisk(BackingStore& store, std::uint32_t block_size, DiskIdentity id, DiskTiming timing)
    : store_(store),
      block_size_(block_size ? block_size : 512),
      blocks_(store.size() / block_size_),
      id_(std::move(id)),
      timing_(timing),
      unit_attention_(id_.power_on_unit_attention) {}

sim::Picos ScsiDisk::media_time(std::uint64_t bytes) const {
  return sim::transfer_time(bytes, timing_.media_bytes_per_second);
}

ScsiDisk::Decoded ScsiDisk::decode(std::span<const std::uint8_t> cdb) const {
  Decoded d;
  if (cdb.empty() || cdb.size() < cdb_length(cdb[0])) {
    d.error = kInvalidCommandOperationCode;
    return d;
  }
  const std::uint8_t* c = cdb.data();
  const auto in = [&](std::uint32_t n) { d.plan = Plan{Direction::in, n}; };
  const auto range = [&](std::uint64_t lba, std::uint32_t count, bool write) {
    d.lba = lba;
    d.count = count;
    if (lba > blocks_ || count > blocks_ - lba) {
      d.error = kLbaOutOfRange;
      return;
    }
    if (write && id_.write_protected) {
      d.error = kWriteProtected;
      return;
    }
    d.plan = Plan{write ? Direction::out : Direction::in, count * block_size_};
  };
  d.valid = true;
  switch (c[0]) {
    case kTestUnitReady:
    case kStartStopUnit:
    case kPreventAllowMediumRemoval: break;
    case kRequestSense:
      if (c[1] & 0x01) d.error = kInvalidFieldInCdb;  // DESC: only fixed-format sense is implemented
      else in(c[4]);
      break;
    case kInquiry: {
      const bool evpd = c[1] & 0x01;
      const std::uint8_t page = c[2];
      if ((!evpd && page != 0) || (evpd && page != 0x00 && page != 0x80)) d.error = kInvalidFieldInCdb;
      else in(be16(c + 3));
      break;
    }
    case kModeSense6:
    case kModeSense10: {
      const std::uint8_t page = c[2] & 0x3F, pc = c[2] >> 6;
      if (page != 0x08 && page != 0x3F) d.error = kInvalidFieldInCdb;
      else if (pc == 3) d.error = kSavingParametersNotSupported;
      else in(c[0] == kModeSense6 ? c[4] : be16(c + 7));
      break;
    }
    case kReadCapacity10: in(8); break;
    case kServiceActionIn16:
      if ((c[1] & 0x1F) != kSaReadCapacity16) d.error = kInvalidFieldInCdb;
      else in(be32(c + 10));
      break;
    case kRead10: range(be32(c + 2), be16(c + 7), false); break;
    case kRead16: range(be64(c + 2), be32(c + 10), false); break;
    case kWrite10: range(be32(c + 2), be16(c + 7), true); break;
    case kWrite16: range(be64(c + 2), be32(c + 10), true); break;
    case kSynchronizeCache10: {
      const std::uint64_t lba = be32(c + 2), n = be16(c + 7);
      if (lba > blocks_ || n > blocks_ - lba) d.error = kLbaOutOfRange;
      break;
    }
    default: d.valid = false; d.error = kInvalidCommandOperationCode; break;
  }
  // A pending unit attention ends any other command before it starts.
  if (unit_attention_ && d.valid && c[0] != kInquiry && c[0] != kRequestSense) d.error = kPowerOnReset;
  if (d.error.key != kSenseNoSense) d.plan = Plan{};
  return d;
}

Plan ScsiDisk::plan(std::span<const std::uint8_t> cdb) const { return decode(cdb).plan; }

Result ScsiDisk::fail(const Sense& s) {
  sense_ = s;
  return Result{kStatusCheckCondition, {}, 0};
}

Result ScsiDisk::execute(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out) {
  const Decoded d = decode(cdb);
  if (unit_attention_ && d.error == kPowerOnReset) unit_attention_ = false;  // reported once
  if (d.error.key != kSenseNoSense) return fail(d.error);
  const std::uint8_t op = cdb[0];
  if (op != kRequestSense) sense_ = Sense{};  // a command that succeeds leaves no sense behind
  switch (op) {
    case kRequestSense: return request_sense(d.plan.length);
    case kInquiry: return inquiry(cdb, d.plan.length);
    case kModeSense6: return mode_sense(cdb, false, d.plan.length);
    case kModeSense10: return mode_sense(cdb, true, d.plan.length);
    case kReadCapacity10: return read_capacity(false, d.plan.length);
    case kServiceActionIn16: return read_capacity(true, d.plan.length);
    case kRead10:
    case kRead16: return read(d);
    case kWrite10:
    case kWrite16: return write(d, data_out);
    case kSynchronizeCache10:
      if (!store_.flush()) return fail(kWriteError);
      return Result{kStatusGood, {}, timing_.write_latency};
    default: return Result{};  // TEST UNIT READY, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL
  }
}

Result ScsiDisk::inquiry(std::span<const std::uint8_t> cdb, std::uint32_t alloc) {
  std::vector<std::uint8_t> v;
  if (cdb[1] & 0x01) {
    if (cdb[2] == 0x00) {
      v = {0x00, 0x00, 0x00, 0x02, 0x00, 0x80};  // supported VPD pages: 00h, 80h
    } else {                                   // 80h: Unit Serial Number
      v = {0x00, 0x80, 0x00, static_cast<std::uint8_t>(id_.serial.size())};
      v.insert(v.end(), id_.serial.begin(), id_.serial.end());
    }
  } else {
    v.assign(36, 0);  // standard INQUIRY data (SPC-4 §6.4.2)
    v[0] = 0x00;      // peripheral qualifier 0, direct access block device
    v[1] = id_.removable ? 0x80 : 0x00;
    v[2] = 0x06;  // SPC-4
    v[3] = 0x02;  // response data format 2
    v[4] = 31;    // additional length
    put_padded(v, 8, id_.vendor, 8);
    put_padded(v, 16, id_.product, 16);
    put_padded(v, 32, id_.revision, 4);
  }
  if (v.size() > alloc) v.resize(alloc);
  return Result{kStatusGood, std::move(v), 0};
}

Result ScsiDisk::request_sense(std::uint32_t alloc) {
  if (unit_attention_) {  // REQUEST SENSE reports and clears it too
    sense_ = kPowerOnReset;
    unit_attention_ = false;
  }
  std::vector<std::uint8_t> v(18, 0);  // fixed format (SPC-4 §4.5.3)
  v[0] = 0x70;                         // current error, fixed format
  v[2] = sense_.key;
  v[7] = 10;  // additional sense length
  v[12] = sense_.asc;
  v[13] = sense_.ascq;
  sense_ = Sense{};
  if (v.size() > alloc) v.resize(alloc);
  return Result{kStatusGood, std::move(v), 0};
}

Result ScsiDisk::mode_sense(std::span<const std::uint8_t> cdb, bool ten, std::uint32_t alloc) {
  const bool dbd = cdb[1] & 0x08;
  const bool changeable = (cdb[2] >> 6) == 1;
  const std::size_t header = ten ? 8 : 4;
  const std::size_t bd = dbd ? 0 : 8;
  std::vector<std::uint8_t> v(header + bd + 20, 0);
  const std::uint8_t dev_specific = id_.write_protected ? 0x80 : 0x00;
  if (ten) {
    const auto len = static_cast<std::uint16_t>(v.size() - 2);
    v[0] = static_cast<std::uint8_t>(len >> 8);
    v[1] = static_cast<std::uint8_t>(len);
    v[3] = dev_specific;
    v[7] = static_cast<std::uint8_t>(bd);
  } else {
    v[0] = static_cast<std::uint8_t>(v.size() - 1);
    v[2] = dev_specific;
    v[3] = static_cast<std::uint8_t>(bd);
  }
  if (bd) {  // short LBA mode parameter block descriptor (SBC-3 §6.4.2)
    const std::uint64_t n = std::min<std::uint64_t>(blocks_, 0xFFFFFF);
    v[header + 1] = static_cast<std::uint8_t>(n >> 16);
    v[header + 2] = static_cast<std::uint8_t>(n >> 8);
    v[header + 3] = static_cast<std::uint8_t>(n);
    v[header + 5] = static_cast<std::uint8_t>(block_size_ >> 16);
    v[header + 6] = static_cast<std::uint8_t>(block_size_ >> 8);
    v[header + 7] = static_cast<std::uint8_t>(block_size_);
  }
  const std::size_t page = header + bd;  // Caching mode page (SBC-3 §6.4.5)
  v[page] = 0x08;
  v[page + 1] = 0x12;
  if (!changeable) v[page + 2] = 0x00;  // WCE=0: writes are durable when status returns
  if (v.size() > alloc) v.resize(alloc);
  return Result{kStatusGood, std::move(v), 0};
}

Result ScsiDisk::read_capacity(bool sixteen, std::uint32_t alloc) {
  std::vector<std::uint8_t> v(sixteen ? 32 : 8, 0);
  const std::uint64_t last = blocks_ ? blocks_ - 1 : 0;
  if (sixteen) {
    put_be64(v, 0, last);
    put_be32(v, 8, block_size_);
  } else {
    put_be32(v, 0, last > 0xFFFF'FFFEULL ? 0xFFFF'FFFFu : static_cast<std::uint32_t>(last));
    put_be32(v, 4, block_size_);
  }
  if (v.size() > alloc) v.resize(alloc);
  return Result{kStatusGood, std::move(v), 0};
}

Result ScsiDisk::read(const Decoded& d) {
  std::vector<std::uint8_t> v(std::size_t{d.count} * block_size_);
  if (!store_.read(d.lba * block_size_, v)) return fail(kUnrecoveredReadError);
  const sim::Picos t = d.count ? timing_.read_latency + media_time(v.size()) : 0;
  return Result{kStatusGood, std::move(v), t};
}

Result ScsiDisk::write(const Decoded& d, std::span<const std::uint8_t> data) {
  const std::size_t n = std::min<std::size_t>(data.size(), std::size_t{d.count} * block_size_);
  if (n && !store_.write(d.lba * block_size_, data.first(n))) return fail(kWriteError);
  const sim::Picos t = d.count ? timing_.write_latency + media_time(n) : 0;
  return Result{kStatusGood, {}, t};
}

}  // namespace usb::scsi
