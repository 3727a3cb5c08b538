#include "drivers/usbscsid/disk.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

namespace usbscsid {

ScsiDisk::ScsiDisk(hal::Sys& sys, BotTransport& bot, std::uint8_t* pool, Buffers buffers)
    : sys_(sys), bot_(bot), pool_(pool), buf_(buffers) {}

const Lun* ScsiDisk::lun(unsigned number) const {
  for (const Lun& l : luns_)
    if (l.number == number && l.present) return &l;
  return nullptr;
}

hal::Task<hal::Result<scsi::Sense>> ScsiDisk::request_sense(std::uint8_t lun) {
  std::memset(pool_ + buf_.small_offset, 0, scsi::kFixedSenseLength);
  const hal::Result<BotResult> r = co_await bot_.execute(lun, scsi::request_sense(scsi::kFixedSenseLength),
                                                         bot::Direction::in, buf_.small_offset,
                                                         scsi::kFixedSenseLength);
  if (!r) co_return r.error().with_context("REQUEST SENSE");
  if (r->status != bot::kCswCommandPassed) co_return hal::Error(hal::errc::io, "REQUEST SENSE failed");
  co_return scsi::parse_sense(std::span<const std::uint8_t>(pool_ + buf_.small_offset, r->data_bytes));
}

hal::Task<hal::Result<ScsiDisk::Outcome>> ScsiDisk::command(std::uint8_t lun, const scsi::Cdb& cdb, bot::Direction dir,
                                                           std::uint64_t offset, std::uint32_t length) {
  hal::Error last(hal::errc::io, "no attempt");
  for (unsigned attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) ++stats_.retries;
    const hal::Result<BotResult> r = co_await bot_.execute(lun, cdb, dir, offset, length);
    if (!r) {
      if (device_gone(r.error().code())) co_return r.error();
      last = r.error();
      continue;  // the transport recovered: try the command again
    }
    Outcome o;
    o.data_bytes = r->data_bytes;
    o.residue = r->residue;
    if (r->status == bot::kCswCommandPassed) {
      o.good = true;
      co_return o;
    }
    ++stats_.check_conditions;
    const hal::Result<scsi::Sense> sense = co_await request_sense(lun);
    if (!sense) {
      if (device_gone(sense.error().code())) co_return sense.error();
      last = sense.error();
      continue;
    }
    o.sense = *sense;
    sys_.log(hal::LogLevel::info, "usbscsid.check_condition",
             "opcode " + std::to_string(cdb.opcode()) + ": " + scsi::to_string(o.sense));
    if (o.sense.key == scsi::kUnitAttention || o.sense.key == scsi::kAbortedCommand) continue;
    co_return o;
  }
  co_return last;
}

hal::Task<hal::Result<Lun>> ScsiDisk::probe(std::uint8_t number) {
  Lun l;
  l.number = number;
  std::memset(pool_ + buf_.small_offset, 0, 64);
  hal::Result<Outcome> o = co_await command(number, scsi::inquiry(scsi::kStandardInquiryLength), bot::Direction::in,
                                            buf_.small_offset, scsi::kStandardInquiryLength);
  if (!o) co_return o.error().with_context("INQUIRY");
  if (!o->good) co_return hal::Error(scsi::errno_of(o->sense), "INQUIRY: " + scsi::to_string(o->sense));
  const hal::Result<scsi::InquiryData> q =
      scsi::parse_inquiry(std::span<const std::uint8_t>(pool_ + buf_.small_offset, o->data_bytes));
  if (!q) co_return q.error();
  l.inquiry = *q;
  if (q->peripheral_qualifier != 0 || q->peripheral_device_type != scsi::kPeripheralDirectAccess)
    co_return hal::Error(hal::errc::nodev, "not a direct-access block device");

  // TEST UNIT READY until it passes. UNIT ATTENTION (a power-on or reset is
  // being reported, SAM-5 §5.14) is retried at once; NOT READY (becoming
  // ready) after a pause.
  bool ready = false;
  for (unsigned i = 0; i < 5 && !ready; ++i) {
    o = co_await command(number, scsi::test_unit_ready(), bot::Direction::none, 0, 0);
    if (!o) co_return o.error().with_context("TEST UNIT READY");
    ready = o->good;
    if (!ready && o->sense.key != scsi::kNotReady && o->sense.key != scsi::kUnitAttention)
      co_return hal::Error(scsi::errno_of(o->sense), "TEST UNIT READY: " + scsi::to_string(o->sense));
    if (!ready && o->sense.key == scsi::kNotReady) co_await sys_.sleep_ns(10'000'000);
  }
  if (!ready) co_return hal::Error(hal::errc::io, "the unit does not become ready");

  o = co_await command(number, scsi::read_capacity10(), bot::Direction::in, buf_.small_offset, 8);
  if (!o) co_return o.error().with_context("READ CAPACITY(10)");
  if (!o->good) co_return hal::Error(scsi::errno_of(o->sense), "READ CAPACITY(10): " + scsi::to_string(o->sense));
  hal::Result<scsi::Capacity> cap =
      scsi::parse_read_capacity10(std::span<const std::uint8_t>(pool_ + buf_.small_offset, o->data_bytes));
  if (!cap) co_return cap.error();
  if (cap->last_lba == 0xFFFF'FFFFULL) {  // SBC-3 §5.16.2: too big for (10)
    o = co_await command(number, scsi::read_capacity16(32), bot::Direction::in, buf_.small_offset, 32);
    if (!o) co_return o.error().with_context("READ CAPACITY(16)");
    if (!o->good) co_return hal::Error(scsi::errno_of(o->sense), "READ CAPACITY(16): " + scsi::to_string(o->sense));
    cap = scsi::parse_read_capacity16(std::span<const std::uint8_t>(pool_ + buf_.small_offset, o->data_bytes));
    if (!cap) co_return cap.error();
  }
  if (cap->block_length > buf_.data_size || (buf_.data_size % cap->block_length) != 0)
    co_return hal::Error(hal::errc::inval, "block length " + std::to_string(cap->block_length) + " not supported");
  l.capacity = *cap;
  l.present = true;
  co_return l;
}

hal::Task<hal::Result<void>> ScsiDisk::init(std::uint8_t max_lun) {
  luns_.clear();
  for (unsigned n = 0; n <= max_lun; ++n) {
    hal::Result<Lun> l = co_await probe(static_cast<std::uint8_t>(n));
    if (!l) {
      if (device_gone(l.error().code())) co_return l.error();
      sys_.log(hal::LogLevel::warn, "usbscsid.lun_skipped", "LUN " + std::to_string(n) + ": " + l.error().message());
      continue;
    }
    luns_.push_back(*l);
  }
  if (luns_.empty()) co_return hal::Error(hal::errc::io, "no usable logical unit");
  co_return hal::ok();
}

hal::Task<hal::Result<void>> ScsiDisk::blocks(const Lun& lun, bool write, std::uint64_t lba, std::uint32_t count,
                                              std::uint64_t pool_offset) {
  const std::uint32_t length = count * lun.capacity.block_length;
  const scsi::Cdb cdb = write ? scsi::write(lba, count) : scsi::read(lba, count);
  const hal::Result<Outcome> o =
      co_await command(lun.number, cdb, write ? bot::Direction::out : bot::Direction::in, pool_offset, length);
  if (!o) co_return o.error();
  if (!o->good)
    co_return hal::Error(scsi::errno_of(o->sense), std::string(write ? "WRITE" : "READ") + ": " +
                                                        scsi::to_string(o->sense));
  if (o->residue != 0 || o->data_bytes != length)
    co_return hal::Error(hal::errc::io, std::string(write ? "WRITE" : "READ") + ": short transfer");
  co_return hal::ok();
}

hal::Task<hal::Result<std::uint64_t>> ScsiDisk::read(const Lun& lun, std::uint64_t offset, const hal::DmaBuffer& dst) {
  const std::uint64_t size = lun.bytes();
  if (offset >= size || dst.size == 0) co_return std::uint64_t{0};
  const std::uint64_t len = std::min<std::uint64_t>(dst.size, size - offset);
  const std::uint32_t bs = lun.capacity.block_length;
  const std::uint32_t max_blocks = buf_.data_size / bs;
  std::uint64_t done = 0;
  while (done < len) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t lba = pos / bs;
    const std::uint32_t skip = static_cast<std::uint32_t>(pos % bs);
    const std::uint64_t want = len - done;
    const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(max_blocks, (skip + want + bs - 1) / bs));
    const hal::Result<void> r = co_await blocks(lun, false, lba, count, buf_.data_offset);
    if (!r) co_return r.error();
    const std::uint64_t n = std::min<std::uint64_t>(want, std::uint64_t{count} * bs - skip);
    std::memcpy(dst.data + done, pool_ + buf_.data_offset + skip, n);
    done += n;
  }
  ++stats_.reads;
  stats_.bytes_read += len;
  co_return len;
}

hal::Task<hal::Result<std::uint64_t>> ScsiDisk::write(const Lun& lun, std::uint64_t offset, const hal::DmaBuffer& src) {
  const std::uint64_t size = lun.bytes();
  if (src.size == 0) co_return std::uint64_t{0};
  if (offset >= size) co_return hal::Error(hal::errc::nospc, "write past the end of the medium");
  const std::uint64_t len = std::min<std::uint64_t>(src.size, size - offset);
  const std::uint32_t bs = lun.capacity.block_length;
  const std::uint32_t max_blocks = buf_.data_size / bs;
  std::uint64_t done = 0;
  while (done < len) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t lba = pos / bs;
    const std::uint32_t skip = static_cast<std::uint32_t>(pos % bs);
    const std::uint64_t want = len - done;
    const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(max_blocks, (skip + want + bs - 1) / bs));
    const std::uint64_t n = std::min<std::uint64_t>(want, std::uint64_t{count} * bs - skip);
    const bool partial_head = skip != 0;
    const bool partial_tail = (skip + n) % bs != 0;
    // Read-modify-write of the blocks the write only partly covers.
    if (partial_head) {
      const hal::Result<void> r = co_await blocks(lun, false, lba, 1, buf_.data_offset);
      if (!r) co_return r.error();
    }
    if (partial_tail && (count > 1 || !partial_head)) {
      const hal::Result<void> r =
          co_await blocks(lun, false, lba + count - 1, 1, buf_.data_offset + std::uint64_t{count - 1} * bs);
      if (!r) co_return r.error();
    }
    if (partial_head || partial_tail) ++stats_.read_modify_writes;
    std::memcpy(pool_ + buf_.data_offset + skip, src.data + done, n);
    const hal::Result<void> r = co_await blocks(lun, true, lba, count, buf_.data_offset);
    if (!r) co_return r.error();
    done += n;
  }
  ++stats_.writes;
  stats_.bytes_written += len;
  co_return len;
}

hal::Task<hal::Result<void>> ScsiDisk::sync(const Lun& lun) {
  ++stats_.syncs;
  const hal::Result<Outcome> o =
      co_await command(lun.number, scsi::synchronize_cache10(), bot::Direction::none, 0, 0);
  if (!o) co_return o.error().with_context("SYNCHRONIZE CACHE");
  if (!o->good && !(o->sense.key == scsi::kIllegalRequest && o->sense.asc == scsi::kAscInvalidCommandOperationCode))
    co_return hal::Error(scsi::errno_of(o->sense), "SYNCHRONIZE CACHE: " + scsi::to_string(o->sense));
  co_return hal::ok();
}

}  // namespace usbscsid
