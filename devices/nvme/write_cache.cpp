#include "devices/nvme/write_cache.hpp"

#include <algorithm>
#include <cstring>

namespace nvme {
namespace {
template <class F>
bool for_chunks(std::uint64_t off, std::uint64_t len, F&& f) {
  constexpr std::uint64_t C = WriteCache::kChunk;
  for (std::uint64_t done = 0; done < len;) {
    const std::uint64_t pos = off + done, in = pos % C, n = std::min(C - in, len - done);
    if (!f(pos / C, in, n, done)) return false;
    done += n;
  }
  return true;
}
}  // namespace

WriteCache::Chunk* WriteCache::get(std::uint64_t idx, bool fill, bool* ok) {
  auto [it, fresh] = dirty_.try_emplace(idx);
  if (fresh || !it->second.data) {
    auto buf = std::make_unique<std::uint8_t[]>(kChunk);  // value-initialised: zeros
    if (fresh && fill && !store_.read(idx * kChunk, std::min(kChunk, store_.size() - idx * kChunk), buf.get()))
      *ok = false;
    it->second.data = std::move(buf);
  }
  return &it->second;
}

bool WriteCache::read(std::uint64_t off, std::uint64_t len, std::uint8_t* dst) {
  if (dirty_.empty()) return store_.read(off, len, dst);
  if (!store_.read(off, len, dst)) return false;
  // Overlay the dirty chunks in range.
  auto it = dirty_.lower_bound(off / kChunk);
  for (; it != dirty_.end() && it->first * kChunk < off + len; ++it) {
    const std::uint64_t cstart = it->first * kChunk;
    const std::uint64_t from = std::max(cstart, off), to = std::min(cstart + kChunk, off + len);
    if (it->second.data)
      std::memcpy(dst + (from - off), it->second.data.get() + (from - cstart), to - from);
    else
      std::memset(dst + (from - off), 0, to - from);
  }
  return true;
}

bool WriteCache::write(std::uint64_t off, std::uint64_t len, const std::uint8_t* src) {
  bool ok = true;
  for_chunks(off, len, [&](std::uint64_t idx, std::uint64_t in, std::uint64_t n, std::uint64_t done) {
    Chunk* c = get(idx, n != kChunk, &ok);
    std::memcpy(c->data.get() + in, src + done, n);
    return true;
  });
  return ok && maybe_destage_all();
}

bool WriteCache::write_zeroes(std::uint64_t off, std::uint64_t len) {
  bool ok = true;
  for_chunks(off, len, [&](std::uint64_t idx, std::uint64_t in, std::uint64_t n, std::uint64_t) {
    if (n == kChunk) {
      dirty_[idx].data.reset();  // a whole chunk of zeros holds no data
    } else {
      Chunk* c = get(idx, true, &ok);
      std::memset(c->data.get() + in, 0, n);
    }
    return true;
  });
  return ok && maybe_destage_all();
}

bool WriteCache::deallocate(std::uint64_t off, std::uint64_t len) {
  // Partial chunks keep their other bytes dirty, with the covered part zeroed.
  auto it = dirty_.lower_bound(off / kChunk);
  while (it != dirty_.end() && it->first * kChunk < off + len) {
    const std::uint64_t cstart = it->first * kChunk;
    if (cstart >= off && cstart + kChunk <= off + len) {
      it = dirty_.erase(it);
      continue;
    }
    if (it->second.data) {
      const std::uint64_t from = std::max(cstart, off), to = std::min(cstart + kChunk, off + len);
      std::memset(it->second.data.get() + (from - cstart), 0, to - from);
    }
    ++it;
  }
  return store_.deallocate(off, len);
}

bool WriteCache::destage(std::map<std::uint64_t, Chunk>::iterator it) {
  const std::uint64_t off = it->first * kChunk, n = std::min(kChunk, store_.size() - off);
  return it->second.data ? store_.write(off, n, it->second.data.get()) : store_.deallocate(off, n);
}

bool WriteCache::flush_range(std::uint64_t off, std::uint64_t len) {
  bool ok = true;
  auto it = dirty_.lower_bound(off / kChunk);
  while (it != dirty_.end() && it->first * kChunk < off + len) {
    ok = destage(it) && ok;
    it = dirty_.erase(it);
  }
  return ok;
}

bool WriteCache::flush() {
  bool ok = true;
  for (auto it = dirty_.begin(); it != dirty_.end(); ++it) ok = destage(it) && ok;
  dirty_.clear();
  return store_.sync() && ok;
}

bool WriteCache::maybe_destage_all() {
  if (dirty_bytes() <= limit_) return true;
  bool ok = true;
  for (auto it = dirty_.begin(); it != dirty_.end(); ++it) ok = destage(it) && ok;
  dirty_.clear();
  return ok;
}

}  // namespace nvme
