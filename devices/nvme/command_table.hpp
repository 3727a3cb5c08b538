// Commands between fetch and completion. Slots are reused (their vectors
// keep their capacity, so the steady state allocates nothing); a slot's
// generation changes on release, so an action scheduled for an old command
// finds a different generation and is ignored.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/nvme/nvme_spec.hpp"
#include "devices/nvme/prp.hpp"

namespace nvme {

class Namespace;

struct DsmRange {
  std::uint64_t slba;
  std::uint32_t nlb;
};

struct Command {
  Sqe sqe{};
  std::uint16_t sqid = 0;
  std::uint32_t gen = 0;
  bool active = false;
  Status status;             // an error found when the command was planned
  std::uint32_t dw0 = 0;     // completion DW0
  Namespace* ns = nullptr;
  std::vector<Segment> segs;  // the data buffer, from the PRPs
  std::vector<DsmRange> ranges;
};

class CommandTable {
 public:
  std::uint32_t alloc() {
    std::uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = static_cast<std::uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    Command& c = slots_[i];
    c.active = true;
    c.status = kSuccess;
    c.dw0 = 0;
    c.ns = nullptr;
    ++active_;
    return i;
  }
  void release(std::uint32_t i) {
    Command& c = slots_[i];
    if (!c.active) return;
    c.active = false;
    ++c.gen;
    free_.push_back(i);
    --active_;
  }
  Command& at(std::uint32_t i) { return slots_[i]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(slots_.size()); }
  std::uint32_t active() const { return active_; }
  /// Releases every slot (controller reset).
  void clear() {
    for (std::uint32_t i = 0; i < slots_.size(); ++i) release(i);
  }

 private:
  std::vector<Command> slots_;
  std::vector<std::uint32_t> free_;
  std::uint32_t active_ = 0;
};

}  // namespace nvme
