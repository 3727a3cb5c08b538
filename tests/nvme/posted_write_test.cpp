// Posted MMIO writes that carry the initiator's local time offset (TLM-2.0
// loosely timed: a CPU running ahead of SystemC time does not wait before a
// posted write). Whether the controller takes the write at once (SQ Tail and
// CQ Head doorbells) or PciFunction keeps it until it arrives (any other
// register), it must behave exactly as the same write received at its
// arrival time.
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {

constexpr sim::Picos kAhead = sim::ns(700);

// Writes `v` as if issued by a CPU `ahead` ps ahead of SystemC time.
void write_ahead(Machine& m, std::uint64_t off, std::uint64_t v, sim::Picos ahead) {
  sc_core::sc_time d = sim::to_sc(ahead);
  m.cpu.write(kBar0 + off, 4, v, d);
}

// Time from ringing a 4 KiB read's SQ doorbell (now, `ahead` in the future,
// or a plain write after waiting `ahead`) to its CQE, on an idle controller.
sim::Picos read_latency(bool posted) {
  sim::Picos took = 0;
  Machine m;
  m.run([&] {
    m.bring_up();
    HostQueue& q = m.create_io(1);
    const std::uint64_t buf = m.alloc(4096);
    sc_core::wait(sim::to_sc(sim::ms(1)));  // idle again
    Sqe s = Machine::rw_cmd(io::kRead, 1, 7, 0, buf);
    s.cid = q.next_cid++;
    m.mem.write(q.sq_base + 64ULL * q.sq_tail, &s, sizeof s);
    q.sq_tail = (q.sq_tail + 1) % q.sq_size;
    const sim::Picos t0 = sim::now();
    if (posted) {
      write_ahead(m, m.sq_doorbell(1), q.sq_tail, kAhead);
    } else {
      sc_core::wait(sim::to_sc(kAhead));
      m.wr(m.sq_doorbell(1), q.sq_tail);
    }
    ASSERT_TRUE(m.wait_cqe(q).has_value());
    took = m.irq_times.back() - t0;
  });
  return took;
}

}  // namespace

TEST(NvmePostedWrite, ASqDoorbellAheadOfTimeActsWhenItArrives) {
  const sim::Picos synced = read_latency(false);
  const sim::Picos posted = read_latency(true);
  EXPECT_GT(synced, kAhead);
  EXPECT_EQ(posted, synced);  // the same fetch, the same completion, the same interrupt
}

TEST(NvmePostedWrite, ARegisterWriteAheadOfTimeIsKeptUntilItArrives) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    m.msix_enable();
    const std::uint64_t asq = m.alloc(4096), acq = m.alloc(4096);
    m.wr(reg::kAqa, (31u << 16) | 31u);
    m.wr(reg::kAsq, asq, 8);
    m.wr(reg::kAcq, acq, 8);
    // CC.EN = 1, arriving 20 us from now: CSTS.RDY follows enable_latency
    // (1 ms) after the arrival, not after now.
    constexpr sim::Picos ahead = sim::us(20);
    const sim::Picos t0 = sim::now();
    write_ahead(m, reg::kCc, cc::kEn | (6u << cc::kIosqesShift) | (4u << cc::kIocqesShift), ahead);
    sc_core::wait(sim::to_sc(sim::ms(1) + ahead / 2));
    EXPECT_EQ(m.rd(reg::kCsts) & csts::kRdy, 0u) << "ready before the write arrived";
    EXPECT_LT(sim::now(), t0 + sim::ms(1) + ahead);
    sc_core::wait(sim::to_sc(ahead));
    EXPECT_EQ(m.rd(reg::kCsts) & csts::kRdy, csts::kRdy);
  });
}
