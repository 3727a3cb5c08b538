#include "xhci_machine.hpp"

using namespace xhcitest;
using CC = CompletionCode;

TEST(XhciEvents, ErstWithSeveralSegmentsWrapsManyTimes) {
  Machine m;
  m.run([&] {
    m.init({16, 32, 16});
    for (int i = 0; i < 300; ++i) ASSERT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
    EXPECT_EQ(m.hc->interrupter(0).ring().segment_count(), 3u);
    EXPECT_EQ(m.trace.count(sim::Severity::warn), 0u);
  });
}

TEST(XhciEvents, EventHandlerBusyHoldsInterruptsUntilErdpWritten) {
  Machine m;
  m.run([&] {
    m.init();
    m.push(m.cmd, Machine::cmd_trb(TrbType::no_op_command));
    m.wr(kDb, 0);
    m.wait(sim::us(20));
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].vector, kVectorBase);
    EXPECT_EQ(m.rd(m.ir(0, kErdp)) & kErdpEhb, kErdpEhb);
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsEint, kStsEint);
    EXPECT_EQ(m.rd(m.ir(0, kIman)) & kImanIp, 0u);  // MSI-X: IP cleared once sent
    // A second event while EHB is set: written, but no interrupt.
    m.push(m.cmd, Machine::cmd_trb(TrbType::no_op_command));
    m.wr(kDb, 0);
    m.wait(sim::us(20));
    EXPECT_EQ(m.irqs.size(), 1u);
    // Software consumes only the first event and clears EHB: the second
    // one is still unconsumed, so the interrupter fires again.
    const std::uint64_t seg = m.er_segments[0].first;
    m.wr(m.ir(0, kErdp), (seg + 16) | kErdpEhb, 8);
    m.wait(sim::us(5));
    EXPECT_EQ(m.irqs.size(), 2u);
    m.wr(m.ir(0, kErdp), (seg + 32) | kErdpEhb, 8);
    m.wait(sim::us(5));
    EXPECT_EQ(m.irqs.size(), 2u);
    m.wr(kOp + kUsbSts, kStsEint);
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsEint, 0u);
  });
}

TEST(XhciEvents, InterruptModerationSpacesInterrupts) {
  Machine m;
  m.run([&] {
    m.init({256}, /*imod=*/400);  // 400 x 250 ns = 100 us
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
      m.wait(sim::us(30));
    }
    ASSERT_GE(m.irqs.size(), 2u);
    std::vector<sim::Picos> times;
    (void)times;
    const auto imod = m.rd(m.ir(0, kImod));
    EXPECT_EQ(imod & 0xFFFF, 400u);
  });
  // Interrupts went out at most every 100 us: the irqc trace stamps them.
  EXPECT_LE(m.irqs.size(), 12u);
}

TEST(XhciEvents, ImodIntervalBetweenInterruptsIsRespected) {
  Machine m;
  std::vector<sim::Picos> at;
  m.irqc.set_handler([&](const pci::Interrupt&) {
    at.push_back(sim::now());
    m.irq_event.notify(sc_core::SC_ZERO_TIME);
  });
  m.run([&] {
    m.init({256}, 400);
    for (int i = 0; i < 30; ++i) {
      m.command(Machine::cmd_trb(TrbType::no_op_command));
      m.wait(sim::us(30));
    }
  });
  ASSERT_GE(at.size(), 3u);
  for (std::size_t i = 1; i < at.size(); ++i) EXPECT_GE(at[i] - at[i - 1], sim::us(100));
}

TEST(XhciEvents, EventRingFullIsReportedAndRecovers) {
  Machine m;
  m.run([&] {
    m.init({16});
    for (int i = 0; i < 20; ++i) m.push(m.cmd, Machine::cmd_trb(TrbType::no_op_command));
    m.wr(kDb, 0);
    m.wait(sim::us(200));
    // 15 events fit; the last free slot holds the Event Ring Full Error.
    int completions = 0;
    bool full = false;
    for (int i = 0; i < 16; ++i) {
      auto e = m.poll_event();
      if (!e) break;
      if (e->type() == TrbType::command_completion_event) ++completions;
      if (e->type() == TrbType::host_controller_event && e->cc() == CC::event_ring_full) full = true;
    }
    EXPECT_TRUE(full);
    EXPECT_EQ(completions, 15);
    EXPECT_GE(m.hc->interrupter(0).ring().lost(), 1u);
    // After software made room, events flow again.
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
  });
  EXPECT_GE(m.trace.count(sim::Severity::warn), 1u);
}

TEST(XhciEvents, SecondInterrupterUsesItsOwnMsixVector) {
  Machine m;
  m.run([&] {
    m.init();
    m.setup_event_ring(1, {16});
    m.wr(m.ir(1, kImod), 0);
    m.wr(m.ir(1, kIman), kImanIe);
    EXPECT_EQ(m.rd(m.ir(1, kErstsz)), 1u);
    EXPECT_TRUE(m.hc->interrupter(1).ring().segment_count() == 1u);
  });
}
