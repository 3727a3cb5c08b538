// The queue pair: SQ tail and doorbell, CIDs and flow control, CQ draining
// with the Phase Tag over several wraps, stray entries, clearing after a
// reset. The test plays the controller on plain memory.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "drivers/nvmed/queue.hpp"

using namespace nvmed;

namespace {

struct Recorder final : hal::MmioBackend {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> writes;  // (offset in BAR, value)
  std::uint64_t base = 0x8000'0000;
  std::uint64_t mmio_read(std::uint64_t, unsigned) override { return 0; }
  void mmio_write(std::uint64_t phys, unsigned, std::uint64_t v) override { writes.emplace_back(phys - base, v); }
  std::uint64_t last(std::uint64_t off) const {
    for (auto it = writes.rbegin(); it != writes.rend(); ++it)
      if (it->first == off) return it->second;
    return ~0ull;
  }
};

struct Rings {
  std::vector<std::uint8_t> sq, cq;
  Recorder mmio;
  std::unique_ptr<QueuePair> q;
  std::uint32_t entries;
  // The controller's side.
  std::uint32_t cq_tail = 0;
  bool cq_phase = true;
  std::uint32_t sq_head = 0;

  explicit Rings(std::uint32_t n, std::uint16_t qid = 1) : sq(n * 64), cq(n * 16), entries(n) {
    q = std::make_unique<QueuePair>(qid, n, hal::DmaBuffer{0x10000, sq.data(), sq.size()},
                                    hal::DmaBuffer{0x20000, cq.data(), cq.size()},
                                    hal::Mmio(&mmio, mmio.base, 0x4000), 0, 1);
    q->set_live(true);
  }
  SubmissionEntry fetch() {
    SubmissionEntry e;
    std::memcpy(&e, sq.data() + sq_head * 64, 64);
    sq_head = (sq_head + 1) % entries;
    return e;
  }
  void post(std::uint16_t cid, std::uint16_t sf = 0, std::uint16_t sqid = 1) {
    CompletionEntry c{};
    c.cid = cid;
    c.sqid = sqid;
    c.sqhd = static_cast<std::uint16_t>(sq_head);
    c.status = static_cast<std::uint16_t>(sf | (cq_phase ? 1 : 0));
    std::memcpy(cq.data() + cq_tail * 16, &c, 16);
    if (++cq_tail == entries) {
      cq_tail = 0;
      cq_phase = !cq_phase;
    }
  }
};

}  // namespace

TEST(NvmedQueue, SubmitWritesTheEntryAndRingsTheTailDoorbell) {
  Rings r(4, 2);
  EXPECT_EQ(r.q->capacity(), 3u);
  const std::uint16_t cid = r.q->submit(make_flush(1), Pending{});
  EXPECT_EQ(r.q->sq_tail(), 1u);
  EXPECT_EQ(r.mmio.last(0x1000 + 2 * 2 * 4), 1u);  // SQ2TDBL
  const SubmissionEntry e = r.fetch();
  EXPECT_EQ(e.opcode(), nvm_opc::kFlush);
  EXPECT_EQ(e.cid(), cid);
  EXPECT_EQ(e.nsid, 1u);
  ASSERT_NE(r.q->pending(cid), nullptr);
  EXPECT_EQ(r.q->pending(cid)->opcode, nvm_opc::kFlush);
}

TEST(NvmedQueue, AtMostEntriesMinusOneInFlight) {
  Rings r(4);
  std::vector<std::uint16_t> cids;
  for (int i = 0; i < 3; ++i) cids.push_back(r.q->submit(make_flush(1), Pending{}));
  EXPECT_FALSE(r.q->has_room());
  EXPECT_THROW(r.q->submit(make_flush(1), Pending{}), hal::ErrorException);
  // CIDs are distinct.
  EXPECT_NE(cids[0], cids[1]);
  EXPECT_NE(cids[1], cids[2]);
  EXPECT_NE(cids[0], cids[2]);
  r.fetch();
  r.post(cids[1]);
  std::vector<std::uint16_t> seen;
  EXPECT_EQ(r.q->drain([&](const CompletionEntry& c) { seen.push_back(c.cid); r.q->take(c.cid); }), 1u);
  EXPECT_EQ(seen, std::vector<std::uint16_t>{cids[1]});
  EXPECT_TRUE(r.q->has_room());
  EXPECT_EQ(r.mmio.last(0x1000 + 3 * 4), 1u);  // CQ1HDBL = 1
  EXPECT_EQ(r.q->sq_head(), 1u);               // SQHD as the controller reported it
  // A freed CID is reused last (FIFO).
  const std::uint16_t next = r.q->submit(make_flush(1), Pending{});
  EXPECT_NE(next, cids[0]);
  EXPECT_NE(next, cids[2]);
}

TEST(NvmedQueue, PhaseTagAcrossManyWraps) {
  Rings r(4);
  std::uint64_t done = 0;
  for (int round = 0; round < 50; ++round) {
    // Up to three in flight, completed out of order.
    std::vector<std::uint16_t> cids;
    const int n = 1 + round % 3;
    for (int i = 0; i < n; ++i) cids.push_back(r.q->submit(make_flush(1), Pending{}));
    for (int i = 0; i < n; ++i) r.fetch();
    for (int i = n - 1; i >= 0; --i) r.post(cids[i]);
    // Nothing new before the controller posts: draining again finds nothing.
    std::vector<std::uint16_t> seen;
    r.q->drain([&](const CompletionEntry& c) {
      seen.push_back(c.cid);
      EXPECT_TRUE(r.q->take(c.cid).has_value());
    });
    EXPECT_EQ(seen.size(), cids.size());
    EXPECT_EQ(r.q->drain([&](const CompletionEntry&) { ADD_FAILURE() << "stale entry taken"; }), 0u);
    done += seen.size();
    EXPECT_EQ(r.q->cq_head(), done % 4);
    EXPECT_EQ(r.q->phase(), (done / 4) % 2 == 0);
  }
  EXPECT_EQ(r.q->in_flight(), 0u);
  EXPECT_EQ(r.q->completed(), done);
}

TEST(NvmedQueue, StrayAndDuplicateCompletionsAreNotTaken) {
  Rings r(8);
  const std::uint16_t cid = r.q->submit(make_flush(1), Pending{});
  r.post(cid);
  r.post(cid);      // the same CID again
  r.post(77);       // never submitted
  int taken = 0, stray = 0;
  r.q->drain([&](const CompletionEntry& c) { (r.q->take(c.cid) ? taken : stray)++; });
  EXPECT_EQ(taken, 1);
  EXPECT_EQ(stray, 2);
  EXPECT_EQ(r.q->cq_head(), 3u);
}

TEST(NvmedQueue, ClearStartsOverAfterAReset) {
  Rings r(4);
  Pending p;
  p.deadline_ns = 42;
  r.q->submit(make_flush(1), p);
  r.q->submit(make_flush(2), p);
  r.fetch();
  r.post(0);
  const std::vector<Pending> left = r.q->clear();
  EXPECT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].deadline_ns, 42u);
  EXPECT_FALSE(r.q->live());
  EXPECT_FALSE(r.q->has_room());
  EXPECT_EQ(r.q->sq_tail(), 0u);
  EXPECT_EQ(r.q->cq_head(), 0u);
  EXPECT_TRUE(r.q->phase());
  EXPECT_EQ(r.q->in_flight(), 0u);
  for (std::uint8_t b : r.cq) EXPECT_EQ(b, 0);  // the posted entry is gone: it cannot look new
  r.q->set_live(true);
  EXPECT_TRUE(r.q->has_room());
  EXPECT_EQ(r.q->drain([](const CompletionEntry&) { ADD_FAILURE(); }), 0u);
}
