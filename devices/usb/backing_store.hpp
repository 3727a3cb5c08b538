// Where a storage device keeps its blocks: in memory (sparse: unwritten
// chunks read as zeros and cost nothing) or in a sparse image file.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

namespace usb {

class BackingStore {
 public:
  virtual ~BackingStore() = default;
  virtual std::uint64_t size() const = 0;
  /// False when the range is outside the store or the host I/O failed.
  virtual bool read(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
  virtual bool write(std::uint64_t offset, std::span<const std::uint8_t> in) = 0;
  virtual bool flush() { return true; }
  bool in_range(std::uint64_t offset, std::uint64_t len) const { return offset <= size() && len <= size() - offset; }
};

class MemoryStore final : public BackingStore {
 public:
  static constexpr std::size_t kChunk = 4096;
  explicit MemoryStore(std::uint64_t size) : size_(size) {}
  std::uint64_t size() const override { return size_; }
  bool read(std::uint64_t offset, std::span<std::uint8_t> out) override;
  bool write(std::uint64_t offset, std::span<const std::uint8_t> in) override;
  /// Chunks that hold written data (host memory used / kChunk).
  std::size_t chunks() const { return chunks_.size(); }

 private:
  std::uint64_t size_;
  std::map<std::uint64_t, std::unique_ptr<std::array<std::uint8_t, kChunk>>> chunks_;
};

class FileStore final : public BackingStore {
 public:
  /// Opens (creating if absent) `path` and sets its length to `size` when
  /// `size` is non-zero (sparse: ftruncate), else uses the file's length.
  /// Throws std::runtime_error if the file cannot be opened.
  FileStore(const std::string& path, std::uint64_t size);
  ~FileStore() override;
  std::uint64_t size() const override { return size_; }
  bool read(std::uint64_t offset, std::span<std::uint8_t> out) override;
  bool write(std::uint64_t offset, std::span<const std::uint8_t> in) override;
  bool flush() override;

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// A memory store when `path` is empty, else a file store.
std::unique_ptr<BackingStore> make_backing_store(const std::string& path, std::uint64_t size);

}  // namespace usb
