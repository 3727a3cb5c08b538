// The command engine against a scripted fake controller: bring-up,
// completions, the watchdog's escalation (Abort, then reset and
// resubmission, then giving up), a controller that never becomes ready,
// flow control, stray completions, shutdown; and the DMA pool.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>

#include "drivers/nvmed/dma_pool.hpp"
#include "drivers/nvmed/engine.hpp"
#include "tests/nvmed/fake_controller.hpp"

using namespace nvmed;
using fakenvme::FakeController;
using fakenvme::FakeSys;
using fakenvme::Reaction;

namespace {

TimeoutPolicy fast_policy() {
  TimeoutPolicy p;
  p.io_timeout_ns = 1'000'000;     // 1 ms
  p.admin_timeout_ns = 1'000'000;  // 1 ms
  p.max_attempts = 4;
  p.max_consecutive_resets = 3;
  return p;
}

template <class T>
hal::Task<void> store(hal::Task<T> t, std::optional<T>* out) {
  out->emplace(co_await t);
}

struct Harness {
  FakeSys sys;
  FakeController dev{sys};
  Controller ctrl{sys, hal::Mmio(&dev, FakeController::kBar, FakeController::kBarSize)};
  std::unique_ptr<Engine> engine;

  explicit Harness(TimeoutPolicy pol = fast_policy()) {
    EXPECT_TRUE(ctrl.read_capabilities());
    engine = std::make_unique<Engine>(sys, ctrl, pol);
    EXPECT_TRUE(engine->create_admin_queue(8));
  }
  ~Harness() { sys.reset_executor(); }

  /// Runs tasks, the device and the clock until `done` or nothing can
  /// happen before `limit_ns`. False if `done` never held.
  bool run_until(const std::function<bool()>& done, std::uint64_t limit_ns = 10'000'000'000ull) {
    for (;;) {
      sys.executor().run_ready();
      bool acted = dev.process();
      std::vector<unsigned> irqs;
      irqs.swap(dev.interrupts);
      for (unsigned v : irqs) acted |= engine->service(static_cast<std::uint16_t>(v)) > 0;
      if (sys.executor().has_ready() || acted) continue;
      if (done()) return true;
      const std::optional<std::uint64_t> t = sys.next_timer();
      if (!t || *t > limit_ns) return false;
      sys.now = std::max(sys.now, *t);
      sys.fire_due();
    }
  }
  template <class T>
  std::optional<T> run(hal::Task<T> task, std::uint64_t limit_ns = 10'000'000'000ull) {
    std::optional<T> out;
    sys.executor().spawn(store(std::move(task), &out), "test");
    run_until([&] { return out.has_value(); }, limit_ns);
    return out;
  }

  hal::Task<hal::Result<void>> bring_up_task(unsigned queues, std::uint32_t entries) {
    const hal::Result<void> on = co_await engine->enable_controller();
    if (!on) co_return on.error();
    const hal::Result<QueueCounts> n = co_await engine->set_number_of_queues(static_cast<std::uint16_t>(queues));
    if (!n) co_return n.error();
    for (unsigned i = 0; i < std::min(queues, n->sq); ++i)
      if (!engine->add_io_queue(static_cast<std::uint16_t>(i + 1), entries, static_cast<std::uint16_t>(i + 1)))
        co_return hal::Error(hal::errc::nomem, "queue");
    const hal::Result<void> c = co_await engine->create_io_queues();
    if (!c) co_return c.error();
    engine->set_online();
    co_return hal::ok();
  }
  void bring_up(unsigned queues = 2, std::uint32_t entries = 16) {
    engine->start_watchdog();
    const auto r = run(bring_up_task(queues, entries));
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(r->has_value()) << r->error().message();
  }
  std::optional<hal::Result<CommandResult>> read(unsigned queue = 0) {
    return run(engine->execute(engine->io_queue(queue), make_read_write(nvm_opc::kRead, 1, 0, 8, 0x1000, 0)));
  }
};

/// Holds the first `n` Reads, completes the rest.
std::function<std::optional<Reaction>(const SubmissionEntry&, std::uint16_t)> hold_reads(int n) {
  auto left = std::make_shared<int>(n);
  return [left](const SubmissionEntry& e, std::uint16_t sqid) -> std::optional<Reaction> {
    if (sqid == 0 || e.opcode() != nvm_opc::kRead) return std::nullopt;
    if (*left == 0) return std::nullopt;
    --*left;
    return Reaction{Reaction::hold, 0, 0};
  };
}

}  // namespace

TEST(NvmedEngine, BringUpFollowsTheInitialisationSequence) {
  Harness h;
  h.bring_up(2, 16);
  EXPECT_EQ(h.dev.cc, 0x0046'0001u);  // IOCQES 4, IOSQES 6, MPS 0, CSS NVM, EN
  EXPECT_EQ(h.dev.aqa, 0x0007'0007u);
  EXPECT_EQ(h.dev.asq, h.engine->admin().sq_memory().phys);
  EXPECT_EQ(h.dev.acq, h.engine->admin().cq_memory().phys);
  EXPECT_EQ(h.dev.io_sqs(), 2u);
  // Set Features, then CQ before SQ for each queue.
  ASSERT_EQ(h.dev.seen.size(), 5u);
  EXPECT_EQ(h.dev.seen[0].second.opcode(), admin_opc::kSetFeatures);
  EXPECT_EQ(h.dev.seen[1].second.opcode(), admin_opc::kCreateIoCq);
  EXPECT_EQ(h.dev.seen[2].second.opcode(), admin_opc::kCreateIoSq);
  EXPECT_EQ(h.dev.seen[1].second.cdw11 >> 16, 1u);  // queue 1 on vector 1
  EXPECT_EQ(h.engine->state(), ControllerState::online);
  EXPECT_TRUE(h.engine->io_queue(0).live());
  EXPECT_EQ(&h.engine->queue_for_cpu(3), &h.engine->io_queue(1));
}

TEST(NvmedEngine, CompletionsAndDeviceErrorsReachTheSubmitter) {
  Harness h;
  h.bring_up();
  auto ok = h.read();
  ASSERT_TRUE(ok && *ok);
  EXPECT_TRUE((*ok)->status.ok());
  h.dev.policy = [](const SubmissionEntry& e, std::uint16_t sqid) -> std::optional<Reaction> {
    if (sqid == 0 || e.opcode() != nvm_opc::kRead) return std::nullopt;
    return Reaction{Reaction::complete, static_cast<std::uint16_t>((sc::kLbaOutOfRange << 1) | 0x8000), 0};
  };
  auto bad = h.read();
  ASSERT_TRUE(bad && *bad);
  EXPECT_TRUE((*bad)->status.is(sct::kGeneric, sc::kLbaOutOfRange));
  EXPECT_TRUE((*bad)->status.dnr);
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 2u);  // DNR: not retried
  EXPECT_EQ(h.engine->stats().retries, 0u);
}

TEST(NvmedEngine, TimedOutCommandIsAbortedAndRetried) {
  Harness h;
  h.bring_up();
  h.dev.policy = hold_reads(1);
  auto r = h.read();
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE((*r)->status.ok());
  EXPECT_EQ(h.dev.count(admin_opc::kAbort, true), 1u);
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 2u);
  EXPECT_EQ(h.engine->stats().timeouts, 1u);
  EXPECT_EQ(h.engine->stats().aborts, 1u);
  EXPECT_EQ(h.engine->stats().retries, 1u);
  EXPECT_EQ(h.engine->stats().resets, 0u);
  EXPECT_GE(h.sys.now, 1'000'000u);
}

TEST(NvmedEngine, AbortThatFindsNothingLeadsToResetAndResubmission) {
  Harness h;
  h.bring_up();
  h.dev.abort_finds_held = false;  // the Abort completes "not aborted", the Read stays stuck
  h.dev.policy = hold_reads(1);
  auto r = h.read();
  ASSERT_TRUE(r && *r) << (r ? r->error().message() : "no result");
  EXPECT_TRUE((*r)->status.ok());
  EXPECT_EQ(h.engine->stats().resets, 1u);
  EXPECT_EQ(h.dev.disables, 1u);
  EXPECT_EQ(h.dev.enables, 2u);
  EXPECT_EQ(h.dev.count(admin_opc::kCreateIoSq, true), 4u);  // both queues, twice
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 2u);         // resubmitted after the reset
  EXPECT_EQ(h.engine->state(), ControllerState::online);
  EXPECT_EQ(h.sys.log_count("nvmed.reset.done"), 1u);
}

TEST(NvmedEngine, HungAbortLeadsToReset) {
  Harness h;
  h.bring_up();
  h.dev.hold_aborts = true;
  h.dev.policy = hold_reads(1);
  auto r = h.read();
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE((*r)->status.ok());
  EXPECT_EQ(h.engine->stats().resets, 1u);
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 2u);
}

// §3.1.6, §9.5: with CSTS.CFS set the controller answers nothing, Aborts
// included, so the watchdog resets at once instead of sending one.
TEST(NvmedEngine, FatalStatusResetsWithoutAnAbort) {
  Harness h;
  h.bring_up();
  h.dev.policy = hold_reads(1);
  h.dev.csts |= nvmed::reg::csts::CFS;
  auto r = h.read();
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE((*r)->status.ok());
  EXPECT_EQ(h.engine->stats().resets, 1u);
  EXPECT_EQ(h.engine->stats().aborts, 0u);
  EXPECT_EQ(h.dev.count(admin_opc::kAbort, true), 0u);
  EXPECT_EQ(h.dev.csts & nvmed::reg::csts::CFS, 0u);  // the reset cleared it
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 2u);
}

TEST(NvmedEngine, AllInFlightCommandsAreResubmittedAfterAReset) {
  Harness h;
  h.bring_up(1);
  h.dev.abort_finds_held = false;
  h.dev.policy = hold_reads(5);
  std::vector<std::optional<hal::Result<CommandResult>>> out(5);
  for (auto& o : out)
    h.sys.executor().spawn(
        store(h.engine->execute(h.engine->io_queue(0), make_read_write(nvm_opc::kRead, 1, 0, 1, 0x1000, 0)), &o),
        "read");
  ASSERT_TRUE(h.run_until([&] {
    for (auto& o : out)
      if (!o) return false;
    return true;
  }));
  for (auto& o : out) {
    ASSERT_TRUE(o->has_value()) << o->error().message();
    EXPECT_TRUE((*o)->status.ok());
  }
  EXPECT_EQ(h.engine->stats().resets, 1u);
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 10u);
}

TEST(NvmedEngine, GivesUpAfterTheLastAttempt) {
  Harness h;
  h.bring_up();
  h.dev.policy = hold_reads(100);  // every attempt hangs; every Abort gets it back
  auto r = h.read();
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_TRUE(r->error().is(hal::errc::timedout)) << r->error().message();
  EXPECT_EQ(h.dev.count(nvm_opc::kRead, false), 4u);
  EXPECT_EQ(h.dev.count(admin_opc::kAbort, true), 4u);
  EXPECT_EQ(h.engine->stats().resets, 0u);
  // 1 + 2 + 4 + 8 ms of timeouts.
  EXPECT_GE(h.sys.now, 15'000'000u);
  EXPECT_EQ(h.engine->state(), ControllerState::online);
  h.dev.policy = nullptr;
  auto next = h.read();
  ASSERT_TRUE(next && *next);
  EXPECT_TRUE((*next)->status.ok());
}

TEST(NvmedEngine, ResetThatFailsMarksTheControllerFailed) {
  Harness h;
  h.bring_up();
  h.dev.hold_aborts = true;
  h.dev.policy = hold_reads(1);
  h.dev.ready_on_enable = false;  // after the reset, CSTS.RDY never comes back
  auto r = h.read();
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_TRUE(r->error().is(hal::errc::io)) << r->error().message();
  EXPECT_EQ(h.engine->state(), ControllerState::failed);
  EXPECT_FALSE(h.sys.printed.empty());
  // CAP.TO is 500 ms: the wait gave up then, it did not hang.
  EXPECT_GE(h.sys.now, 500'000'000u);
  EXPECT_LT(h.sys.now, 600'000'000u);
  auto again = h.read();
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST(NvmedEngine, EnableTimesOutOrFailsInsteadOfHanging) {
  {
    Harness h;
    h.dev.ready_on_enable = false;
    auto r = h.run(h.engine->enable_controller());
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r);
    EXPECT_TRUE(r->error().is(hal::errc::timedout)) << r->error().message();
    EXPECT_GE(h.sys.now, 500'000'000u);
  }
  {
    Harness h;
    h.dev.fatal_on_enable = true;
    auto r = h.run(h.engine->enable_controller());
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r);
    EXPECT_TRUE(r->error().is(hal::errc::io)) << r->error().message();
    EXPECT_LT(h.sys.now, 1'000'000u);
  }
}

TEST(NvmedEngine, BringUpCommandThatTimesOutFailsTheBringUp) {
  Harness h;
  h.engine->start_watchdog();
  h.dev.policy = [](const SubmissionEntry& e, std::uint16_t sqid) -> std::optional<Reaction> {
    if (sqid == 0 && e.opcode() == admin_opc::kSetFeatures) return Reaction{Reaction::hold, 0, 0};
    return std::nullopt;
  };
  auto r = h.run(h.bring_up_task(2, 16));
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_TRUE(r->error().is(hal::errc::timedout)) << r->error().message();
  EXPECT_EQ(h.engine->stats().resets, 0u);  // not online yet: no recovery, the bring-up decides
}

TEST(NvmedEngine, FullQueueMakesSubmittersWait) {
  Harness h;
  h.bring_up(1, 4);  // 3 commands in flight at most
  h.dev.policy = hold_reads(6);
  std::vector<std::optional<hal::Result<CommandResult>>> out(10);
  for (auto& o : out)
    h.sys.executor().spawn(
        store(h.engine->execute(h.engine->io_queue(0), make_read_write(nvm_opc::kRead, 1, 0, 1, 0x1000, 0)), &o),
        "read");
  h.sys.executor().run_ready();
  EXPECT_EQ(h.engine->io_queue(0).in_flight(), 3u);
  h.dev.process();
  EXPECT_EQ(h.dev.held(), 3u);
  h.dev.release_held();  // the device catches up
  ASSERT_TRUE(h.run_until([&] {
    for (auto& o : out)
      if (!o) return false;
    return true;
  }, 50'000'000));
  for (auto& o : out) EXPECT_TRUE(o->has_value() && (*o)->status.ok());
  EXPECT_LE(h.dev.max_in_flight, 3u);
}

TEST(NvmedEngine, StrayCompletionsAreCountedAndIgnored) {
  Harness h;
  h.bring_up(1);
  h.dev.post_stray(1, 9);
  h.engine->service(1);
  EXPECT_EQ(h.engine->stats().stray_completions, 1u);
  auto r = h.read();
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE((*r)->status.ok());
}

TEST(NvmedEngine, ShutdownDeletesQueuesThenSetsShn) {
  Harness h;
  h.bring_up(2);
  auto r = h.run(h.engine->shutdown());
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r) << r->error().message();
  EXPECT_EQ(h.dev.count(admin_opc::kDeleteIoSq, true), 2u);
  EXPECT_EQ(h.dev.count(admin_opc::kDeleteIoCq, true), 2u);
  EXPECT_EQ((h.dev.cc >> 14) & 3u, 1u);     // CC.SHN = 01b
  EXPECT_EQ(h.dev.csts & 0xCu, 0x8u);       // CSTS.SHST = 10b
  EXPECT_EQ(h.engine->state(), ControllerState::shut_down);
  auto after = h.read();
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after);
}

TEST(NvmedDmaPool, GrowsToItsCapAndWaits) {
  FakeSys sys;
  DmaPool pool(sys, 8192, 2, 3);
  std::vector<hal::DmaBuffer> got;
  for (int i = 0; i < 3; ++i) {
    auto b = pool.try_acquire();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->size, 8192u);
    EXPECT_EQ(b->phys % 4096, 0u);
    got.push_back(*b);
  }
  EXPECT_EQ(pool.allocated(), 3u);
  EXPECT_TRUE(pool.try_acquire().error().is(hal::errc::again));
  std::optional<hal::Result<hal::DmaBuffer>> waited;
  std::optional<hal::Result<std::vector<hal::DmaBuffer>>> two;
  sys.executor().spawn(store(pool.acquire(), &waited), "one");
  sys.executor().spawn(store(pool.acquire_many(2), &two), "two");
  sys.executor().run_ready();
  EXPECT_FALSE(waited);
  pool.release(got[0]);
  sys.executor().run_ready();
  ASSERT_TRUE(waited && *waited);
  EXPECT_EQ((*waited)->phys, got[0].phys);
  EXPECT_FALSE(two);  // needs two at once
  pool.release(got[1]);
  pool.release(got[2]);
  sys.executor().run_ready();
  ASSERT_TRUE(two && *two);
  EXPECT_EQ((*two)->size(), 2u);
  std::optional<hal::Result<std::vector<hal::DmaBuffer>>> too_many;
  sys.executor().spawn(store(pool.acquire_many(4), &too_many), "four");
  sys.executor().run_ready();
  ASSERT_TRUE(too_many);
  EXPECT_TRUE(!*too_many && too_many->error().is(hal::errc::nomem));
  sys.reset_executor();
}
