// Block-range locking for writes. A read-modify-write (an unaligned write
// through a bounce buffer) reads whole blocks, patches part of them and
// writes them back: a write that lands on those blocks in between would be
// undone. So a read-modify-write holds its blocks exclusively, and every
// other write holds its blocks shared: writes never wait for each other
// unless one of them is a read-modify-write on the same blocks. Reads take
// no lock (as on a disk, a read racing a write sees either).
#pragma once

#include <cstdint>
#include <iterator>
#include <list>

#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/task.hpp"

namespace nvmed {

class BlockRangeLock {
 public:
  struct Range {
    std::uint64_t first = 0, last = 0;  // inclusive
    bool exclusive = false;
  };

  /// Releases its range on destruction.
  class Guard {
   public:
    Guard() = default;
    Guard(BlockRangeLock* lock, std::list<Range>::iterator it) : lock_(lock), it_(it) {}
    Guard(Guard&& o) noexcept : lock_(o.lock_), it_(o.it_) { o.lock_ = nullptr; }
    Guard& operator=(Guard&& o) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { release(); }
    void release();

   private:
    BlockRangeLock* lock_ = nullptr;
    std::list<Range>::iterator it_;
  };

  hal::Task<Guard> lock(std::uint64_t first, std::uint64_t last, bool exclusive);
  /// Whether lock() would wait.
  bool conflicts(std::uint64_t first, std::uint64_t last, bool exclusive) const;
  std::size_t held() const { return held_.size(); }

 private:
  std::list<Range> held_;
  hal::WaitList released_;
};

}  // namespace nvmed
