// An NVMe queue pair (NVMe Base 1.4 §4.1, §4.6, §7.2): a submission queue
// and the completion queue it completes into, both physically contiguous
// rings in DMA memory, with the tail/head doorbells in BAR0.
//
//  - Submission: the entry goes in the slot at the SQ tail, the tail moves
//    on (wrapping at the queue size) and the new tail is written to SQyTDBL.
//  - Completion: the controller writes CQEs with the Phase Tag it holds for
//    the current pass (1 on the first pass, inverted on each wrap, §4.6).
//    The host takes entries while their Phase Tag equals the phase it
//    expects, inverting its expectation when its head wraps, then writes the
//    new head to CQyHDBL so the controller may reuse the slots.
//  - Flow control: each command in flight holds a Command Identifier and, as
//    far as the host knows, an SQ slot. At most entries - 1 commands are in
//    flight (a full SQ has tail + 1 == head), so the SQ can never overflow:
//    "SQ full" is "no free CID", and submitters wait for room().
//
// The queue pair is bookkeeping only: it never waits and never decides what
// a completion means (the Engine does). Pure enough to unit-test with plain
// memory and a fake MMIO backend.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "drivers/hal/dma.hpp"
#include "drivers/hal/mmio.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/nvmed/command.hpp"

namespace nvmed {

/// How a submitted command ended, as its submitter sees it.
enum class Outcome : std::uint8_t {
  completed,  // the controller posted a CQE (status says how it went)
  reset,      // dropped by a controller reset before completing: resubmit
  timed_out,  // no answer in time while the controller was not online (bring-up, recovery)
  offline,    // the controller is gone (failed recovery): do not retry
};
const char* outcome_name(Outcome o);

struct CommandResult {
  Outcome outcome = Outcome::completed;
  Status status;
  std::uint32_t dw0 = 0;
  bool timed_out = false;  // the watchdog had given up waiting (and asked for an Abort)
};

/// A command in flight, by CID.
struct Pending {
  hal::Signal<CommandResult>* done = nullptr;  // nullptr: abandoned, a late CQE only frees the CID
  std::uint64_t submitted_ns = 0;
  std::uint64_t deadline_ns = 0;
  std::uint8_t opcode = 0;
  bool in_use = false;
  bool abort_sent = false;
  bool timed_out = false;
};

class QueuePair {
 public:
  /// `sq` holds `entries` × 64 bytes, `cq` `entries` × 16 bytes (zeroed,
  /// page aligned); `vector` is the interrupt vector (MSI-X entry) of the CQ.
  QueuePair(std::uint16_t qid, std::uint32_t entries, hal::DmaBuffer sq, hal::DmaBuffer cq, hal::Mmio regs,
            std::uint32_t dstrd, std::uint16_t vector);
  QueuePair(const QueuePair&) = delete;
  QueuePair& operator=(const QueuePair&) = delete;

  std::uint16_t qid() const { return qid_; }
  bool is_admin() const { return qid_ == 0; }
  std::uint32_t entries() const { return entries_; }
  std::uint16_t vector() const { return vector_; }
  const hal::DmaBuffer& sq_memory() const { return sq_; }
  const hal::DmaBuffer& cq_memory() const { return cq_; }

  /// The controller knows this queue (created and not reset since).
  bool live() const { return live_; }
  void set_live(bool on);

  std::uint32_t capacity() const { return entries_ - 1; }
  std::uint32_t in_flight() const { return in_flight_; }
  bool has_room() const { return live_ && in_flight_ < capacity(); }
  /// Woken whenever CIDs are freed or the queue comes back to life.
  hal::WaitList& room() { return room_; }

  /// Writes `sqe` (with a free CID) at the SQ tail and rings SQyTDBL.
  /// Precondition: has_room(). Returns the CID.
  std::uint16_t submit(SubmissionEntry sqe, const Pending& p);

  /// Takes every CQE with the expected Phase Tag, in order, calling
  /// `on_entry(entry)` for each, and writes CQyHDBL once if any was taken.
  /// Returns the number taken.
  template <class F>
  std::size_t drain(F&& on_entry) {
    std::size_t n = 0;
    for (;;) {
      const CompletionEntry e = peek();
      if (e.phase() != phase_) break;
      advance_head();
      sq_head_ = e.sqhd;
      ++n;
      on_entry(e);
    }
    if (n > 0) ring_cq_doorbell();
    return n;
  }

  /// The command in flight with `cid`, or nullptr.
  Pending* pending(std::uint16_t cid);
  /// Ends the command `cid`: frees its CID and returns what it was (nullopt
  /// for a CID not in flight: a stray completion).
  std::optional<Pending> take(std::uint16_t cid);
  /// Every command in flight, in CID order.
  std::vector<std::uint16_t> in_flight_cids() const;

  /// After a controller reset (the controller forgot the queue): returns
  /// every command in flight, frees all CIDs, zeroes both rings and starts
  /// over at tail 0, head 0, Phase Tag 1. The queue is not live.
  std::vector<Pending> clear();

  // Introspection.
  std::uint32_t sq_tail() const { return sq_tail_; }
  std::uint32_t cq_head() const { return cq_head_; }
  bool phase() const { return phase_; }
  std::uint16_t sq_head() const { return sq_head_; }  // last SQHD the controller reported
  std::uint64_t submitted() const { return submitted_; }
  std::uint64_t completed() const { return completed_; }

 private:
  CompletionEntry peek() const;
  void advance_head();
  void ring_cq_doorbell();

  std::uint16_t qid_;
  std::uint32_t entries_;
  hal::DmaBuffer sq_, cq_;
  hal::Mmio regs_;
  std::uint64_t sq_doorbell_, cq_doorbell_;
  std::uint16_t vector_;
  bool live_ = false;
  std::uint32_t sq_tail_ = 0, cq_head_ = 0;
  bool phase_ = true;
  std::uint16_t sq_head_ = 0;
  std::vector<Pending> slots_;       // by CID
  std::deque<std::uint16_t> free_;   // free CIDs, FIFO: a CID is reused as late as possible
  std::uint32_t in_flight_ = 0;
  std::uint64_t submitted_ = 0, completed_ = 0;
  hal::WaitList room_;
};

}  // namespace nvmed
