// Sparse in-memory block store: 4 KiB chunks allocated on first write.
#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "devices/nvme/block_store.hpp"

namespace nvme {
namespace {

constexpr std::uint64_t kChunk = 4096;

class MemoryStore final : public BlockStore {
 public:
  explicit MemoryStore(std::uint64_t size) : size_(size) {}
  std::uint64_t size() const override { return size_; }
  std::uint64_t allocated_bytes() const override { return chunks_.size() * kChunk; }
  bool transient() const override { return true; }

  bool read(std::uint64_t off, std::uint64_t len, std::uint8_t* dst) override {
    if (!inside(off, len)) return false;
    for_chunks(off, len, [&](std::uint64_t idx, std::uint64_t in, std::uint64_t n, std::uint64_t done) {
      const auto it = chunks_.find(idx);
      if (it == chunks_.end())
        std::memset(dst + done, 0, n);
      else
        std::memcpy(dst + done, it->second->data() + in, n);
    });
    return true;
  }

  bool write(std::uint64_t off, std::uint64_t len, const std::uint8_t* src) override {
    if (!inside(off, len)) return false;
    for_chunks(off, len, [&](std::uint64_t idx, std::uint64_t in, std::uint64_t n, std::uint64_t done) {
      auto& c = chunks_[idx];
      if (!c) c = std::make_unique<Chunk>(Chunk{});
      std::memcpy(c->data() + in, src + done, n);
    });
    return true;
  }

  bool deallocate(std::uint64_t off, std::uint64_t len) override {
    if (!inside(off, len)) return false;
    for_chunks(off, len, [&](std::uint64_t idx, std::uint64_t in, std::uint64_t n, std::uint64_t) {
      const auto it = chunks_.find(idx);
      if (it == chunks_.end()) return;
      if (n == kChunk)
        chunks_.erase(it);
      else
        std::memset(it->second->data() + in, 0, n);
    });
    return true;
  }

 private:
  using Chunk = std::array<std::uint8_t, kChunk>;
  bool inside(std::uint64_t off, std::uint64_t len) const { return off <= size_ && len <= size_ - off; }
  template <class F>
  static void for_chunks(std::uint64_t off, std::uint64_t len, F&& f) {
    std::uint64_t done = 0;
    while (done < len) {
      const std::uint64_t pos = off + done, in = pos % kChunk, n = std::min(kChunk - in, len - done);
      f(pos / kChunk, in, n, done);
      done += n;
    }
  }

  std::uint64_t size_;
  std::map<std::uint64_t, std::unique_ptr<Chunk>> chunks_;
};

}  // namespace

std::unique_ptr<BlockStore> make_memory_store(std::uint64_t size) { return std::make_unique<MemoryStore>(size); }

}  // namespace nvme
