// A SCSI direct-access device behind BOT: its logical units (INQUIRY, TEST
// UNIT READY, READ CAPACITY (10) falling back to (16)), block reads and
// writes with READ/WRITE (10) or (16), SYNCHRONIZE CACHE, and byte-granular
// reads and writes on top (unaligned heads and tails go through the data
// buffer: read-modify-write for writes). A command that ends in CHECK
// CONDITION is followed by REQUEST SENSE; UNIT ATTENTION is retried, a
// failed transport (after its reset recovery) is retried twice.
#pragma once

#include <cstdint>
#include <vector>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/usbscsid/scsi.hpp"
#include "drivers/usbscsid/transport.hpp"

namespace usbscsid {

struct Lun {
  std::uint8_t number = 0;
  bool present = false;
  scsi::InquiryData inquiry;
  scsi::Capacity capacity;
  std::uint64_t bytes() const { return capacity.blocks() * capacity.block_length; }
};

/// Where the device's buffers live in the ring pool.
struct Buffers {
  std::uint64_t small_offset = 0;  // 256 bytes: INQUIRY, capacity, sense
  std::uint64_t data_offset = 0;   // the data buffer (block aligned)
  std::uint32_t data_size = 0;     // the largest transfer per command
};

struct DiskStats {
  std::uint64_t reads = 0, writes = 0, syncs = 0;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t read_modify_writes = 0;
  std::uint64_t check_conditions = 0;
  std::uint64_t retries = 0;
};

class ScsiDisk {
 public:
  static constexpr unsigned kAttempts = 3;

  ScsiDisk(hal::Sys& sys, BotTransport& bot, std::uint8_t* pool, Buffers buffers);

  /// Probes LUNs 0..max_lun; LUNs that are not direct-access disks or do not
  /// become ready are left out. EIO if none is usable.
  hal::Task<hal::Result<void>> init(std::uint8_t max_lun);
  const std::vector<Lun>& luns() const { return luns_; }
  const Lun* lun(unsigned number) const;

  /// Reads `dst.size` bytes at byte `offset` (short at the end of the medium,
  /// 0 past it). Returns the bytes read.
  hal::Task<hal::Result<std::uint64_t>> read(const Lun& lun, std::uint64_t offset, const hal::DmaBuffer& dst);
  /// Writes; short at the end of the medium, ENOSPC past it.
  hal::Task<hal::Result<std::uint64_t>> write(const Lun& lun, std::uint64_t offset, const hal::DmaBuffer& src);
  /// SYNCHRONIZE CACHE(10) of the whole medium (a device without it: done).
  hal::Task<hal::Result<void>> sync(const Lun& lun);

  const DiskStats& stats() const { return stats_; }

 private:
  struct Outcome {
    bool good = false;
    scsi::Sense sense;
    std::uint32_t data_bytes = 0;
    std::uint32_t residue = 0;
  };
  hal::Task<hal::Result<Outcome>> command(std::uint8_t lun, const scsi::Cdb& cdb, bot::Direction dir,
                                          std::uint64_t offset, std::uint32_t length);
  hal::Task<hal::Result<scsi::Sense>> request_sense(std::uint8_t lun);
  hal::Task<hal::Result<void>> blocks(const Lun& lun, bool write, std::uint64_t lba, std::uint32_t count,
                                      std::uint64_t pool_offset);
  hal::Task<hal::Result<Lun>> probe(std::uint8_t number);

  hal::Sys& sys_;
  BotTransport& bot_;
  std::uint8_t* pool_;
  Buffers buf_;
  std::vector<Lun> luns_;
  DiskStats stats_;
};

}  // namespace usbscsid
