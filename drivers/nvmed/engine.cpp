#include "drivers/nvmed/engine.hpp"

#include <algorithm>

#include "drivers/nvmed/regs.hpp"
#include "drivers/nvmed/tasks.hpp"

namespace nvmed {

namespace {
std::string hex32(std::uint32_t v) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += d[(v >> i) & 0xF];
  return s;
}
}  // namespace

Engine::Engine(hal::Sys& sys, Controller& controller, TimeoutPolicy policy)
    : sys_(sys), ctrl_(controller), policy_(policy) {}

void Engine::spawn(hal::Task<void> task, std::string name) {
  spawn_kept(sys_.executor(), owner_.lock(), std::move(task), std::move(name));
}

// ---------------------------------------------------------------------------
// Queues

hal::Result<void> Engine::create_admin_queue(std::uint32_t entries) {
  hal::Result<hal::DmaBuffer> sq = sys_.physalloc(std::size_t{entries} * kSqeBytes);
  if (!sq) return sq.error().with_context("admin submission queue");
  hal::Result<hal::DmaBuffer> cq = sys_.physalloc(std::size_t{entries} * kCqeBytes);
  if (!cq) return cq.error().with_context("admin completion queue");
  admin_ = std::make_unique<QueuePair>(0, entries, *sq, *cq, ctrl_.regs(), ctrl_.caps().dstrd, 0);
  return hal::ok();
}

hal::Result<QueuePair*> Engine::add_io_queue(std::uint16_t qid, std::uint32_t entries, std::uint16_t vector) {
  hal::Result<hal::DmaBuffer> sq = sys_.physalloc(std::size_t{entries} * kSqeBytes);
  if (!sq) return sq.error().with_context("I/O submission queue " + std::to_string(qid));
  hal::Result<hal::DmaBuffer> cq = sys_.physalloc(std::size_t{entries} * kCqeBytes);
  if (!cq) return cq.error().with_context("I/O completion queue " + std::to_string(qid));
  io_.push_back(std::make_unique<QueuePair>(qid, entries, *sq, *cq, ctrl_.regs(), ctrl_.caps().dstrd, vector));
  return io_.back().get();
}

// ---------------------------------------------------------------------------
// Bring-up

hal::Task<hal::Result<void>> Engine::enable_controller() {
  if (!admin_) co_return hal::Error(hal::errc::inval, "no admin queue");
  const hal::Result<void> off = co_await ctrl_.disable();
  if (!off) co_return off.error();
  sys_.log(hal::LogLevel::info, "nvmed.disabled", "CSTS.RDY=0");
  // The controller forgot every queue (and, after a reset, every command):
  // start over in clean memory; admin commands in flight are resubmitted or
  // given up by whoever sent them.
  for (const Pending& p : admin_->clear())
    if (p.done) p.done->complete(CommandResult{Outcome::reset, {}, 0, p.timed_out});
  ctrl_.set_admin_queue(admin_->entries(), admin_->sq_memory().phys, admin_->entries(), admin_->cq_memory().phys);
  const hal::Result<void> on = co_await ctrl_.enable();
  if (!on) co_return on.error();
  admin_->set_live(true);
  sys_.log(hal::LogLevel::info, "nvmed.enabled",
           "CSTS.RDY=1 admin_entries=" + std::to_string(admin_->entries()) + " cc=" + hex32(ctrl_.cc()));
  co_return hal::ok();
}

hal::Task<hal::Result<CommandResult>> Engine::admin_sync(SubmissionEntry sqe, const std::string& what) {
  const CommandResult r = co_await submit(*admin_, sqe, policy_.admin_timeout_ns);
  if (r.outcome == Outcome::timed_out) co_return hal::Error(hal::errc::timedout, what + ": no completion in time");
  if (r.outcome != Outcome::completed)
    co_return hal::Error(hal::errc::io, what + ": " + outcome_name(r.outcome));
  if (!r.status.ok()) co_return hal::Error(r.status.to_errno(), what + ": " + r.status.str());
  co_return r;
}

hal::Task<hal::Result<QueueCounts>> Engine::set_number_of_queues(std::uint16_t count) {
  const hal::Result<CommandResult> r =
      co_await admin_sync(make_set_number_of_queues(count, count), "Set Features (Number of Queues)");
  if (!r) co_return r.error();
  queues_requested_ = count;
  co_return decode_number_of_queues(r->dw0);
}

hal::Task<hal::Result<void>> Engine::create_io_queues() {
  for (auto& q : io_) {
    q->clear();
    const std::string n = std::to_string(q->qid());
    // §7.6.1: completion queues first; a submission queue names its CQ.
    hal::Result<CommandResult> cq = co_await admin_sync(
        make_create_io_cq(q->qid(), q->entries(), q->cq_memory().phys, q->vector()), "Create I/O CQ " + n);
    if (!cq) co_return cq.error();
    hal::Result<CommandResult> sq = co_await admin_sync(
        make_create_io_sq(q->qid(), q->entries(), q->sq_memory().phys, q->qid()), "Create I/O SQ " + n);
    if (!sq) co_return sq.error();
    q->set_live(true);
    sys_.log(hal::LogLevel::info, "nvmed.queue.created",
             "qid=" + n + " entries=" + std::to_string(q->entries()) + " vector=" + std::to_string(q->vector()));
  }
  co_return hal::ok();
}

void Engine::set_online() {
  state_ = ControllerState::online;
  online_.wake_all();
}

// ---------------------------------------------------------------------------
// Commands

hal::Task<bool> Engine::wait_for_room(QueuePair& q) {
  while (!q.has_room()) {
    if (state_ == ControllerState::failed || state_ == ControllerState::shut_down) co_return false;
    if (q.live())
      sys_.log(hal::LogLevel::debug, "nvmed.sq_full",
               "qid=" + std::to_string(q.qid()) + " in_flight=" + std::to_string(q.in_flight()));
    co_await q.room().wait();
  }
  co_return true;
}

Engine::InFlight::InFlight(Engine& e, QueuePair& queue, SubmissionEntry sqe, std::uint64_t timeout_ns) : q(queue) {
  Pending p;
  p.done = &done;
  p.submitted_ns = e.sys_.now_ns();
  p.deadline_ns = p.submitted_ns + timeout_ns;
  cid = q.submit(sqe, p);
  e.kick_watchdog();
}

Engine::InFlight::~InFlight() {
  // Destroyed while waiting: the CID stays reserved (the controller may
  // still complete it) but nobody is told.
  if (Pending* pp = q.pending(cid); pp && pp->done == &done) pp->done = nullptr;
}

hal::Task<CommandResult> Engine::submit(QueuePair& q, SubmissionEntry sqe, std::uint64_t timeout_ns) {
  if (!q.has_room() && !co_await wait_for_room(q)) co_return CommandResult{Outcome::offline, {}, 0, false};
  InFlight command(*this, q, sqe, timeout_ns);
  co_return co_await command.done;
}

hal::Task<hal::Result<CommandResult>> Engine::execute(QueuePair& q, SubmissionEntry sqe) {
  for (unsigned attempt = 0;; ++attempt) {
    while (state_ != ControllerState::online) {
      if (state_ == ControllerState::failed || state_ == ControllerState::shut_down)
        co_return hal::Error(hal::errc::io, std::string("controller ") + state_name(state_));
      co_await online_.wait();
    }
    const std::uint64_t timeout = q.is_admin() ? policy_.admin_timeout_ns : policy_.io_timeout(attempt);
    // submit(), inlined: one coroutine frame fewer on every I/O.
    CommandResult r{Outcome::offline, {}, 0, false};
    if (q.has_room() || co_await wait_for_room(q)) {
      InFlight command(*this, q, sqe, timeout);
      r = co_await command.done;
    }
    if (r.outcome == Outcome::completed && r.status.ok()) consecutive_resets_ = 0;
    const Verdict v = decide_retry(r, attempt, policy_);
    if (v == Verdict::done) co_return r;
    const std::string what = std::string(opcode_name(sqe.opcode(), q.is_admin())) + " on queue " +
                             std::to_string(q.qid()) + " attempt " + std::to_string(attempt + 1);
    if (v == Verdict::retry) {
      ++stats_.retries;
      sys_.log(hal::LogLevel::warn, "nvmed.retry",
               what + ": " + (r.outcome == Outcome::completed ? r.status.str() : outcome_name(r.outcome)));
      continue;
    }
    if (v == Verdict::timed_out) co_return hal::Error(hal::errc::timedout, what + ": timed out");
    co_return hal::Error(hal::errc::io, what + ": " + outcome_name(r.outcome));
  }
}

// ---------------------------------------------------------------------------
// Interrupts and completions

void Engine::complete_entry(QueuePair& q, const CompletionEntry& e) {
  if (e.sqid != q.qid()) {
    ++stats_.stray_completions;
    sys_.log(hal::LogLevel::warn, "nvmed.stray_completion",
             "cq=" + std::to_string(q.qid()) + " sqid=" + std::to_string(e.sqid) + " cid=" + std::to_string(e.cid));
    return;
  }
  const std::optional<Pending> p = q.take(e.cid);
  if (!p) {
    ++stats_.stray_completions;
    sys_.log(hal::LogLevel::warn, "nvmed.stray_completion",
             "qid=" + std::to_string(q.qid()) + " cid=" + std::to_string(e.cid) + " (not in flight)");
    return;
  }
  const Status st = Status::from_field(e.status);
  if (p->done) {
    p->done->complete(CommandResult{Outcome::completed, st, e.dw0, p->timed_out});
  } else {
    sys_.log(hal::LogLevel::info, "nvmed.late_completion",
             "qid=" + std::to_string(q.qid()) + " cid=" + std::to_string(e.cid) + " status=" + st.str());
  }
}

std::size_t Engine::service(std::uint16_t vector) {
  std::size_t n = 0;
  for_each_queue([&](QueuePair& q) {
    if (q.vector() == vector && q.live()) n += q.drain([&](const CompletionEntry& e) { complete_entry(q, e); });
  });
  return n;
}

hal::Task<void> Engine::interrupt_loop(hal::IrqVector irq, std::uint16_t vector) {
  for (;;) {
    service(vector);
    const hal::Result<std::uint64_t> fired = co_await hal::wait_irq(sys_, irq);
    if (!fired) {
      // ESHUTDOWN: the process is going away. Anything else is a bug.
      sys_.log(fired.error().is(hal::errc::shutdown) ? hal::LogLevel::info : hal::LogLevel::error,
               "nvmed.irq.stopped", "vector=" + std::to_string(vector) + " " + fired.error().message());
      co_return;
    }
    ++stats_.interrupts;
  }
}

// ---------------------------------------------------------------------------
// Timeouts

void Engine::kick_watchdog() {
  if (!work_.empty()) work_.wake_all();
}

void Engine::start_watchdog() {
  if (watchdog_running_) return;
  watchdog_running_ = true;
  spawn(watchdog(), "nvmed.watchdog");
}

std::optional<std::uint64_t> Engine::earliest_deadline() {
  std::optional<std::uint64_t> best;
  for_each_queue([&](QueuePair& q) {
    if (!q.live()) return;  // recovery clears it; its commands are not watched meanwhile
    for (const std::uint16_t cid : q.in_flight_cids()) {
      const Pending* p = q.pending(cid);
      if (p->done && (!best || p->deadline_ns < *best)) best = p->deadline_ns;
    }
  });
  return best;
}

hal::Task<void> Engine::watchdog() {
  while (!stopping_) {
    const std::optional<std::uint64_t> next = earliest_deadline();
    if (!next) {
      co_await work_.wait();
      continue;
    }
    const std::uint64_t now = sys_.now_ns();
    if (*next > now) {
      co_await sys_.sleep_ns(std::min(*next - now, policy_.watchdog_period()));
      continue;
    }
    check_deadlines();
  }
}

bool Engine::controller_fatal() const {
  const std::uint32_t csts = ctrl_.csts();
  return csts != reg::csts::kGone && (csts & reg::csts::CFS) != 0;
}

void Engine::check_deadlines() {
  const std::uint64_t now = sys_.now_ns();
  bool cfs_checked = false, cfs = false;
  // Returns false once a reset was requested: nothing more to look at.
  const auto check = [&](QueuePair& queue) {
    QueuePair* q = &queue;
    if (!q->live()) return true;
    for (const std::uint16_t cid : q->in_flight_cids()) {
      Pending* p = q->pending(cid);
      ExpiryAction a = decide_expiry(*p, now, q->is_admin(), state_, aborts_outstanding_, abort_limit_);
      if (a == ExpiryAction::none) continue;
      // §3.1.6, §9.5: a controller with CSTS.CFS set answers nothing more,
      // an Abort included; only a reset helps, so reset at once (Linux's
      // nvme_timeout() looks at CFS first too). One CSTS read per pass.
      if (a == ExpiryAction::abort && !cfs_checked) {
        cfs_checked = true;
        cfs = controller_fatal();
        if (cfs) a = ExpiryAction::reset;
      }
      ++stats_.timeouts;
      const std::string what = std::string(opcode_name(p->opcode, q->is_admin())) + " qid=" +
                               std::to_string(q->qid()) + " cid=" + std::to_string(cid) +
                               " after=" + std::to_string((now - p->submitted_ns) / 1000) + "us";
      sys_.log(hal::LogLevel::warn, "nvmed.timeout", what + " action=" + action_name(a));
      switch (a) {
        case ExpiryAction::none: break;
        case ExpiryAction::expire:
          p->done->complete(CommandResult{Outcome::timed_out, {}, 0, true});
          p->done = nullptr;  // abandoned: the CID stays reserved until it completes or the queue is cleared
          break;
        case ExpiryAction::abort:
          p->abort_sent = true;
          p->timed_out = true;
          p->deadline_ns = now + policy_.admin_timeout_ns;
          ++aborts_outstanding_;
          ++stats_.aborts;
          spawn(send_abort(q->qid(), cid, epoch_), "nvmed.abort");
          break;
        case ExpiryAction::reset:
          p->timed_out = true;
          request_reset(std::string(cfs ? "CSTS.CFS, " : "") + "command timeout: " + what);
          return false;
      }
    }
    return true;
  };
  if (admin_ && !check(*admin_)) return;
  for (auto& q : io_)
    if (!check(*q)) return;
}

hal::Task<void> Engine::send_abort(std::uint16_t sqid, std::uint16_t cid, std::uint64_t epoch) {
  const CommandResult r = co_await submit(*admin_, make_abort(sqid, cid), policy_.admin_timeout_ns);
  if (epoch == epoch_ && aborts_outstanding_ > 0) --aborts_outstanding_;
  const std::string what = "sqid=" + std::to_string(sqid) + " cid=" + std::to_string(cid);
  if (r.outcome != Outcome::completed)
    sys_.log(hal::LogLevel::warn, "nvmed.abort.failed", what + " " + outcome_name(r.outcome));
  else if (!r.status.ok())
    sys_.log(hal::LogLevel::warn, "nvmed.abort.failed", what + " " + r.status.str());
  else
    sys_.log(hal::LogLevel::info, "nvmed.abort.done",
             what + (abort_succeeded(r.dw0) ? " aborted" : " not aborted (already completed or not found)"));
}

// ---------------------------------------------------------------------------
// Recovery

void Engine::request_reset(const std::string& reason) {
  if (state_ != ControllerState::online) return;
  state_ = ControllerState::resetting;
  // From now on nothing is taken from or put in a queue, and the watchdog
  // leaves the commands in flight alone: the reset drops them all and their
  // submitters resubmit.
  for_each_queue([](QueuePair& q) { q.set_live(false); });
  spawn(recover(reason), "nvmed.recover");
}

void Engine::fail_all(Outcome outcome) {
  for_each_queue([&](QueuePair& q) {
    for (const Pending& p : q.clear())
      if (p.done) p.done->complete(CommandResult{outcome, {}, 0, p.timed_out});
    q.room().wake_all();
  });
}

void Engine::go_failed(const std::string& why) {
  state_ = ControllerState::failed;
  sys_.print("nvmed: controller failed: " + why);
  sys_.log(hal::LogLevel::error, "nvmed.failed", why);
  fail_all(Outcome::offline);
  online_.wake_all();
}

hal::Task<void> Engine::recover(std::string reason) {
  ++stats_.resets;
  ++epoch_;
  aborts_outstanding_ = 0;
  sys_.print("nvmed: resetting the controller: " + reason);
  sys_.log(hal::LogLevel::warn, "nvmed.reset", reason);
  if (++consecutive_resets_ > policy_.max_consecutive_resets) {
    go_failed(std::to_string(consecutive_resets_ - 1) + " resets in a row did not help");
    co_return;
  }
  const hal::Result<void> on = co_await enable_controller();  // CC.EN = 0, wait, set up, CC.EN = 1, wait
  // The controller dropped every command (§7.3.2): their submitters resubmit.
  for (auto& q : io_)
    for (const Pending& p : q->clear())
      if (p.done) p.done->complete(CommandResult{Outcome::reset, {}, 0, p.timed_out});
  if (!on) {
    go_failed("reset: " + on.error().message());
    co_return;
  }
  if (queues_requested_) {
    const hal::Result<QueueCounts> n = co_await set_number_of_queues(queues_requested_);
    if (!n) {
      go_failed("reset: " + n.error().message());
      co_return;
    }
  }
  const hal::Result<void> created = co_await create_io_queues();
  if (!created) {
    go_failed("reset: " + created.error().message());
    co_return;
  }
  sys_.log(hal::LogLevel::info, "nvmed.reset.done", "queues=" + std::to_string(io_.size()));
  set_online();
}

hal::Task<hal::Result<void>> Engine::shutdown() {
  if (state_ == ControllerState::shut_down) co_return hal::ok();
  const bool online = state_ == ControllerState::online;
  state_ = ControllerState::shut_down;  // new requests fail from here
  online_.wake_all();
  if (online) {
    // §7.6.2: delete the I/O submission queues, then the completion queues.
    for (auto& q : io_) {
      const hal::Result<CommandResult> r = co_await admin_sync(make_delete_io_sq(q->qid()), "Delete I/O SQ");
      if (!r) sys_.log(hal::LogLevel::warn, "nvmed.shutdown", r.error().message());
    }
    for (auto& q : io_) {
      const hal::Result<CommandResult> r = co_await admin_sync(make_delete_io_cq(q->qid()), "Delete I/O CQ");
      if (!r) sys_.log(hal::LogLevel::warn, "nvmed.shutdown", r.error().message());
      q->set_live(false);
    }
  }
  stopping_ = true;
  work_.wake_all();
  const hal::Result<void> r = co_await ctrl_.shutdown();
  for (auto& q : io_)
    for (const Pending& p : q->clear())
      if (p.done) p.done->complete(CommandResult{Outcome::offline, {}, 0, false});
  if (!r) co_return r.error();
  sys_.log(hal::LogLevel::info, "nvmed.shutdown", "CSTS.SHST=complete");
  co_return hal::ok();
}

}  // namespace nvmed
