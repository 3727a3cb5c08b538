// One NVM namespace: its LBA format (512 B or 4 KiB), its capacity, and its
// data - a block store behind the volatile write cache. A transient (memory)
// store takes writes directly: nothing could observe the cache there.
#pragma once

#include <cstdint>
#include <memory>

#include "devices/nvme/block_store.hpp"
#include "devices/nvme/params.hpp"
#include "devices/nvme/write_cache.hpp"

namespace nvme {

class Namespace {
 public:
  /// Throws std::invalid_argument for a bad LBA size or an empty namespace,
  /// std::runtime_error if the image cannot be opened.
  Namespace(const NamespaceParams& p, std::uint32_t nsid, std::uint64_t dirty_limit);

  std::uint32_t nsid() const { return nsid_; }
  std::uint32_t lba_bytes() const { return lba_bytes_; }
  std::uint8_t lbads() const { return lbads_; }  // log2(lba_bytes), Identify LBAF.LBADS
  std::uint64_t blocks() const { return blocks_; }
  bool in_range(std::uint64_t slba, std::uint64_t nlb) const { return slba < blocks_ && nlb <= blocks_ - slba; }

  /// Data access in whole blocks. `durable`: the data must reach the store
  /// before returning (FUA, or the volatile write cache is off).
  bool read(std::uint64_t slba, std::uint64_t nlb, std::uint8_t* dst);
  bool write(std::uint64_t slba, std::uint64_t nlb, const std::uint8_t* src, bool durable);
  bool write_zeroes(std::uint64_t slba, std::uint64_t nlb, bool durable);
  bool deallocate(std::uint64_t slba, std::uint64_t nlb);
  /// Flush: dirty data to the store, then sync.
  bool flush() { return cache_.flush(); }

  std::uint64_t dirty_bytes() const { return cache_.dirty_bytes(); }
  BlockStore& store() { return *store_; }

 private:
  std::uint32_t nsid_;
  std::uint32_t lba_bytes_;
  std::uint8_t lbads_;
  std::uint64_t blocks_;
  std::unique_ptr<BlockStore> store_;
  WriteCache cache_;
};

}  // namespace nvme
