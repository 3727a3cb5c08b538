#include "drivers/usbscsid/scsi.hpp"

#include <cstdio>

#include "drivers/hal/error.hpp"

namespace usbscsid::scsi {

namespace {
void be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void be32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}
void be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}
std::uint32_t get32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
std::uint64_t get64(const std::uint8_t* p) { return (std::uint64_t{get32(p)} << 32) | get32(p + 4); }
Cdb cdb(std::uint8_t op, std::uint8_t length) {
  Cdb c;
  c.bytes[0] = op;
  c.length = length;
  return c;
}
std::string trimmed(std::span<const std::uint8_t> s) {
  std::string out(s.begin(), s.end());
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  for (char& ch : out)
    if (ch < 0x20 || ch > 0x7E) ch = '?';
  return out;
}
hal::Error bad(const char* why) { return hal::Error(hal::errc::badmsg, why); }
}  // namespace

Cdb test_unit_ready() { return cdb(kTestUnitReady, 6); }

Cdb request_sense(std::uint8_t allocation_length) {
  Cdb c = cdb(kRequestSense, 6);  // DESC = 0: fixed format
  c.bytes[4] = allocation_length;
  return c;
}

Cdb inquiry(std::uint8_t allocation_length) {
  Cdb c = cdb(kInquiry, 6);
  be16(&c.bytes[3], allocation_length);
  return c;
}

Cdb read_capacity10() { return cdb(kReadCapacity10, 10); }

Cdb read_capacity16(std::uint32_t allocation_length) {
  Cdb c = cdb(kServiceActionIn16, 16);
  c.bytes[1] = kSaReadCapacity16;
  be32(&c.bytes[10], allocation_length);
  return c;
}

Cdb read10(std::uint32_t lba, std::uint16_t blocks) {
  Cdb c = cdb(kRead10, 10);
  be32(&c.bytes[2], lba);
  be16(&c.bytes[7], blocks);
  return c;
}

Cdb write10(std::uint32_t lba, std::uint16_t blocks) {
  Cdb c = read10(lba, blocks);
  c.bytes[0] = kWrite10;
  return c;
}

Cdb read16(std::uint64_t lba, std::uint32_t blocks) {
  Cdb c = cdb(kRead16, 16);
  be64(&c.bytes[2], lba);
  be32(&c.bytes[10], blocks);
  return c;
}

Cdb write16(std::uint64_t lba, std::uint32_t blocks) {
  Cdb c = read16(lba, blocks);
  c.bytes[0] = kWrite16;
  return c;
}

Cdb synchronize_cache10() { return cdb(kSynchronizeCache10, 10); }  // LBA 0, 0 blocks: the whole medium

namespace {
bool fits10(std::uint64_t lba, std::uint32_t blocks) { return lba + blocks <= 0xFFFF'FFFFULL && blocks <= 0xFFFF; }
}  // namespace

Cdb read(std::uint64_t lba, std::uint32_t blocks) {
  return fits10(lba, blocks) ? read10(static_cast<std::uint32_t>(lba), static_cast<std::uint16_t>(blocks))
                             : read16(lba, blocks);
}

Cdb write(std::uint64_t lba, std::uint32_t blocks) {
  return fits10(lba, blocks) ? write10(static_cast<std::uint32_t>(lba), static_cast<std::uint16_t>(blocks))
                             : write16(lba, blocks);
}

hal::Result<InquiryData> parse_inquiry(std::span<const std::uint8_t> d) {
  if (d.size() < kStandardInquiryLength) return bad("INQUIRY data shorter than 36 bytes");
  InquiryData q;
  q.peripheral_qualifier = static_cast<std::uint8_t>(d[0] >> 5);
  q.peripheral_device_type = d[0] & 0x1F;
  q.removable = (d[1] & 0x80) != 0;
  q.version = d[2];
  q.vendor = trimmed(d.subspan(8, 8));
  q.product = trimmed(d.subspan(16, 16));
  q.revision = trimmed(d.subspan(32, 4));
  return q;
}

hal::Result<Capacity> parse_read_capacity10(std::span<const std::uint8_t> d) {
  if (d.size() < 8) return bad("READ CAPACITY(10) data shorter than 8 bytes");
  Capacity c;
  c.last_lba = get32(&d[0]);
  c.block_length = get32(&d[4]);
  if (c.block_length == 0) return bad("block length 0");
  return c;
}

hal::Result<Capacity> parse_read_capacity16(std::span<const std::uint8_t> d) {
  if (d.size() < 12) return bad("READ CAPACITY(16) data shorter than 12 bytes");
  Capacity c;
  c.last_lba = get64(&d[0]);
  c.block_length = get32(&d[8]);
  if (c.block_length == 0) return bad("block length 0");
  return c;
}

Sense parse_sense(std::span<const std::uint8_t> d) {
  Sense s;
  if (d.empty()) return s;
  s.response_code = d[0] & 0x7F;
  if ((s.response_code == 0x70 || s.response_code == 0x71) && d.size() >= 14) {
    s.key = d[2] & 0x0F;
    // The additional sense code sits past the additional sense length (byte 7).
    if (d[7] >= 6) {
      s.asc = d[12];
      s.ascq = d[13];
    }
    s.valid = true;
  } else if ((s.response_code == 0x72 || s.response_code == 0x73) && d.size() >= 4) {
    s.key = d[1] & 0x0F;
    s.asc = d[2];
    s.ascq = d[3];
    s.valid = true;
  }
  return s;
}

std::string to_string(const Sense& s) {
  char b[64];
  std::snprintf(b, sizeof b, "sense key %x ASC %02x ASCQ %02x", s.key, s.asc, s.ascq);
  return b;
}

int errno_of(const Sense& s) {
  switch (s.key) {
    case kIllegalRequest: return hal::errc::inval;
    case kDataProtect: return kErofs;
    case kNotReady: return s.asc == kAscMediumNotPresent ? hal::errc::nodev : hal::errc::io;
    default: return hal::errc::io;
  }
}

}  // namespace usbscsid::scsi
