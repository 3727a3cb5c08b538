// A full completion queue loses nothing: the producer keeps answers on an
// overflow list, in order, and delivers them as the consumer makes room.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/ring_client.hpp"

namespace {

hal::Task<void> serve(hal::RingServer& s, int n) {
  for (int i = 0; i < n; ++i) {
    auto sqe = co_await s.next();
    if (!sqe) co_return;
    s.reply(*sqe, sqe->offset * 10);
  }
}

}  // namespace

TEST(RingOverflow, AFullCompletionQueueLosesNothingAndKeepsOrder) {
  auto storage = hal::RingPairStorage::create(8, 4);  // 8 SQ entries, only 4 CQ entries
  ASSERT_TRUE(storage.has_value());
  auto consumer = hal::RingConsumer::attach(storage->pair());
  hal::RingServer server(*hal::RingProducer::attach(storage->pair()), {});
  hal::Executor exec;
  exec.spawn(serve(server, 8), "server");
  for (std::uint64_t i = 0; i < 8; ++i) {
    hal::SqEntry64 s{};
    s.user_data = i;
    s.offset = i;
    ASSERT_TRUE(consumer->submit(s).has_value());
  }
  server.on_submissions();
  exec.run_ready();
  // Four answers fit; four wait on the overflow list.
  EXPECT_EQ(server.overflowed(), 4u);
  std::vector<std::uint64_t> got;
  hal::CqEntry64 c;
  while (consumer->try_reap(c)) got.push_back(c.status);
  EXPECT_EQ(got.size(), 4u);
  EXPECT_TRUE(server.on_room());  // the consumer made room: the rest goes out
  while (consumer->try_reap(c)) got.push_back(c.status);
  EXPECT_EQ(server.overflowed(), 0u);
  EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 10, 20, 30, 40, 50, 60, 70}));
}

TEST(RingOverflow, ConsumerShutdownLetsTheProducerDrainThenSeeShutdown) {
  auto storage = hal::RingPairStorage::create(4, 4);
  ASSERT_TRUE(storage.has_value());
  auto consumer = hal::RingConsumer::attach(storage->pair());
  hal::RingServer server(*hal::RingProducer::attach(storage->pair()), {});
  hal::SqEntry64 s{};
  ASSERT_TRUE(consumer->submit(s).has_value());
  ASSERT_TRUE(consumer->submit(s).has_value());
  consumer->shut_down();
  hal::Executor exec;
  std::vector<int> results;
  struct Drain {
    static hal::Task<void> run(hal::RingServer& srv, std::vector<int>& out) {
      for (;;) {
        auto r = co_await srv.next();
        out.push_back(r ? 0 : r.error().code());
        if (!r) co_return;
      }
    }
  };
  exec.spawn(Drain::run(server, results), "drain");
  exec.run_ready();
  EXPECT_EQ(results, (std::vector<int>{0, 0, hal::errc::shutdown}));
}
