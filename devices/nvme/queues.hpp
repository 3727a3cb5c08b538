// Submission and completion queues as the controller sees them (§4.1):
// ring buffers in host memory with a head and a tail index. The controller
// owns the SQ head and the CQ tail (and the CQ Phase Tag, which inverts on
// every wrap, §4.6); the host owns the SQ tail and the CQ head (doorbells).
#pragma once

#include <cstdint>
#include <deque>

#include "devices/nvme/nvme_spec.hpp"

namespace nvme {

struct SubmissionQueue {
  std::uint16_t qid = 0;
  std::uint64_t base = 0;
  std::uint32_t size = 0;  // entries (1's based)
  std::uint32_t head = 0;  // next entry the controller fetches
  std::uint32_t tail = 0;  // from the SQ Tail Doorbell
  std::uint16_t cqid = 0;

  std::uint32_t pending() const { return (tail + size - head) % size; }
};

/// A completion that could not be posted yet because its CQ was full: the
/// controller holds it until the host frees an entry (§4.1: a full CQ is
/// never overwritten).
struct HeldCompletion {
  std::uint32_t dw0;
  std::uint16_t sqid;
  std::uint16_t cid;
  Status status;
};

struct CompletionQueue {
  std::uint16_t qid = 0;
  std::uint64_t base = 0;
  std::uint32_t size = 0;
  std::uint32_t head = 0;  // from the CQ Head Doorbell
  std::uint32_t tail = 0;  // next entry the controller posts
  bool phase = true;       // Phase Tag of the next entry; starts at 1
  bool ien = true;         // Interrupts Enabled
  std::uint16_t iv = 0;    // Interrupt Vector
  unsigned sq_count = 0;   // SQs that complete into this CQ
  std::deque<HeldCompletion> held;

  bool full() const { return (tail + 1) % size == head; }
  std::uint32_t unconsumed() const { return (tail + size - head) % size; }
};

}  // namespace nvme
