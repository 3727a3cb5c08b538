// The pure building blocks, without SystemC: the reservation calendar, the
// flash timing model, the write cache, the coalescer, asynchronous events.
#include <gtest/gtest.h>

#include <cstring>

#include "devices/nvme/async_events.hpp"
#include "devices/nvme/busy_calendar.hpp"
#include "devices/nvme/coalescing.hpp"
#include "devices/nvme/flash_model.hpp"
#include "devices/nvme/nvme_spec.hpp"
#include "devices/nvme/write_cache.hpp"

using namespace nvme;

TEST(NvmeComponents, CalendarFillsGapsOutOfOrder) {
  BusyCalendar c;
  EXPECT_EQ(c.reserve(100, 10), 100u);  // [100,110)
  EXPECT_EQ(c.reserve(50, 10), 50u);    // earlier and free: not behind the first
  EXPECT_EQ(c.reserve(105, 10), 110u);  // overlaps: after it
  EXPECT_EQ(c.reserve(55, 41), 120u);   // the gap [60,100) is one too short
  EXPECT_EQ(c.reserve(60, 40), 60u);    // ... and exactly right for this one
  EXPECT_EQ(c.intervals(), 1u);         // adjacent reservations merged: [50,161)
  c.prune(200);
  EXPECT_EQ(c.intervals(), 0u);
  EXPECT_EQ(c.reserve(150, 5), 150u);
}

TEST(NvmeComponents, FlashReadIsSenseThenChannelTransfer) {
  TimingProfile t;
  FlashModel f(t);
  const sim::Picos xfer = sim::transfer_time(4096, t.channel_bytes_per_second);
  EXPECT_EQ(f.read(0, 0, 0, 4096), t.read_latency + xfer);
  // The same plane again waits for it; the next page goes to another die in parallel.
  EXPECT_EQ(f.read(0, 0, 0, 4096), 2 * (t.read_latency + xfer));
  EXPECT_EQ(f.read(0, 0, t.page_bytes, 4096), t.read_latency + xfer);
  // 128 KiB = 8 pages on 8 channels: all in parallel.
  FlashModel g(t);
  EXPECT_EQ(g.read(0, 0, 0, 128 * 1024), t.read_latency + sim::transfer_time(t.page_bytes, t.channel_bytes_per_second));
}

TEST(NvmeComponents, WriteBufferHidesProgramUntilFull) {
  TimingProfile t;
  t.write_buffer_bytes = 4 * t.program_unit_bytes;
  FlashModel f(t);
  // Four units fit: each write completes at once.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(f.write(0, t.program_unit_bytes, false), 0u);
  // The fifth waits until the first unit is programmed.
  const sim::Picos first_done = sim::transfer_time(t.program_unit_bytes, t.channel_bytes_per_second) + t.program_latency;
  EXPECT_EQ(f.write(0, t.program_unit_bytes, false), first_done);
  // A durable (FUA) write waits for its own program.
  FlashModel g(t);
  EXPECT_EQ(g.write(0, 4096, true), sim::transfer_time(4096, t.channel_bytes_per_second) + t.program_latency);
  // Flush waits for everything, including the partly filled unit.
  FlashModel h(t);
  h.write(0, 4096, false);
  EXPECT_EQ(h.flush(0), sim::transfer_time(4096, t.channel_bytes_per_second) + t.program_latency);
}

TEST(NvmeComponents, WriteCacheKeepsDataUntilFlush) {
  auto store = make_memory_store(1 << 20);
  WriteCache cache(*store, 1 << 20);
  std::vector<std::uint8_t> a(1000, 0xAB), out(1000), z(1000, 0);
  ASSERT_TRUE(cache.write(5000, 1000, a.data()));  // partial chunks on both sides
  ASSERT_TRUE(store->read(5000, 1000, out.data()));
  EXPECT_EQ(out, z);  // not in the store yet
  ASSERT_TRUE(cache.read(5000, 1000, out.data()));
  EXPECT_EQ(out, a);
  ASSERT_TRUE(cache.write_zeroes(5000, 500));
  ASSERT_TRUE(cache.read(5000, 1000, out.data()));
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + 500), std::vector<std::uint8_t>(500, 0));
  EXPECT_EQ(out[500], 0xAB);
  ASSERT_TRUE(cache.flush());
  EXPECT_EQ(cache.dirty_bytes(), 0u);
  ASSERT_TRUE(store->read(5000, 1000, out.data()));
  EXPECT_EQ(out[500], 0xAB);
  // Deallocate goes through and drops what the cache held for the range.
  ASSERT_TRUE(cache.write(0, 1000, a.data()));
  ASSERT_TRUE(cache.deallocate(0, 8192));
  ASSERT_TRUE(cache.read(0, 1000, out.data()));
  EXPECT_EQ(out, z);
}

TEST(NvmeComponents, WriteCacheDestagesPastItsLimit) {
  auto store = make_memory_store(1 << 20);
  WriteCache cache(*store, 2 * WriteCache::kChunk);
  std::vector<std::uint8_t> a(3 * WriteCache::kChunk, 0x5A), out(3 * WriteCache::kChunk);
  ASSERT_TRUE(cache.write(0, a.size(), a.data()));
  EXPECT_EQ(cache.dirty_bytes(), 0u);
  ASSERT_TRUE(store->read(0, out.size(), out.data()));
  EXPECT_EQ(out, a);
}

TEST(NvmeComponents, CoalescerThresholdTimeAndExceptions) {
  Coalescer c(4);
  EXPECT_TRUE(c.on_completion(1, false, 0).signal_now);  // off by default
  c.configure(2, 1);                                      // 3 entries or 100 us
  auto d = c.on_completion(1, false, 0);
  EXPECT_FALSE(d.signal_now);
  ASSERT_TRUE(d.arm_timer);
  EXPECT_EQ(d.timer_at, sim::us(100));
  EXPECT_FALSE(c.on_completion(1, false, 10).arm_timer);  // one timer per aggregation
  EXPECT_TRUE(c.on_completion(1, false, 20).signal_now);  // the third entry
  c.signalled(1);
  EXPECT_FALSE(c.on_timer(1, d.token));                   // stale after the signal
  EXPECT_TRUE(c.on_completion(0, true, 0).signal_now);    // the Admin CQ is never coalesced
  c.set_disabled(2, true);
  EXPECT_TRUE(c.on_completion(2, false, 0).signal_now);   // CD = 1
  auto e = c.on_completion(3, false, 0);
  EXPECT_TRUE(c.on_timer(3, e.token));                    // the time limit
  c.reset();
  EXPECT_TRUE(c.on_completion(3, false, 0).signal_now);
}

TEST(NvmeComponents, AsyncEventsMaskPerTypeUntilLogRead) {
  AsyncEvents a(2);
  EXPECT_FALSE(a.report(aer::kTypeErrorStatus).has_value());  // none outstanding: dropped
  EXPECT_TRUE(a.add_request(10));
  EXPECT_TRUE(a.add_request(11));
  EXPECT_FALSE(a.add_request(12));
  EXPECT_EQ(a.report(aer::kTypeErrorStatus), std::optional<std::uint16_t>(10));
  EXPECT_FALSE(a.report(aer::kTypeErrorStatus).has_value());  // masked
  EXPECT_EQ(a.report(aer::kTypeSmartHealth), std::optional<std::uint16_t>(11));
  a.unmask(aer::kTypeErrorStatus);
  EXPECT_TRUE(a.add_request(13));
  EXPECT_EQ(a.report(aer::kTypeErrorStatus), std::optional<std::uint16_t>(13));
  EXPECT_EQ(AsyncEvents::dw0(0, 1, 1), 0x010100u);
}
