#include "drivers/nvmed/range_lock.hpp"

namespace nvmed {

BlockRangeLock::Guard& BlockRangeLock::Guard::operator=(Guard&& o) noexcept {
  if (this != &o) {
    release();
    lock_ = o.lock_;
    it_ = o.it_;
    o.lock_ = nullptr;
  }
  return *this;
}

void BlockRangeLock::Guard::release() {
  if (!lock_) return;
  lock_->held_.erase(it_);
  lock_->released_.wake_all();
  lock_ = nullptr;
}

bool BlockRangeLock::conflicts(std::uint64_t first, std::uint64_t last, bool exclusive) const {
  for (const Range& r : held_)
    if (r.first <= last && first <= r.last && (exclusive || r.exclusive)) return true;
  return false;
}

hal::Task<BlockRangeLock::Guard> BlockRangeLock::lock(std::uint64_t first, std::uint64_t last, bool exclusive) {
  while (conflicts(first, last, exclusive)) co_await released_.wait();
  held_.push_back(Range{first, last, exclusive});
  co_return Guard(this, std::prev(held_.end()));
}

}  // namespace nvmed
