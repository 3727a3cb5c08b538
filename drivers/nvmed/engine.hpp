// The command engine: nvmed's executor design, after Redox's nvmed but
// interrupt driven with one queue pair per CPU.
//
//  - Submitters (scheme requests, bring-up) put a command in a queue pair
//    and await a Signal keyed by (queue, command id). A full SQ makes them
//    wait for room.
//  - Per interrupt vector, a task waits on the vector (hal::wait_irq), drains
//    every live CQ on it (Phase Tags), completes the waiting Signals by
//    (queue, CID) and writes the CQ head doorbell.
//  - A watchdog task looks at deadlines and escalates (timeouts.hpp): Abort,
//    then a controller reset; the reset re-creates the queues and the
//    submitters resubmit what was in flight.
//
// Everything runs on the process's executor: between two awaits nothing
// else runs, so no locks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/irq.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/nvmed/command.hpp"
#include "drivers/nvmed/controller.hpp"
#include "drivers/nvmed/queue.hpp"
#include "drivers/nvmed/timeouts.hpp"

namespace nvmed {

struct EngineStats {
  std::uint64_t interrupts = 0;
  std::uint64_t stray_completions = 0;
  std::uint64_t timeouts = 0;  // commands past their deadline
  std::uint64_t aborts = 0;    // Abort commands sent
  std::uint64_t resets = 0;    // controller resets for recovery
  std::uint64_t retries = 0;   // resubmissions
};

class Engine {
 public:
  Engine(hal::Sys& sys, Controller& controller, TimeoutPolicy policy);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Queues -------------------------------------------------------------
  /// Allocates the admin queue pair (interrupt vector 0, §3.1.8).
  hal::Result<void> create_admin_queue(std::uint32_t entries);
  QueuePair& admin() { return *admin_; }
  /// Allocates I/O queue pair `qid` (memory only; create_io_queues() tells
  /// the controller).
  hal::Result<QueuePair*> add_io_queue(std::uint16_t qid, std::uint32_t entries, std::uint16_t vector);
  std::size_t io_queue_count() const { return io_.size(); }
  QueuePair& io_queue(std::size_t index) { return *io_[index]; }
  /// The I/O queue for a request from `cpu`.
  QueuePair& queue_for_cpu(std::uint32_t cpu) { return *io_[cpu % io_.size()]; }

  // --- Controller bring-up (also used by recovery) -------------------------
  /// §7.6.1: disable, wait RDY = 0, AQA/ASQ/ACQ, enable, wait RDY = 1. The
  /// admin queue is live afterwards.
  hal::Task<hal::Result<void>> enable_controller();
  /// Set Features Number of Queues asking for `count` SQs and CQs; what the
  /// controller allocated.
  hal::Task<hal::Result<QueueCounts>> set_number_of_queues(std::uint16_t count);
  /// Create I/O CQ, then Create I/O SQ, for every queue added; live afterwards.
  hal::Task<hal::Result<void>> create_io_queues();
  /// Controller initialised and queues created: requests may flow.
  void set_online();
  ControllerState state() const { return state_; }

  // --- Commands ------------------------------------------------------------
  /// One attempt, whatever the controller state: waits for room, submits,
  /// waits for the result (deadline: now + timeout_ns).
  hal::Task<CommandResult> submit(QueuePair& q, SubmissionEntry sqe, std::uint64_t timeout_ns);
  /// An admin command during bring-up or recovery: one attempt; an error
  /// for anything but a successful completion ("what: <status>").
  hal::Task<hal::Result<CommandResult>> admin_sync(SubmissionEntry sqe, const std::string& what);
  /// A command under the policy: waits for the controller to be online,
  /// retries after timeouts and resets. The result is a completion (its
  /// status may be an error), or ETIMEDOUT / EIO when nvmed gave up.
  hal::Task<hal::Result<CommandResult>> execute(QueuePair& q, SubmissionEntry sqe);

  // --- Interrupts ------------------------------------------------------------
  /// Serves `irq`, which MSI-X entry (or MSI vector) `vector` targets: waits,
  /// then drains every live CQ on that vector. Runs until the irq fd fails.
  hal::Task<void> interrupt_loop(hal::IrqVector irq, std::uint16_t vector);
  /// Drains the live CQs on `vector` now; the completions taken.
  std::size_t service(std::uint16_t vector);

  // --- Timeouts and recovery -------------------------------------------------
  /// Spawns the watchdog task.
  void start_watchdog();
  /// One look at every deadline (what the watchdog does when it wakes).
  void check_deadlines();
  bool controller_fatal() const;  // CSTS.CFS (and the controller still answering)
  /// Starts a recovery reset (once; ignored unless online).
  void request_reset(const std::string& reason);
  /// Normal shutdown (§7.6.2): delete the I/O queues, CC.SHN = 01b, wait
  /// for CSTS.SHST = 10b. Afterwards every command fails.
  hal::Task<hal::Result<void>> shutdown();

  const TimeoutPolicy& policy() const { return policy_; }
  void set_abort_limit(unsigned limit) { abort_limit_ = limit ? limit : 1; }
  const EngineStats& stats() const { return stats_; }
  Controller& controller() { return ctrl_; }
  hal::Sys& sys() { return sys_; }
  /// The object that owns this engine (a shared_ptr): tasks the engine
  /// spawns keep it alive. Unset, the caller keeps the engine alive.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }
  std::shared_ptr<void> keep() const { return owner_.lock(); }
  /// Spawns a task that keeps the owner alive.
  void spawn(hal::Task<void> task, std::string name);

 private:
  /// Calls f(QueuePair&) for the admin queue, then each I/O queue.
  template <class F>
  void for_each_queue(F&& f) {
    if (admin_) f(*admin_);
    for (auto& q : io_) f(*q);
  }
  /// Waits until `q` has a free CID; false if the controller went offline.
  hal::Task<bool> wait_for_room(QueuePair& q);
  /// A command submitted and awaited by the task that holds it.
  struct InFlight {
    InFlight(Engine& e, QueuePair& queue, SubmissionEntry sqe, std::uint64_t timeout_ns);
    ~InFlight();
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    QueuePair& q;
    std::uint16_t cid = 0;
    hal::Signal<CommandResult> done;
  };
  void complete_entry(QueuePair& q, const CompletionEntry& e);
  void kick_watchdog();
  std::optional<std::uint64_t> earliest_deadline();
  hal::Task<void> watchdog();
  hal::Task<void> send_abort(std::uint16_t sqid, std::uint16_t cid, std::uint64_t epoch);
  hal::Task<void> recover(std::string reason);
  void fail_all(Outcome outcome);
  void go_failed(const std::string& why);

  hal::Sys& sys_;
  Controller& ctrl_;
  TimeoutPolicy policy_;
  std::unique_ptr<QueuePair> admin_;
  std::vector<std::unique_ptr<QueuePair>> io_;
  std::uint16_t queues_requested_ = 0;
  ControllerState state_ = ControllerState::initializing;
  hal::WaitList online_;   // submitters waiting for the controller to be online
  hal::WaitList work_;     // the watchdog waiting for a command to watch
  bool watchdog_running_ = false;
  bool stopping_ = false;
  unsigned abort_limit_ = 1;
  unsigned aborts_outstanding_ = 0;
  std::uint64_t epoch_ = 0;  // bumped by each reset
  unsigned consecutive_resets_ = 0;
  EngineStats stats_;
  std::weak_ptr<void> owner_;
};

}  // namespace nvmed
