#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/executor.hpp"
#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/ring_abi.hpp"
#include "drivers/hal/ring_pair.hpp"
#include "drivers/hal/ring_view.hpp"
#include "drivers/hal/task.hpp"

namespace {

using hal::CqEntry64;
using hal::RingHeader;
using hal::RingView;
using hal::SqEntry64;

/// A ring with exactly `count` entries of backing memory (so any access past
/// them is caught by ASan/valgrind).
struct TestRing {
  explicit TestRing(std::uint32_t count) : entries(count) {}
  RingHeader header{};
  std::vector<CqEntry64> entries;
  RingView<CqEntry64> create(std::uint32_t count) {
    return RingView<CqEntry64>::create(&header, entries, count).value();
  }
};

CqEntry64 cqe(std::uint64_t n) { return CqEntry64{n, n * 2, 0, 0}; }

TEST(HalRingAbi, SizesAndOffsets) {
  EXPECT_EQ(sizeof(SqEntry64), 64u);
  EXPECT_EQ(offsetof(SqEntry64, opcode), 0u);
  EXPECT_EQ(offsetof(SqEntry64, flags), 1u);
  EXPECT_EQ(offsetof(SqEntry64, priority), 2u);
  EXPECT_EQ(offsetof(SqEntry64, syscall_flags), 4u);
  EXPECT_EQ(offsetof(SqEntry64, fd), 8u);
  EXPECT_EQ(offsetof(SqEntry64, len), 16u);
  EXPECT_EQ(offsetof(SqEntry64, user_data), 24u);
  EXPECT_EQ(offsetof(SqEntry64, addr), 32u);
  EXPECT_EQ(offsetof(SqEntry64, offset), 40u);
  EXPECT_EQ(offsetof(SqEntry64, additional), 48u);
  EXPECT_EQ(sizeof(CqEntry64), 32u);
  EXPECT_EQ(offsetof(CqEntry64, user_data), 0u);
  EXPECT_EQ(offsetof(CqEntry64, status), 8u);
  EXPECT_EQ(offsetof(CqEntry64, flags), 16u);
  EXPECT_EQ(offsetof(CqEntry64, extra), 24u);
  EXPECT_EQ(sizeof(RingHeader), 32u);
  EXPECT_EQ(offsetof(RingHeader, entry_count), 0u);
  EXPECT_EQ(offsetof(RingHeader, head), 8u);
  EXPECT_EQ(offsetof(RingHeader, tail), 16u);
  EXPECT_EQ(offsetof(RingHeader, status), 24u);

  EXPECT_EQ(static_cast<int>(hal::Opcode::no_op), 0);
  EXPECT_EQ(static_cast<int>(hal::Opcode::open), 1);
  EXPECT_EQ(static_cast<int>(hal::Opcode::read), 3);
  EXPECT_EQ(static_cast<int>(hal::Opcode::register_events), 11);
  EXPECT_EQ(hal::kProducerOpcodeBase, 128);
  EXPECT_TRUE(hal::is_producer_opcode(128));
  EXPECT_FALSE(hal::is_producer_opcode(127));
  EXPECT_EQ(hal::kSqeSubscribe | hal::kSqeDrain | hal::kSqeChain, 0x7);
  EXPECT_EQ(hal::kCqeEvent | hal::kCqeLastUpdate, 0x3u);
}

TEST(HalRing, RejectsBadEntryCounts) {
  for (const std::uint32_t bad : {0u, 3u, 6u, 100u, 65537u, 131072u, 0xFFFF'FFFFu, 0x8000'0000u}) {
    EXPECT_EQ(hal::check_ring_entry_count(bad).error().code(), hal::errc::inval) << bad;
  }
  for (const std::uint32_t good : {1u, 2u, 4u, 256u, 65536u}) {
    EXPECT_TRUE(hal::check_ring_entry_count(good)) << good;
  }
  TestRing r(4);
  EXPECT_EQ(RingView<CqEntry64>::create(&r.header, r.entries, 3).error().code(), hal::errc::inval);
  // Entry memory smaller than the count.
  EXPECT_EQ(RingView<CqEntry64>::create(&r.header, r.entries, 8).error().code(), hal::errc::inval);
  EXPECT_EQ(RingView<CqEntry64>::create(nullptr, r.entries, 4).error().code(), hal::errc::inval);
  EXPECT_TRUE(RingView<CqEntry64>::create(&r.header, r.entries, 4));
  EXPECT_TRUE(RingView<CqEntry64>::create(&r.header, r.entries, 1));
}

TEST(HalRing, FullAndEmptyDiffer) {
  TestRing r(4);
  RingView<CqEntry64> ring = r.create(4);
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.free_space(), 4u);
  CqEntry64 out{};
  EXPECT_FALSE(ring.try_pop(out));
  EXPECT_EQ(ring.pop().error().code(), hal::errc::again);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(ring.try_push(cqe(i)));
  EXPECT_EQ(ring.size(), 4u);
  EXPECT_EQ(ring.free_space(), 0u);
  EXPECT_FALSE(ring.try_push(cqe(99)));
  EXPECT_EQ(ring.push(cqe(99)).error().code(), hal::errc::again);
  EXPECT_EQ(r.header.tail - r.header.head, 4u);  // full: tail - head == count
  for (std::uint64_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(ring.try_pop(out));
    EXPECT_EQ(out.user_data, i);
  }
  EXPECT_EQ(r.header.head, r.header.tail);  // empty: head == tail
  EXPECT_EQ(r.header.head, 4u);             // and not 0: indices run modulo 2 x count
}

TEST(HalRing, WrapsAroundOverManyCycles) {
  TestRing r(4);
  RingView<CqEntry64> ring = r.create(4);
  std::uint64_t pushed = 0;
  std::uint64_t popped = 0;
  for (int cycle = 0; cycle < 10'000; ++cycle) {
    const int n = 1 + cycle % 4;  // fill levels 1..4, so every slot/index pairing occurs
    for (int i = 0; i < n; ++i) ASSERT_TRUE(ring.try_push(cqe(pushed++)));
    ASSERT_EQ(ring.size(), static_cast<std::uint32_t>(n));
    ASSERT_LT(r.header.tail, 8u);
    const int m = cycle % 3 == 0 ? n - 1 : n;  // sometimes leave one in flight
    for (int i = 0; i < m; ++i) {
      CqEntry64 out{};
      ASSERT_TRUE(ring.try_pop(out));
      ASSERT_EQ(out.user_data, popped);
      ASSERT_EQ(out.status, popped * 2);
      ++popped;
    }
    // Drain what was left so the next cycle starts empty.
    CqEntry64 out{};
    while (ring.try_pop(out)) ASSERT_EQ(out.user_data, popped++);
    ASSERT_LT(r.header.head, 8u);
  }
  EXPECT_EQ(pushed, popped);
  EXPECT_EQ(pushed, 25'000u);
}

TEST(HalRing, ShutdownDrainsThenFails) {
  TestRing r(4);
  RingView<CqEntry64> pusher = r.create(4);
  RingView<CqEntry64> popper = RingView<CqEntry64>::attach(&r.header, r.entries).value();
  ASSERT_TRUE(pusher.try_push(cqe(1)));
  ASSERT_TRUE(pusher.try_push(cqe(2)));
  pusher.shut_down();
  EXPECT_TRUE(popper.is_shut_down());
  EXPECT_EQ(popper.state(), hal::RingState::shut_down);
  EXPECT_EQ(pusher.push(cqe(3)).error().code(), hal::errc::shutdown);
  EXPECT_EQ(pusher.free_space(), 0u);
  CqEntry64 out{};
  ASSERT_TRUE(popper.try_pop(out));
  EXPECT_EQ(out.user_data, 1u);
  ASSERT_TRUE(popper.try_pop(out));
  EXPECT_EQ(out.user_data, 2u);
  EXPECT_FALSE(popper.try_pop(out));
  EXPECT_EQ(popper.pop().error().code(), hal::errc::shutdown);
  EXPECT_EQ(popper.check().error().code(), hal::errc::shutdown);
}

TEST(HalRing, CorruptedHeaderIsDetectedNeverIndexed) {
  struct Case {
    const char* what;
    void (*corrupt)(RingHeader&);
  };
  const Case cases[] = {
      {"head and tail more than count apart", [](RingHeader& h) { h.tail = (h.head + 5) % 8; }},
      {"tail beyond 2n", [](RingHeader& h) { h.tail = 8; }},
      {"head beyond 2n", [](RingHeader& h) { h.head = 0xFFFF'FFFF'FFFF'FFF0ull; }},
      {"entry_count grown", [](RingHeader& h) { h.entry_count = 1024; }},
      {"entry_count shrunk", [](RingHeader& h) { h.entry_count = 2; }},
      {"status garbage", [](RingHeader& h) { h.status = 0xDEAD; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    TestRing r(4);
    RingView<CqEntry64> ring = r.create(4);
    ASSERT_TRUE(ring.try_push(cqe(1)));
    c.corrupt(r.header);
    EXPECT_EQ(ring.push(cqe(2)).error().code(), hal::errc::proto);
    EXPECT_EQ(ring.pop().error().code(), hal::errc::proto);
    CqEntry64 out{};
    EXPECT_FALSE(ring.try_pop(out));
    EXPECT_TRUE(ring.is_shut_down());
    EXPECT_TRUE(ring.is_corrupt());
    EXPECT_EQ(ring.size(), 0u);
    EXPECT_EQ(ring.free_space(), 0u);
    EXPECT_EQ(ring.check().error().code(), hal::errc::proto);
    // Once seen, never trusted again, even if the header looks fine later.
    r.header = RingHeader{4, 0, 0, 0, hal::kRingRunning, 0};
    EXPECT_TRUE(ring.is_corrupt());
    EXPECT_FALSE(ring.try_push(cqe(3)));
    ring.shut_down();  // does not write to an untrusted ring
    EXPECT_EQ(r.header.status, hal::kRingRunning);
  }
}

TEST(HalRing, AttachChecksTheHeader) {
  TestRing r(4);
  (void)r.create(4);
  r.header.entry_count = 8;  // the other side claims more entries than are mapped
  EXPECT_EQ(RingView<CqEntry64>::attach(&r.header, r.entries).error().code(), hal::errc::inval);
  r.header.entry_count = 0;
  EXPECT_EQ(RingView<CqEntry64>::attach(&r.header, r.entries).error().code(), hal::errc::inval);
  r.header = RingHeader{4, 0, 1, 7, hal::kRingRunning, 0};  // 6 entries in flight in a 4-entry ring
  EXPECT_EQ(RingView<CqEntry64>::attach(&r.header, r.entries).error().code(), hal::errc::proto);
  r.header = RingHeader{4, 0, 0, 0, 2, 0};  // unknown status
  EXPECT_EQ(RingView<CqEntry64>::attach(&r.header, r.entries).error().code(), hal::errc::proto);
  // A consistent header whose tail has wrapped past 2n: (1 - 6) mod 8 = 3 in flight.
  r.header = RingHeader{4, 0, 6, 1, hal::kRingShutDown, 0};
  const RingView<CqEntry64> wrapped = RingView<CqEntry64>::attach(&r.header, r.entries).value();
  EXPECT_EQ(wrapped.size(), 3u);
  EXPECT_EQ(wrapped.state(), hal::RingState::shut_down);
}

TEST(HalRingPair, ConsumerSubmitsProducerServes) {
  hal::RingPairStorage storage = hal::RingPairStorage::create(4, 8).value();
  hal::RingConsumer consumer = hal::RingConsumer::attach(storage.pair()).value();
  hal::RingProducer producer = hal::RingProducer::attach(storage.pair()).value();
  EXPECT_EQ(consumer.sq().capacity(), 4u);
  EXPECT_EQ(consumer.cq().capacity(), 8u);

  SqEntry64 read{};
  read.opcode = static_cast<std::uint8_t>(hal::Opcode::read);
  read.fd = 3;
  read.len = 512;
  read.user_data = 0xA;
  ASSERT_TRUE(consumer.submit(read));
  read.user_data = 0xB;
  read.fd = 99;
  ASSERT_TRUE(consumer.submit(read));

  SqEntry64 req{};
  while (producer.try_take(req)) {
    const hal::Result<std::uint64_t> r =
        req.fd == 3 ? hal::Result<std::uint64_t>(req.len) : hal::Error(hal::errc::badf, "fd");
    ASSERT_TRUE(producer.complete(CqEntry64{req.user_data, hal::status_from_result(r), 0, 0}));
  }

  CqEntry64 done{};
  ASSERT_TRUE(consumer.try_reap(done));
  EXPECT_EQ(done.user_data, 0xAu);
  EXPECT_EQ(hal::result_from_status(done.status).value(), 512u);
  ASSERT_TRUE(consumer.try_reap(done));
  EXPECT_EQ(done.user_data, 0xBu);
  EXPECT_EQ(hal::result_from_status(done.status).error().code(), hal::errc::badf);
  EXPECT_FALSE(consumer.try_reap(done));

  consumer.shut_down();
  EXPECT_EQ(producer.take().error().code(), hal::errc::shutdown);
  EXPECT_FALSE(producer.try_complete(CqEntry64{}));
}

TEST(HalRingPair, StorageRejectsBadCounts) {
  EXPECT_EQ(hal::RingPairStorage::create(0, 4).error().code(), hal::errc::inval);
  EXPECT_EQ(hal::RingPairStorage::create(4, 12).error().message(), "CQ: ring: entry_count 12 is not a power of two: EINVAL");
}

// How a producer daemon is meant to look: a task woken by a doorbell (here a
// Mailbox the test rings, in the simulator the kernel model's notification)
// drains the SQ and answers on the CQ.
hal::Task<void> serve(hal::RingProducer* producer, hal::Mailbox<int>* doorbell, int* served) {
  while (co_await doorbell->next()) {
    SqEntry64 req{};
    while (producer->try_take(req)) {
      if (!producer->try_complete(CqEntry64{req.user_data, req.len, 0, 0})) co_return;
      ++*served;
    }
  }
}

TEST(HalRingPair, ServedByATaskOnDoorbells) {
  hal::RingPairStorage storage = hal::RingPairStorage::create(2, 16).value();
  hal::RingConsumer consumer = hal::RingConsumer::attach(storage.pair()).value();
  hal::RingProducer producer = hal::RingProducer::attach(storage.pair()).value();
  hal::Mailbox<int> doorbell;
  int served = 0;
  hal::Executor ex;
  ex.spawn(serve(&producer, &doorbell, &served), "producer");
  ex.run_ready();
  for (std::uint64_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(consumer.submit(SqEntry64{0, 0, 0, 0, 0, i * 10, i, 0, 0, {0, 0}}));
    doorbell.push(1);
    ex.run_ready();
    CqEntry64 done{};
    ASSERT_TRUE(consumer.try_reap(done));
    EXPECT_EQ(done.user_data, i);
    EXPECT_EQ(done.status, i * 10);
  }
  EXPECT_EQ(served, 10);
  doorbell.close();
  ex.run_ready();
  EXPECT_EQ(ex.live_tasks(), 0u);
}

}  // namespace
