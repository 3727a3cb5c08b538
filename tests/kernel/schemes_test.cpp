// Schemes served by daemons: requests the kernel forwards (kernel -> user),
// and rings consumers attach (user -> user).
#include <cstring>

#include "kernel_fixture.hpp"

using namespace ktest;
using hal::Opcode;
using hal::make_sqe;

namespace {

std::map<std::string, std::int64_t> g;
std::int64_t status(const hal::CqEntry64& c) { return hal::status_signed(c.status); }

constexpr std::uint8_t kOpSum = 130;  // a producer opcode: sum the bytes of a pool buffer

// A daemon serving "echo": Open returns handle 7 for "echo:good", ENOENT
// otherwise; Read fills the granted buffer with the offset's low byte; Write
// counts bytes; Close acknowledges. Its user -> user rings answer kOpSum.
hal::Task<void> serve_ring(hal::Connection c) {
  for (;;) {
    auto sqe = co_await c.ring->next();
    if (!sqe) {
      g["ring_end_errno"] = sqe.error().code();
      co_return;
    }
    ++g["ring_requests"];
    if (sqe->opcode != kOpSum) {
      c.ring->reply_error(*sqe, hal::errc::nosys);
      continue;
    }
    auto buf = c.ring->buffer(sqe->addr, sqe->len);
    if (!buf) {
      c.ring->reply_error(*sqe, buf.error().code());
      continue;
    }
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < buf->size; ++i) sum += buf->data[i];
    c.ring->reply(*sqe, sum, c.peer);
  }
}

hal::Task<void> accept_loop(hal::Sys& sys, hal::SchemeServer* s) {
  for (;;) {
    auto c = co_await s->accept();
    if (!c) co_return;
    g["accepted_peer"] = c->peer;
    sys.executor().spawn(serve_ring(*c), "ring");
  }
}

hal::Task<int> echo_daemon(hal::Sys& sys) {
  auto s = sys.register_scheme("echo");
  if (!s) co_return 1;
  auto dup = sys.register_scheme("echo");
  g["register_twice"] = dup ? 0 : -dup.error().code();
  sys.daemonize();
  sys.executor().spawn(accept_loop(sys, *s), "accept");
  for (;;) {
    auto sqe = co_await (*s)->requests().next();
    if (!sqe) co_return 0;
    const auto op = static_cast<Opcode>(sqe->opcode);
    if (op == Opcode::open) {
      auto path = sys.grant_view(sqe->addr, sqe->len);
      const std::string p = path ? std::string(reinterpret_cast<char*>(path->data), path->size) : "";
      (*s)->requests().reply(*sqe, p == "echo:good" ? 7 : hal::status_from_errno(hal::errc::noent));
    } else if (op == Opcode::pread || op == Opcode::read) {
      g["daemon_saw_handle"] = static_cast<std::int64_t>(sqe->fd);
      auto buf = sys.grant_view(sqe->addr, sqe->len);
      if (!buf) {
        (*s)->requests().reply(*sqe, hal::status_from_errno(hal::errc::fault));
        continue;
      }
      for (std::size_t i = 0; i < buf->size; ++i) buf->data[i] = static_cast<std::uint8_t>(sqe->offset + i);
      g["last_grant_phys"] = static_cast<std::int64_t>(sqe->addr);
      (*s)->requests().reply(*sqe, buf->size);
    } else if (op == Opcode::pwrite || op == Opcode::write) {
      (*s)->requests().reply(*sqe, sqe->len);
    } else if (op == Opcode::close) {
      ++g["daemon_closes"];
      (*s)->requests().reply(*sqe, 0);
    } else {
      (*s)->requests().reply(*sqe, hal::status_from_errno(hal::errc::nosys));
    }
    if (g["last_grant_phys"] && op == Opcode::pwrite) {
      // The grant of the earlier read was revoked when the daemon answered.
      g["stale_grant"] = sys.grant_view(static_cast<std::uint64_t>(g["last_grant_phys"]), 16).has_value();
    }
  }
}

hal::Task<int> file_client(hal::Sys& sys) {
  co_await sys.sleep_ns(100);  // the daemon registers first
  auto bad = co_await hal::open(sys, "echo:bad");
  g["open_bad"] = bad ? 0 : -bad.error().code();
  auto fd = co_await hal::open(sys, "echo:good");
  if (!fd) co_return 1;
  auto off = sys.kernel_pool().alloc(256);
  auto n = co_await hal::pread(sys, *fd, *off, 256, 1000);
  g["read_bytes"] = n ? static_cast<std::int64_t>(*n) : -1;
  bool pattern = true;
  for (int i = 0; i < 256; ++i) pattern &= sys.kernel_ring().pool().data[*off + i] == static_cast<std::uint8_t>(1000 + i);
  g["read_pattern"] = pattern;
  auto w = co_await hal::pwrite(sys, *fd, *off, 100, 0);
  g["write_bytes"] = w ? static_cast<std::int64_t>(*w) : -1;
  auto outside = co_await sys.kernel_ring().call(make_sqe(Opcode::pread, *fd, sys.kernel_ring().pool().size, 16));
  g["read_outside_pool"] = status(outside);
  auto c = co_await hal::close(sys, *fd);
  g["close"] = c.has_value();
  co_return 0;
}

hal::Task<int> ring_client(hal::Sys& sys) {
  co_await sys.sleep_ns(100);
  auto none = sys.attach("nosuch", 8, 4096);
  g["attach_unknown"] = none ? 0 : -none.error().code();
  auto badn = sys.attach("echo", 6, 4096);
  g["attach_bad_entries"] = badn ? 0 : -badn.error().code();
  auto ch = sys.attach("echo", 4, 4096);
  if (!ch) co_return 1;
  for (int i = 0; i < 64; ++i) ch->pool.data[i] = 2;
  // Subscribe to the ring's activity on the kernel ring.
  hal::SqEntry64 sub = make_sqe(Opcode::register_events, ch->fd);
  sub.flags = hal::kSqeSubscribe;
  sub.user_data = 0;  // replaced by the client
  struct Sub {
    static hal::Task<void> run(hal::Sys& s, hal::SqEntry64 e) { (void)co_await s.kernel_ring().call(e); }
  };
  sys.executor().spawn(Sub::run(sys, sub), "subscribe");
  co_await sys.sleep_ns(10);
  // 32 requests in flight on a 4-entry ring: back-pressure, nothing lost.
  int good = 0;
  struct One {
    static hal::Task<void> run(hal::RingClient* r, int& good) {
      hal::SqEntry64 s{};
      s.opcode = kOpSum;
      s.addr = 0;
      s.len = 64;
      auto c = co_await r->call(s);
      if (c.status == 128) ++good;
    }
  };
  for (int i = 0; i < 32; ++i) sys.executor().spawn(One::run(ch->ring, good), "sum");
  while (good < 32) co_await sys.sleep_ns(1000);
  g["sums_ok"] = good;
  hal::SqEntry64 outside{};
  outside.opcode = kOpSum;
  outside.addr = 4000;
  outside.len = 200;
  g["sum_outside_pool"] = status(co_await ch->ring->call(outside));
  hal::SqEntry64 unknown{};
  unknown.opcode = 200;
  const auto u = co_await ch->ring->call(unknown);
  g["ring_unknown_op"] = status(u);
  // Events delivered through RegisterEvents.
  std::int64_t events = 0;
  while (auto e = sys.kernel_ring().events().try_next()) events += (e->flags & hal::kCqeEvent) ? 1 : 0;
  g["events"] = events;
  (void)co_await hal::close(sys, ch->fd);
  co_await sys.sleep_ns(1000);
  co_return 0;
}

hal::Task<int> short_daemon(hal::Sys& sys) {
  auto s = sys.register_scheme("brief");
  if (!s) co_return 1;
  auto c = co_await (*s)->accept();
  if (!c) co_return 1;
  co_await sys.sleep_ns(5000);
  co_return 0;  // exits with a request unanswered
}

hal::Task<int> abandoned_client(hal::Sys& sys) {
  co_await sys.sleep_ns(100);
  auto ch = sys.attach("brief", 4, 0);
  if (!ch) co_return 1;
  hal::SqEntry64 s{};
  s.opcode = 140;
  auto c = co_await ch->ring->call(s);
  g["abandoned"] = status(c);
  auto again = sys.attach("brief", 4, 0);
  g["attach_after_exit"] = again ? 0 : -again.error().code();
  co_return 0;
}

}  // namespace

TEST(KernelSchemes, ForwardedRequestsReachTheDaemonWithGrantedBuffers) {
  g.clear();
  Machine m({{"echo", &echo_daemon}, {"client", &file_client}});
  m.run({"echo", "client"});
  ASSERT_TRUE(m.k->failures().empty()) << m.k->failures()[0];
  EXPECT_EQ(g["register_twice"], -hal::errc::exist);
  EXPECT_EQ(g["open_bad"], -hal::errc::noent);
  EXPECT_EQ(g["daemon_saw_handle"], 7);  // the daemon's own handle, not the client's fd
  EXPECT_EQ(g["read_bytes"], 256);
  EXPECT_EQ(g["read_pattern"], 1);
  EXPECT_EQ(g["write_bytes"], 100);
  EXPECT_EQ(g["stale_grant"], 0);
  EXPECT_EQ(g["read_outside_pool"], -hal::errc::fault);
  EXPECT_EQ(g["close"], 1);
  EXPECT_EQ(g["daemon_closes"], 1);
}

TEST(KernelSchemes, UserRingsCarryRequestsWithBackPressureAndEvents) {
  g.clear();
  Machine m({{"echo", &echo_daemon}, {"client", &ring_client}});
  m.run({"echo", "client"});
  ASSERT_TRUE(m.k->failures().empty()) << m.k->failures()[0];
  EXPECT_EQ(g["attach_unknown"], -hal::errc::noent);
  EXPECT_EQ(g["attach_bad_entries"], -hal::errc::inval);
  EXPECT_GT(g["accepted_peer"], 0);
  EXPECT_EQ(g["sums_ok"], 32);
  EXPECT_EQ(g["sum_outside_pool"], -hal::errc::fault);
  EXPECT_EQ(g["ring_unknown_op"], -hal::errc::nosys);
  EXPECT_GE(g["events"], 34);  // one per answer, subscribed
  EXPECT_EQ(g["ring_end_errno"], hal::errc::shutdown);  // the client closed: the server drained, then ESHUTDOWN
}

TEST(KernelSchemes, ADaemonThatExitsFailsWhatIsPending) {
  g.clear();
  Machine m({{"brief", &short_daemon}, {"client", &abandoned_client}});
  m.run({"brief", "client"});
  EXPECT_EQ(g["abandoned"], -hal::errc::shutdown);
  EXPECT_EQ(g["attach_after_exit"], -hal::errc::noent);
}

TEST(KernelSchemes, IdenticalRunsGiveIdenticalDigests) {
  auto digest = [] {
    g.clear();
    Machine m({{"echo", &echo_daemon}, {"client", &ring_client}});
    m.run({"echo", "client"});
    return std::make_pair(m.trace.digest(), sim::now());
  };
  const auto a = digest(), b = digest();
  EXPECT_EQ(a.first, b.first);
  EXPECT_EQ(a.second, b.second);
}

namespace {

hal::Task<int> late_daemon(hal::Sys& sys) {
  co_await sys.sleep_ns(20'000);
  auto s = sys.register_scheme("late");
  if (!s) co_return 1;
  sys.daemonize();
  for (;;) {
    auto sqe = co_await (*s)->requests().next();
    if (!sqe) co_return 0;
    (*s)->requests().reply(*sqe, sqe->opcode == static_cast<std::uint8_t>(Opcode::open) ? 42 : 0);
  }
}

hal::Task<int> early_client(hal::Sys& sys) {
  auto now = co_await hal::open(sys, "late:x");
  g["plain_open"] = now ? 0 : -now.error().code();
  auto fd = co_await hal::open_when_ready(sys, "late:x");
  g["waited_open_ok"] = fd.has_value();
  g["opened_at_ns"] = static_cast<std::int64_t>(sys.now_ns());
  co_return 0;
}

}  // namespace

TEST(KernelSchemes, AnOpenCanWaitForItsSchemeToAppear) {
  g.clear();
  Machine m({{"late", &late_daemon}, {"early", &early_client}});
  m.run({"late", "early"});
  ASSERT_TRUE(m.k->failures().empty()) << m.k->failures()[0];
  EXPECT_EQ(g["plain_open"], -hal::errc::noent);
  EXPECT_EQ(g["waited_open_ok"], 1);
  EXPECT_GE(g["opened_at_ns"], 20'000);
  EXPECT_EQ(m.warnings(), 1u);  // only the plain open was refused
}
