#include "devices/nvme/namespace.hpp"

#include <bit>
#include <stdexcept>

namespace nvme {

namespace {
std::unique_ptr<BlockStore> make_store(const NamespaceParams& p, std::uint64_t blocks) {
  if ((p.lba_bytes != 512 && p.lba_bytes != 4096) || blocks == 0)
    throw std::invalid_argument("nvme: namespace needs lba_bytes 512 or 4096 and at least one block");
  const std::uint64_t bytes = blocks * p.lba_bytes;
  return p.image.empty() ? make_memory_store(bytes) : make_file_store(p.image, bytes);
}
}  // namespace

Namespace::Namespace(const NamespaceParams& p, std::uint32_t nsid, std::uint64_t dirty_limit)
    : nsid_(nsid),
      lba_bytes_(p.lba_bytes),
      lbads_(static_cast<std::uint8_t>(std::countr_zero(p.lba_bytes))),
      blocks_(p.lba_bytes ? p.size_bytes / p.lba_bytes : 0),
      store_(make_store(p, blocks_)),
      cache_(*store_, dirty_limit) {}

bool Namespace::read(std::uint64_t slba, std::uint64_t nlb, std::uint8_t* dst) {
  return cache_.read(slba * lba_bytes_, nlb * lba_bytes_, dst);
}

bool Namespace::write(std::uint64_t slba, std::uint64_t nlb, const std::uint8_t* src, bool durable) {
  const std::uint64_t off = slba * lba_bytes_, len = nlb * lba_bytes_;
  if (store_->transient()) return store_->write(off, len, src);
  if (!cache_.write(off, len, src)) return false;
  return !durable || cache_.flush_range(off, len);
}

bool Namespace::write_zeroes(std::uint64_t slba, std::uint64_t nlb, bool durable) {
  const std::uint64_t off = slba * lba_bytes_, len = nlb * lba_bytes_;
  if (store_->transient()) return store_->deallocate(off, len);
  if (!cache_.write_zeroes(off, len)) return false;
  return !durable || cache_.flush_range(off, len);
}

bool Namespace::deallocate(std::uint64_t slba, std::uint64_t nlb) {
  return cache_.deallocate(slba * lba_bytes_, nlb * lba_bytes_);
}

}  // namespace nvme
