// The user -> kernel ring: standard opcodes, and every bad request getting a
// negative errno and a trace warning instead of a crash.
#include <cstring>

#include "kernel_fixture.hpp"

using namespace ktest;
using hal::Opcode;
using hal::make_sqe;

namespace {

std::map<std::string, std::int64_t> g;

std::int64_t status(const hal::CqEntry64& c) { return hal::status_signed(c.status); }

hal::Task<int> bad_requests(hal::Sys& sys) {
  auto& r = sys.kernel_ring();
  const std::uint64_t pool = sys.kernel_ring().pool().size;
  g["unknown_opcode"] = status(co_await r.call(make_sqe(static_cast<Opcode>(77), 0)));
  g["bad_fd_read"] = status(co_await r.call(make_sqe(Opcode::read, 999)));
  g["bad_fd_close"] = status(co_await r.call(make_sqe(Opcode::close, 12345)));
  hal::SqEntry64 flags = make_sqe(Opcode::no_op, 0);
  flags.flags = 0x80;
  g["unknown_flags"] = status(co_await r.call(flags));
  g["path_outside_pool"] = status(co_await r.call(make_sqe(Opcode::open, 0, pool - 2, 10)));
  g["path_empty"] = status(co_await r.call(make_sqe(Opcode::open, 0, 0, 0)));
  auto no_scheme = co_await hal::open(sys, "noscheme");
  g["no_colon"] = no_scheme ? 0 : -no_scheme.error().code();
  auto unknown = co_await hal::open(sys, "nosuch:thing");
  g["unknown_scheme"] = unknown ? 0 : -unknown.error().code();
  auto bad_irq = co_await hal::open(sys, "irq:cpu-9/new");
  g["irq_bad_cpu"] = bad_irq ? 0 : -bad_irq.error().code();
  auto mem = co_await hal::open(sys, "memory:");
  g["memory_fd"] = mem ? static_cast<std::int64_t>(*mem) : -1;
  if (mem) {
    g["read_on_memory"] = status(co_await r.call(make_sqe(Opcode::read, *mem)));
    const auto m = co_await r.call(make_sqe(Opcode::mmap, *mem, 0, 8192));
    g["mmap_status_is_phys"] = status(m) > 0 && status(m) % 4096 == 0;
    auto view = sys.grant_view(m.status, 8192);
    g["mmap_viewable"] = view.has_value();
    g["mmap_zero_len"] = status(co_await r.call(make_sqe(Opcode::mmap, *mem, 0, 0)));
    auto dup = co_await r.call(make_sqe(Opcode::dup, *mem));
    g["dup_new_fd"] = status(dup) > 0 && dup.status != *mem;
    g["close_dup"] = status(co_await r.call(make_sqe(Opcode::close, dup.status)));
    g["close_twice"] = status(co_await r.call(make_sqe(Opcode::close, dup.status)));
  }
  auto irq = co_await hal::alloc_irq(sys, 0);
  if (irq) g["mmap_on_irq"] = status(co_await r.call(make_sqe(Opcode::mmap, irq->fd, 0, 4096)));
  g["register_events_not_ring"] = irq ? status(co_await r.call(make_sqe(Opcode::register_events, irq->fd))) : 1;
  g["fstat_outside_pool"] = irq ? status(co_await r.call(make_sqe(Opcode::fstat, irq->fd, pool, 32))) : 1;
  if (irq) {
    auto st = co_await hal::fstat(sys, irq->fd);
    g["fstat_irq_mode"] = st ? st->mode : -1;
  }
  g["noop"] = status(co_await r.call(make_sqe(Opcode::no_op, 0)));
  co_return 0;
}

hal::Task<int> irq_owner(hal::Sys& sys) {
  auto a = co_await hal::alloc_irq(sys, 1);
  auto b = co_await hal::alloc_irq(sys, 1);
  g["first_vector"] = a ? a->vector : -1;
  g["second_vector"] = b ? b->vector : -1;
  g["cpu"] = a ? a->cpu : -1;
  co_await sys.sleep_ns(10'000);  // stay alive while the other process tries
  co_return 0;
}

hal::Task<int> irq_thief(hal::Sys& sys) {
  co_await sys.sleep_ns(1'000);
  auto f = co_await hal::open(sys, "irq:cpu-1/64");
  g["steal"] = f ? 0 : -f.error().code();
  co_return 0;
}

hal::Task<int> many_in_flight(hal::Sys& sys) {
  // More requests than the ring has entries, all at once: none is lost.
  std::vector<hal::Task<hal::CqEntry64>> calls;
  int done = 0;
  struct Counter {
    static hal::Task<void> one(hal::Sys& s, int& n) {
      auto c = co_await s.kernel_ring().call(make_sqe(Opcode::no_op, 0));
      if (c.status == 0) ++n;
    }
  };
  for (int i = 0; i < 600; ++i) sys.executor().spawn(Counter::one(sys, done), "noop");
  while (done < 600) co_await sys.sleep_ns(1000);
  g["done"] = done;
  co_return 0;
}

}  // namespace

TEST(KernelRing, EveryBadRequestGetsItsErrnoAndAWarning) {
  g.clear();
  Machine m({{"bad", &bad_requests}});
  m.run({"bad"});
  ASSERT_TRUE(m.k->failures().empty());
  EXPECT_EQ(g["unknown_opcode"], -hal::errc::nosys);
  EXPECT_EQ(g["bad_fd_read"], -hal::errc::badf);
  EXPECT_EQ(g["bad_fd_close"], -hal::errc::badf);
  EXPECT_EQ(g["unknown_flags"], -hal::errc::inval);
  EXPECT_EQ(g["path_outside_pool"], -hal::errc::fault);
  EXPECT_EQ(g["path_empty"], -hal::errc::inval);
  EXPECT_EQ(g["no_colon"], -hal::errc::noent);
  EXPECT_EQ(g["unknown_scheme"], -hal::errc::noent);
  EXPECT_EQ(g["irq_bad_cpu"], -hal::errc::noent);
  EXPECT_EQ(g["read_on_memory"], -hal::errc::nosys);
  EXPECT_EQ(g["mmap_zero_len"], -hal::errc::inval);
  EXPECT_EQ(g["mmap_on_irq"], -hal::errc::nodev);
  EXPECT_EQ(g["register_events_not_ring"], -hal::errc::inval);
  EXPECT_EQ(g["fstat_outside_pool"], -hal::errc::fault);
  EXPECT_EQ(g["close_twice"], -hal::errc::badf);
  // 15 rejected requests, each traced.
  EXPECT_EQ(m.warnings(), 15u);
  // And the good ones worked.
  EXPECT_GT(g["memory_fd"], 0);
  EXPECT_EQ(g["mmap_status_is_phys"], 1);
  EXPECT_EQ(g["mmap_viewable"], 1);
  EXPECT_EQ(g["dup_new_fd"], 1);
  EXPECT_EQ(g["close_dup"], 0);
  EXPECT_EQ(g["fstat_irq_mode"], 4);
  EXPECT_EQ(g["noop"], 0);
}

TEST(KernelRing, IrqVectorsAreAllocatedAndOwned) {
  g.clear();
  Machine m({{"owner", &irq_owner}, {"thief", &irq_thief}});
  m.run({"owner", "thief"});
  EXPECT_EQ(g["first_vector"], 0x40);
  EXPECT_EQ(g["second_vector"], 0x41);
  EXPECT_EQ(g["cpu"], 1);
  EXPECT_EQ(g["steal"], -hal::errc::acces);
}

TEST(KernelRing, MoreRequestsThanEntriesAreAllServed) {
  g.clear();
  Machine m({{"many", &many_in_flight}});
  m.run({"many"});
  EXPECT_EQ(g["done"], 600);
  EXPECT_EQ(m.warnings(), 0u);
}
