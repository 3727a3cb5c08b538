#include "devices/nvme/async_events.hpp"

#include <algorithm>

namespace nvme {

bool AsyncEvents::add_request(std::uint16_t cid) {
  if (cids_.size() >= limit_) return false;
  cids_.push_back(cid);
  return true;
}

std::optional<std::uint16_t> AsyncEvents::report(std::uint8_t type) {
  if (cids_.empty() || masked(type)) return std::nullopt;
  const std::uint16_t cid = cids_.front();
  cids_.pop_front();
  masked_ |= static_cast<std::uint8_t>(1u << type);
  return cid;
}

bool AsyncEvents::remove(std::uint16_t cid) {
  const auto it = std::find(cids_.begin(), cids_.end(), cid);
  if (it == cids_.end()) return false;
  cids_.erase(it);
  return true;
}

void AsyncEvents::reset() {
  cids_.clear();
  masked_ = 0;
}

}  // namespace nvme
