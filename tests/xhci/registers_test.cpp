#include "xhci_machine.hpp"

using namespace xhcitest;

TEST(XhciRegisters, CapabilityRegistersAndWidths) {
  XhciParams p;
  p.usb2_ports = 2;
  p.usb3_ports = 3;
  p.scratchpad_buffers = 40;
  Machine m(p);
  m.run([&] {
    m.pci_enable();
    EXPECT_EQ(m.rd(kBar, 1), kCapLength);
    EXPECT_EQ(m.rd(kBar + 2, 2), 0x0120u);
    EXPECT_EQ(m.rd(kBar) >> 16, 0x0120u);
    const auto hcs1 = m.rd(kBar + kHcsParams1);
    EXPECT_EQ(hcs1 & 0xFF, 32u);
    EXPECT_EQ((hcs1 >> 8) & 0x7FF, 4u);
    EXPECT_EQ(hcs1 >> 24, 5u);
    const auto hcs2 = m.rd(kBar + kHcsParams2);
    EXPECT_EQ(((hcs2 >> 21) & 0x1F) << 5 | (hcs2 >> 27), 40u);  // Max Scratchpad Bufs
    const auto hcc1 = m.rd(kBar + kHccParams1);
    EXPECT_EQ(hcc1 & kHcc1Ac64, kHcc1Ac64);
    EXPECT_EQ(hcc1 & kHcc1Csz, 0u);
    EXPECT_EQ(m.rd(kBar + kDbOff), kDoorbellBase);
    EXPECT_EQ(m.rd(kBar + kRtsOff), kRuntimeBase);
    EXPECT_EQ(m.rd(kBar + kHcsParams1, 8), hcs1 | (m.rd(kBar + kHcsParams2) << 32));  // qword read
    // Extended capabilities: Legacy Support, then Supported Protocol USB 2 and USB 3.
    std::uint64_t x = kBar + (hcc1 >> 16) * 4;
    EXPECT_EQ(m.rd(x) & 0xFF, kExtCapLegacySupport);
    x += ((m.rd(x) >> 8) & 0xFF) * 4;
    EXPECT_EQ(m.rd(x) & 0xFF, kExtCapSupportedProtocol);
    EXPECT_EQ(m.rd(x) >> 24, 2u);
    EXPECT_EQ(m.rd(x + 4), 0x20425355u);
    EXPECT_EQ(m.rd(x + 8) & 0xFFFF, 0x0201u);  // ports 1..2
    x += ((m.rd(x) >> 8) & 0xFF) * 4;
    EXPECT_EQ(m.rd(x) >> 24, 3u);
    EXPECT_EQ(m.rd(x + 8) & 0xFFFF, 0x0303u);  // ports 3..5
    EXPECT_EQ((m.rd(x) >> 8) & 0xFF, 0u);      // last
    m.wr(kBar + kExtCapBase, kUsbLegSupOsOwned);
    EXPECT_EQ(m.rd(kBar + kExtCapBase) & kUsbLegSupOsOwned, kUsbLegSupOsOwned);
  });
}

TEST(XhciRegisters, ResetRunHaltAndNotReady) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHch, kStsHch);
    EXPECT_EQ(m.rd(kOp + kPageSize), 1u);
    m.wr(kOp + kUsbCmd, kCmdHcReset);
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsCnr, kStsCnr);  // set during reset
    EXPECT_EQ(m.rd(kOp + kUsbCmd) & kCmdHcReset, kCmdHcReset);
    m.wr(kOp + kDnCtrl, 0x2);  // ignored while CNR
    m.wait(sim::us(20));
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsCnr, 0u);
    EXPECT_EQ(m.rd(kOp + kUsbCmd) & kCmdHcReset, 0u);
    EXPECT_EQ(m.rd(kOp + kDnCtrl), 0u);
    m.wr(kOp + kDnCtrl, 0x2);
    EXPECT_EQ(m.rd(kOp + kDnCtrl), 0x2u);
    m.wr(kOp + kDcbaap, 0x1234'5678'9ABC'DEC0ULL, 8);
    EXPECT_EQ(m.rd(kOp + kDcbaap), 0x9ABC'DEC0u);
    EXPECT_EQ(m.rd(kOp + kDcbaap + 4), 0x1234'5678u);
    m.wr(kOp + kCrcr, 0x10'0001, 8);
    EXPECT_EQ(m.rd(kOp + kCrcr, 8), 0u);  // the pointer reads as zero
  });
}

TEST(XhciRegisters, RunStopsAndMfindexAdvancesOnlyWhileRunning) {
  Machine m;
  m.run([&] {
    m.init();
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHch, 0u);
    const auto a = m.rd(kRt + kMfIndex);
    m.wait(sim::us(1000));
    const auto b = m.rd(kRt + kMfIndex);
    EXPECT_GE(b - a, 7u);
    EXPECT_LE(b - a, 9u);
    m.wr(kOp + kUsbCmd, 0);
    m.wait(sim::us(20));
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHch, kStsHch);
    const auto c = m.rd(kRt + kMfIndex);
    m.wait(sim::us(1000));
    EXPECT_EQ(m.rd(kRt + kMfIndex), c);
  });
}

TEST(XhciRegisters, ScratchpadArrayIsRequired) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    m.reset_controller();
    m.wr(kOp + kDcbaap, m.alloc(256), 8);  // DCBAA[0] left zero
    m.wr(kOp + kUsbCmd, kCmdRunStop);
    m.wait(sim::us(20));
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHse, kStsHse);
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHch, kStsHch);
    EXPECT_EQ(m.rd(kOp + kUsbCmd) & kCmdRunStop, 0u);
    m.wr(kOp + kUsbSts, kStsHse);  // RW1C
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHse, 0u);
  });
  EXPECT_EQ(m.hc->host_system_errors(), 1u);
}

TEST(XhciRegisters, BusMasterOffIsAHostSystemError) {
  Machine m;
  m.run([&] {
    m.init();
    m.cfg_write(pci::kCommand, pci::kCommandMemorySpace, 2);  // BME off
    m.push(m.cmd, Machine::cmd_trb(TrbType::no_op_command));
    m.wr(kDb, 0);
    m.wait(sim::us(20));
    EXPECT_EQ(m.rd(kOp + kUsbSts) & kStsHse, kStsHse);
  });
  EXPECT_GE(m.trace.count(sim::Severity::warn), 1u);
}
