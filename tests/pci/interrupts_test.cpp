#include "test_machine.hpp"

using namespace pcitest;
using namespace pci;
using sim::Hex;

namespace {
constexpr std::uint64_t kRegs = 0xC000'0000, kMsix = 0x80'0000'0000;

// Programs MSI-X entry `e` to (cpu, vector).
void msix_entry(Machine& m, unsigned e, unsigned cpu, unsigned vector, bool masked) {
  const std::uint64_t t = kMsix + 16 * e;
  m.wr(t + kMsixEntryAddrLo, InterruptController::message_address(cpu));
  m.wr(t + kMsixEntryAddrHi, 0);
  m.wr(t + kMsixEntryData, InterruptController::message_data(vector));
  m.wr(t + kMsixEntryVectorControl, masked ? 1 : 0);
}

std::uint16_t cap(Machine& m, std::uint8_t id) {
  auto p = static_cast<std::uint16_t>(m.cfg_read(1, 0, kCapabilitiesPointer, 1));
  while (p && m.cfg_read(1, 0, p, 1) != id) p = static_cast<std::uint16_t>(m.cfg_read(1, 0, p + 1, 1));
  return p;
}
}  // namespace

TEST(Interrupts, MsixMaskedVectorIsPendingAndUnmaskDeliversExactlyOnce) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix);
    msix_entry(m, 2, 1, 0x42, /*masked=*/true);
    m.cfg_write(1, 0, cap(m, kCapIdMsix) + kMsixMessageControl, kMsixControlEnable, 2);
    m.wr(kRegs + Dev::kIntRaise, 2);
    m.wr(kRegs + Dev::kIntRaise, 2);  // a second event while masked: still one pending bit
    m.wait_irqs(1, sim::us(10));
    EXPECT_TRUE(m.irqs.empty());
    EXPECT_EQ(m.rd(kMsix + 0x800), 1u << 2);  // PBA
    m.wr(kMsix + 16 * 2 + kMsixEntryVectorControl, 0);  // unmask
    m.wait_irqs(2, sim::us(10));
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].cpu, 1u);
    EXPECT_EQ(m.irqs[0].vector, 0x42u);
    EXPECT_EQ(m.irqs[0].source, "d");
    EXPECT_EQ(m.rd(kMsix + 0x800), 0u);  // pending bit cleared on delivery
  });
}

TEST(Interrupts, MsixFunctionMaskHoldsEveryVector) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix);
    for (unsigned e = 0; e < 4; ++e) msix_entry(m, e, 0, 0x50 + e, false);
    const std::uint16_t ctl = cap(m, kCapIdMsix) + kMsixMessageControl;
    m.cfg_write(1, 0, ctl, kMsixControlEnable | kMsixControlFunctionMask, 2);
    m.wr(kRegs + Dev::kIntRaise, 3);
    m.wr(kRegs + Dev::kIntRaise, 1);
    m.wait_irqs(1, sim::us(10));
    EXPECT_TRUE(m.irqs.empty());
    EXPECT_EQ(m.rd(kMsix + 0x800), 0b1010u);
    m.cfg_write(1, 0, ctl, kMsixControlEnable, 2);  // clear Function Mask
    m.wait_irqs(3, sim::us(10));
    ASSERT_EQ(m.irqs.size(), 2u);
    EXPECT_EQ(m.irqs[0].vector, 0x51u);  // pending vectors go out in vector order
    EXPECT_EQ(m.irqs[1].vector, 0x53u);
  });
}

TEST(Interrupts, MsiMultipleMessageAndPerVectorMask) {
  Machine m;
  PciTestParams p;
  p.msix_vectors = 0;
  p.msi_vectors = 8;
  m.add("d", 1, 0, p);
  m.run([&] {
    m.enable(1, 0, kRegs);
    const std::uint16_t c = cap(m, kCapIdMsi);
    m.cfg_write(1, 0, c + 4, static_cast<std::uint32_t>(InterruptController::message_address(0)));
    m.cfg_write(1, 0, c + 8, 0);
    m.cfg_write(1, 0, c + 0xC, 0x60, 2);  // base vector 0x60, aligned to 8
    m.cfg_write(1, 0, c + 0x10, 1u << 5);  // mask vector 5
    m.cfg_write(1, 0, c + kMsiMessageControl, kMsiControlEnable | (3u << kMsiControlMmeShift), 2);
    m.wr(kRegs + Dev::kIntRaise, 3);
    m.wr(kRegs + Dev::kIntRaise, 5);
    m.wait_irqs(2, sim::us(10));
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].vector, 0x63u);
    EXPECT_EQ(m.cfg_read(1, 0, c + 0x14), 1u << 5);  // pending
    m.cfg_write(1, 0, c + 0x10, 0);                  // unmask
    m.wait_irqs(2, sim::us(10));
    ASSERT_EQ(m.irqs.size(), 2u);
    EXPECT_EQ(m.irqs[1].vector, 0x65u);
    EXPECT_EQ(m.cfg_read(1, 0, c + 0x14), 0u);
  });
}

TEST(Interrupts, MsixTakesPrecedenceOverMsi) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix);
    const std::uint16_t c = cap(m, kCapIdMsi);
    m.cfg_write(1, 0, c + 4, static_cast<std::uint32_t>(InterruptController::message_address(0)));
    m.cfg_write(1, 0, c + 0xC, 0x30, 2);
    m.cfg_write(1, 0, c + kMsiMessageControl, kMsiControlEnable, 2);
    msix_entry(m, 0, 0, 0x70, false);
    m.cfg_write(1, 0, cap(m, kCapIdMsix) + kMsixMessageControl, kMsixControlEnable, 2);
    m.wr(kRegs + Dev::kIntRaise, 0);
    m.wait_irqs(1);
    ASSERT_EQ(m.irqs.size(), 1u);
    EXPECT_EQ(m.irqs[0].vector, 0x70u);
  });
  EXPECT_GE(m.trace.count(sim::Severity::warn), 1u);  // both enabled is a driver bug worth a warning
}

TEST(Interrupts, MessagesNeedBusMasterEnable) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix, kCommandMemorySpace);  // no BME
    msix_entry(m, 0, 0, 0x44, false);
    m.cfg_write(1, 0, cap(m, kCapIdMsix) + kMsixMessageControl, kMsixControlEnable, 2);
    m.wr(kRegs + Dev::kIntRaise, 0);
    m.wait_irqs(1, sim::us(10));
    EXPECT_TRUE(m.irqs.empty());
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 1u);
}

TEST(Interrupts, InvalidMessagesAreDroppedWithAWarning) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs, kMsix);
    msix_entry(m, 0, 0, 0x05, false);  // vectors 0-15 are reserved
    msix_entry(m, 1, 7, 0x40, false);  // CPU 7 does not exist
    m.cfg_write(1, 0, cap(m, kCapIdMsix) + kMsixMessageControl, kMsixControlEnable, 2);
    m.wr(kRegs + Dev::kIntRaise, 0);
    m.wr(kRegs + Dev::kIntRaise, 1);
    m.wr(kRegs + Dev::kIntRaise, 9);  // beyond the table
    m.wait_irqs(1, sim::us(10));
  });
  EXPECT_TRUE(m.irqs.empty());
  EXPECT_EQ(m.irqc.dropped(), 2u);
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 3u);
}

TEST(Interrupts, DeliveryFollowsArrivalTimeNotSendOrder) {
  sim::fresh_kernel();
  sim::Trace trace;
  pci::InterruptController irqc("irqc", trace, 1);
  std::vector<unsigned> order;
  std::vector<sim::Picos> when;
  irqc.set_handler([&](const Interrupt& i) {
    order.push_back(i.vector);
    when.push_back(sim::now());
  });
  sc_core::sc_spawn([&] {
    irqc.message(InterruptController::message_address(0), 0x40, "slow", sc_core::sc_time(300, sc_core::SC_NS));
    irqc.message(InterruptController::message_address(0), 0x41, "fast", sc_core::sc_time(100, sc_core::SC_NS));
    irqc.message(InterruptController::message_address(0), 0x42, "tie", sc_core::sc_time(300, sc_core::SC_NS));
  });
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  EXPECT_EQ(order, (std::vector<unsigned>{0x41, 0x40, 0x42}));
  EXPECT_EQ(when, (std::vector<sim::Picos>{sim::ns(100), sim::ns(300), sim::ns(300)}));
  EXPECT_EQ(irqc.delivered(0, 0x40), 1u);
}

TEST(Interrupts, IntxFollowsTheDeviceWhenMessagesAreOff) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] {
    m.enable(1, 0, kRegs);
    m.wr(kRegs + Dev::kIntRaise, 0);
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
    EXPECT_NE(m.cfg_read(1, 0, kStatus, 2) & kStatusInterrupt, 0u);
    m.wr(kRegs + Dev::kIntStatus, Dev::kIntSoftware);  // the driver acknowledges
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_US));
    EXPECT_EQ(m.cfg_read(1, 0, kStatus, 2) & kStatusInterrupt, 0u);
  });
  EXPECT_TRUE(m.irqs.empty());
}
