// One NVM namespace as nvmed serves it: its geometry (from Identify
// Namespace) and byte-addressed reads, writes and flushes on a queue pair,
// planned by io_plan.hpp: straight into the caller's buffer when aligned,
// through bounce buffers (read-modify-write for writes) when not.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/nvmed/dma_pool.hpp"
#include "drivers/nvmed/engine.hpp"
#include "drivers/nvmed/identify.hpp"
#include "drivers/nvmed/range_lock.hpp"

namespace nvmed {

struct NamespaceInfo {
  std::uint32_t nsid = 0;
  std::uint64_t blocks = 0;  // NSZE
  std::uint32_t lba_bytes = 0;
  std::uint64_t bytes() const { return blocks * lba_bytes; }
  static NamespaceInfo from(std::uint32_t nsid, const NamespaceIdentity& id) {
    return NamespaceInfo{nsid, id.nsze, id.lba_bytes()};
  }
};

/// "64 MiB", "1.5 GiB", "512 B".
std::string human_bytes(std::uint64_t bytes);

struct IoLimits {
  std::uint64_t page_bytes = 4096;          // CC.MPS
  std::uint64_t max_transfer_bytes = 0;     // per command (MDTS and nvmed's cap)
  std::uint64_t bounce_bytes = 128 * 1024;  // per bounce buffer piece
};

struct IoCounters {
  std::uint64_t direct = 0, bounced = 0, read_modify_writes = 0, commands = 0;
};

class Namespace {
 public:
  Namespace(Engine& engine, NamespaceInfo info, IoLimits limits, DmaPool& prp_pages, DmaPool& bounce);

  const NamespaceInfo& info() const { return info_; }
  std::uint64_t size_bytes() const { return info_.bytes(); }
  const IoLimits& limits() const { return limits_; }
  const IoCounters& counters() const { return counters_; }

  /// Reads [offset, offset + buf.size), clipped at the end of the namespace,
  /// into `buf` (phys for DMA, data for copies). The bytes read (0 at or
  /// beyond the end).
  hal::Task<hal::Result<std::uint64_t>> read(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf);
  /// Writes `buf` at `offset`, clipped at the end; ENOSPC at or beyond it.
  hal::Task<hal::Result<std::uint64_t>> write(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf);
  /// Flush (§6.8): the volatile write cache to media.
  hal::Task<hal::Result<void>> flush(QueuePair& q);

 private:
  /// One Read or Write command of whole blocks at physical `phys`.
  hal::Task<hal::Result<void>> transfer(QueuePair& q, std::uint8_t opcode, std::uint64_t slba, std::uint32_t nlb,
                                        std::uint64_t phys);
  hal::Task<hal::Result<void>> direct(QueuePair& q, std::uint8_t opcode, std::uint64_t offset, hal::DmaBuffer buf);
  hal::Task<hal::Result<void>> direct_pieces(QueuePair& q, std::uint8_t opcode, std::uint64_t offset,
                                             hal::DmaBuffer buf);
  hal::Task<hal::Result<void>> bounce_read(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf);
  hal::Task<hal::Result<void>> bounce_write(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf);
  std::uint64_t bounce_piece(std::uint64_t buffer_bytes) const;

  Engine& engine_;
  NamespaceInfo info_;
  IoLimits limits_;
  DmaPool& prp_pages_;
  DmaPool& bounce_;
  BlockRangeLock writes_;
  IoCounters counters_;
};

}  // namespace nvmed
