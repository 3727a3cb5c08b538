// Two runs of the same workload produce the same trace digest, and the
// digest changes when the workload does.
#include "nvme_machine.hpp"
#include "sim/core/rng.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
sim::Digest run_workload(std::uint64_t seed) {
  auto p = default_params();
  p.trace_io = true;
  Machine m(p);
  m.run([&] {
    m.bring_up();
    auto& a = m.create_io(1, 64, 1);
    auto& b = m.create_io(2, 64, 2);
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kInterruptCoalescing, 3 | (1u << 8))), kSuccess));
    sim::RngStream rng(seed, "determinism");
    const auto buf = m.alloc(64 * 4096);
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 24; ++i) {
        HostQueue& q = rng.chance(1, 2) ? a : b;
        const std::uint8_t op = rng.chance(1, 3) ? io::kWrite : io::kRead;
        m.push(q, Machine::rw_cmd(op, q.qid, rng.uniform(10000), 1 + static_cast<std::uint32_t>(rng.uniform(8)),
                                  buf + 4096 * static_cast<std::uint64_t>(rng.uniform(63))),
               false);
      }
      m.ring(a);
      m.ring(b);
      sc_core::wait(sim::to_sc(sim::ms(1)));
      while (m.pop(a)) {
      }
      while (m.pop(b)) {
      }
    }
  }, sim::sec(1));
  return m.trace.digest();
}
}  // namespace

TEST(NvmeDeterminism, SameWorkloadSameDigest) {
  const sim::Digest d1 = run_workload(3), d2 = run_workload(3), d3 = run_workload(4);
  EXPECT_EQ(d1, d2);
  EXPECT_FALSE(d1 == d3);
}
