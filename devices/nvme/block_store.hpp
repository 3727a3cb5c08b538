// Where a namespace's blocks live: a sparse in-memory store (untouched data
// costs nothing) or a sparse image file accessed with pread/pwrite. Byte
// addressed; the namespace converts LBAs. Failures return false and the
// command completes with a media error; they never throw after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace nvme {

class BlockStore {
 public:
  virtual ~BlockStore() = default;
  virtual std::uint64_t size() const = 0;
  /// Never-written and deallocated bytes read as zero.
  virtual bool read(std::uint64_t off, std::uint64_t len, std::uint8_t* dst) = 0;
  virtual bool write(std::uint64_t off, std::uint64_t len, const std::uint8_t* src) = 0;
  /// After this the range reads as zeros and (where possible) costs no space.
  virtual bool deallocate(std::uint64_t off, std::uint64_t len) = 0;
  /// Makes written data durable (fdatasync for a file).
  virtual bool sync() { return true; }
  /// True when nothing outlives the simulation (the memory store): a
  /// volatile write cache in front of it could not be observed, so the
  /// namespace writes straight through and saves a copy.
  virtual bool transient() const { return false; }
  /// Host bytes holding data (memory store) - for the sparseness test.
  virtual std::uint64_t allocated_bytes() const = 0;
};

std::unique_ptr<BlockStore> make_memory_store(std::uint64_t size);
/// Opens (or creates, sparse) `path` and makes it at least `size` bytes long.
/// Throws std::runtime_error naming the path if that fails: a bad image is a
/// scenario error, not a guest error.
std::unique_ptr<BlockStore> make_file_store(const std::string& path, std::uint64_t size);

}  // namespace nvme
