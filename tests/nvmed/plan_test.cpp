// How requests become commands (io_plan), the write range lock, and the
// timeout decisions (timeouts.hpp).
#include <gtest/gtest.h>

#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/nvmed/io_plan.hpp"
#include "drivers/nvmed/namespace.hpp"
#include "drivers/nvmed/range_lock.hpp"
#include "drivers/nvmed/timeouts.hpp"

using namespace nvmed;

TEST(NvmedPlan, DirectOnlyWhenAligned) {
  EXPECT_TRUE(can_go_direct(4096, 8192, 0x1000, 512));
  EXPECT_TRUE(can_go_direct(512, 512, 0x1004, 512));    // PRP1 needs only dword alignment
  EXPECT_FALSE(can_go_direct(100, 512, 0x1000, 512));   // offset
  EXPECT_FALSE(can_go_direct(0, 1000, 0x1000, 512));    // length
  EXPECT_FALSE(can_go_direct(0, 512, 0x1002, 512));     // buffer
  EXPECT_FALSE(can_go_direct(512, 4096, 0x1000, 4096)); // offset in 4 KiB blocks
}

TEST(NvmedPlan, DirectSplitsAtTheMaximumTransfer) {
  const auto p = plan_direct(1 << 20, 1300 * 1024, 512, 512 * 1024);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (IoPiece{2048, 1024, 0, 512 * 1024, 0}));
  EXPECT_EQ(p[1], (IoPiece{3072, 1024, 512 * 1024, 512 * 1024, 0}));
  EXPECT_EQ(p[2], (IoPiece{4096, 552, 1024 * 1024, 276 * 1024, 0}));
  EXPECT_EQ(plan_direct(0, 4096, 4096, 1 << 20).size(), 1u);
}

TEST(NvmedPlan, BounceCoversWholeBlocks) {
  // 1000 bytes at 100 with 512-byte blocks: blocks 0 and 1, skip 100.
  auto p = plan_bounce(100, 1000, 512, 128 * 1024);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], (IoPiece{0, 3, 0, 1000, 100}));  // 100 + 1000 = 1100 -> blocks 0..2
  EXPECT_TRUE(p[0].head_partial());
  EXPECT_TRUE(p[0].tail_partial(512));
  // Aligned offset, unaligned length: only the tail is partial.
  p = plan_bounce(4096, 5000, 4096, 128 * 1024);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], (IoPiece{1, 2, 0, 5000, 0}));
  EXPECT_FALSE(p[0].head_partial());
  EXPECT_TRUE(p[0].tail_partial(4096));
  // A bounce buffer of 8 KiB: pieces of at most 2 blocks of 4 KiB.
  p = plan_bounce(1000, 20000, 4096, 8192);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (IoPiece{0, 2, 0, 7192, 1000}));
  EXPECT_EQ(p[1], (IoPiece{2, 2, 7192, 8192, 0}));
  EXPECT_EQ(p[2], (IoPiece{4, 2, 15384, 4616, 0}));
  std::uint64_t total = 0;
  for (const auto& x : p) total += x.bytes;
  EXPECT_EQ(total, 20000u);
  // Whole blocks through a bounce buffer (an odd buffer address): no partial block.
  p = plan_bounce(0, 8192, 512, 128 * 1024);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_FALSE(p[0].head_partial());
  EXPECT_FALSE(p[0].tail_partial(512));
}

TEST(NvmedPlan, MaximumTransfer) {
  EXPECT_EQ(max_transfer_bytes(7, 0, 1 << 20, 512), 512u * 1024);  // MDTS 7: 2^7 x 4 KiB
  EXPECT_EQ(max_transfer_bytes(0, 0, 1 << 20, 512), 1u << 20);     // no limit: nvmed's cap
  EXPECT_EQ(max_transfer_bytes(1, 0, 1 << 20, 16384), 16384u);    // at least one block
  EXPECT_EQ(max_transfer_bytes(0, 0, 64u << 20, 512), 512u * 65536);  // NLB is 16 bits
  EXPECT_EQ(max_transfer_bytes(2, 1, 1 << 20, 512), 8192u << 2);       // MPSMIN 1: 8 KiB units
}

TEST(NvmedPlan, HumanBytes) {
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(64ULL << 20), "64 MiB");
  EXPECT_EQ(human_bytes(1536ULL << 20), "1.5 GiB");
  EXPECT_EQ(human_bytes(512 * 1024), "512 KiB");
}

namespace {
hal::Task<void> hold(BlockRangeLock& l, std::uint64_t a, std::uint64_t b, bool ex, std::vector<int>& log, int id,
                     hal::Signal<void>& release) {
  BlockRangeLock::Guard g = co_await l.lock(a, b, ex);
  log.push_back(id);
  co_await release;
  log.push_back(-id);
}
}  // namespace

TEST(NvmedRangeLock, ReadModifyWritesExcludeOverlappingWrites) {
  hal::Executor ex;
  BlockRangeLock lock;
  std::vector<int> log;
  hal::Signal<void> r1, r2, r3, r4;
  ex.spawn(hold(lock, 0, 3, false, log, 1, r1), "w1");   // a plain write, blocks 0-3
  ex.spawn(hold(lock, 2, 5, false, log, 2, r2), "w2");   // another, overlapping: shares
  ex.spawn(hold(lock, 3, 3, true, log, 3, r3), "rmw3");  // a read-modify-write of block 3: waits
  ex.spawn(hold(lock, 8, 9, true, log, 4, r4), "rmw4");  // elsewhere: proceeds
  ex.run_ready();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 4}));
  EXPECT_TRUE(lock.conflicts(3, 3, true));
  EXPECT_FALSE(lock.conflicts(6, 7, true));
  EXPECT_TRUE(lock.conflicts(9, 12, false));  // a plain write waits for an RMW
  r1.complete();
  ex.run_ready();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 4, -1}));  // w2 still holds block 3
  r2.complete();
  ex.run_ready();
  EXPECT_EQ(log, (std::vector<int>{1, 2, 4, -1, -2, 3}));
  r3.complete();
  r4.complete();
  ex.run_ready();
  EXPECT_EQ(lock.held(), 0u);
}

TEST(NvmedTimeouts, WhatTheWatchdogDoes) {
  hal::Signal<CommandResult> s;
  Pending p;
  p.in_use = true;
  p.done = &s;
  p.deadline_ns = 1000;
  const auto online = ControllerState::online;
  EXPECT_EQ(decide_expiry(p, 999, false, online, 0, 4), ExpiryAction::none);
  EXPECT_EQ(decide_expiry(p, 1000, false, online, 0, 4), ExpiryAction::abort);
  EXPECT_EQ(decide_expiry(p, 1000, true, online, 0, 4), ExpiryAction::reset);   // admin command
  EXPECT_EQ(decide_expiry(p, 1000, false, online, 4, 4), ExpiryAction::reset);  // Abort Command Limit
  EXPECT_EQ(decide_expiry(p, 1000, false, ControllerState::initializing, 0, 4), ExpiryAction::expire);
  EXPECT_EQ(decide_expiry(p, 1000, true, ControllerState::resetting, 0, 4), ExpiryAction::expire);
  p.abort_sent = true;
  EXPECT_EQ(decide_expiry(p, 1000, false, online, 0, 4), ExpiryAction::reset);  // the Abort did not help
  p.done = nullptr;  // abandoned
  EXPECT_EQ(decide_expiry(p, 5000, false, online, 0, 4), ExpiryAction::none);
}

TEST(NvmedTimeouts, WhatTheSubmitterDoes) {
  TimeoutPolicy pol;
  pol.max_attempts = 3;
  CommandResult ok;
  EXPECT_EQ(decide_retry(ok, 0, pol), Verdict::done);
  CommandResult aborted;
  aborted.status.sc = sc::kCommandAbortRequested;
  aborted.status.dnr = false;
  EXPECT_EQ(decide_retry(aborted, 0, pol), Verdict::done);  // not ours: reported as is
  aborted.timed_out = true;
  EXPECT_EQ(decide_retry(aborted, 0, pol), Verdict::retry);
  EXPECT_EQ(decide_retry(aborted, 2, pol), Verdict::timed_out);
  CommandResult media;
  media.status.sct = sct::kMediaDataIntegrity;
  media.status.sc = sc::kUnrecoveredReadError;
  EXPECT_EQ(decide_retry(media, 0, pol), Verdict::retry);  // no DNR: may succeed again
  EXPECT_EQ(decide_retry(media, 2, pol), Verdict::done);   // the error goes to the caller
  media.status.dnr = true;
  EXPECT_EQ(decide_retry(media, 0, pol), Verdict::done);
  CommandResult reset{Outcome::reset, {}, 0, false};
  EXPECT_EQ(decide_retry(reset, 1, pol), Verdict::retry);
  EXPECT_EQ(decide_retry(reset, 2, pol), Verdict::failed);
  reset.timed_out = true;
  EXPECT_EQ(decide_retry(reset, 2, pol), Verdict::timed_out);
  EXPECT_EQ(decide_retry(CommandResult{Outcome::timed_out, {}, 0, true}, 0, pol), Verdict::timed_out);
  EXPECT_EQ(decide_retry(CommandResult{Outcome::offline, {}, 0, false}, 0, pol), Verdict::failed);
  EXPECT_EQ(pol.io_timeout(0), pol.io_timeout_ns);
  EXPECT_EQ(pol.io_timeout(2), pol.io_timeout_ns * 4);
  EXPECT_EQ(pol.io_timeout(20), pol.io_timeout_ns * 64);
}
