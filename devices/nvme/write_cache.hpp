// The volatile write cache (Identify VWC, Feature 06h) as data: written
// blocks stay here, dirty, until a Flush, a clean shutdown, a durable write
// (FUA or the cache turned off), or more than `dirty_limit` bytes pile up.
// Reads see the newest data. Kept in 4 KiB chunks; a chunk of zeros (Write
// Zeroes) holds no data. Dataset Management deallocation bypasses the cache
// (it may cover the whole namespace) and drops what it covers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "devices/nvme/block_store.hpp"

namespace nvme {

class WriteCache {
 public:
  WriteCache(BlockStore& store, std::uint64_t dirty_limit) : store_(store), limit_(dirty_limit) {}

  bool read(std::uint64_t off, std::uint64_t len, std::uint8_t* dst);
  bool write(std::uint64_t off, std::uint64_t len, const std::uint8_t* src);
  bool write_zeroes(std::uint64_t off, std::uint64_t len);
  bool deallocate(std::uint64_t off, std::uint64_t len);
  /// Writes every dirty chunk to the store and syncs it.
  bool flush();
  /// Writes the dirty chunks overlapping [off, off+len) to the store.
  bool flush_range(std::uint64_t off, std::uint64_t len);

  std::uint64_t dirty_bytes() const { return dirty_.size() * kChunk; }
  static constexpr std::uint64_t kChunk = 4096;

 private:
  struct Chunk {
    std::unique_ptr<std::uint8_t[]> data;  // null: all zeros
  };
  /// The cached chunk for `idx`, filled from the store if new and `fill`.
  Chunk* get(std::uint64_t idx, bool fill, bool* ok);
  bool destage(std::map<std::uint64_t, Chunk>::iterator it);
  bool maybe_destage_all();

  BlockStore& store_;
  std::uint64_t limit_;
  std::map<std::uint64_t, Chunk> dirty_;  // chunk index -> data; ordered, so flushes are sequential
};

}  // namespace nvme
