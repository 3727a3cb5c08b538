// Registers, initialization, reset and shutdown (§3.1, §7.3, §7.6).
#include "nvme_machine.hpp"

using namespace nvmetest;
namespace reg = nvme::reg;
namespace csts = nvme::csts;
namespace cc = nvme::cc;

TEST(NvmeInit, CapabilitiesVersionAndClassCode) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    const std::uint64_t cap = m.rd(reg::kCap, 8);
    EXPECT_EQ(cap & 0xFFFF, 4095u);                 // MQES: 4096 entries, 0's based
    EXPECT_TRUE(cap & nvme::cap::kCqr);             // contiguous queues required
    EXPECT_EQ((cap >> 17) & 0x3, 0u);               // AMS: round robin only
    EXPECT_EQ((cap >> 24) & 0xFF, 1u);              // TO: 500 ms covers the 1 ms enable
    EXPECT_EQ((cap >> 32) & 0xF, 0u);               // DSTRD
    EXPECT_EQ((cap >> 37) & 0xFF, 1u);              // CSS: NVM command set
    EXPECT_EQ((cap >> 48) & 0xF, 0u);               // MPSMIN 4 KiB
    EXPECT_EQ((cap >> 52) & 0xF, 4u);               // MPSMAX 64 KiB
    EXPECT_EQ(m.rd(reg::kCap + 4), cap >> 32);      // the high dword alone
    EXPECT_EQ(m.rd(reg::kVs), 0x00010400u);         // NVMe 1.4
    EXPECT_EQ(m.cfg_read(pci::kClassProgIf - 1) >> 8, 0x010802u);  // mass storage / NVM / NVMe
    EXPECT_EQ(m.csts(), 0u);
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 0u);
}

TEST(NvmeInit, ReadyAfterEnableLatencyWithinTimeout) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    const std::uint64_t asq = m.alloc(4096), acq = m.alloc(4096);
    m.wr(reg::kAqa, 0x000F'000F);
    m.wr(reg::kAsq, asq, 8);
    m.wr(reg::kAcq, acq, 8);
    EXPECT_EQ(m.rd(reg::kAsq, 8), asq);
    EXPECT_EQ(m.rd(reg::kAcq + 4), acq >> 32);
    const sim::Picos t0 = sim::now();
    m.wr(reg::kCc, cc::kEn);
    EXPECT_EQ(m.csts() & csts::kRdy, 0u);  // not at once
    ASSERT_TRUE(m.wait_csts(csts::kRdy, csts::kRdy));
    const sim::Picos took = sim::now() - t0;
    EXPECT_GE(took, sim::ms(1));
    EXPECT_LE(took, sim::ms(500) * ((m.rd(reg::kCap, 8) >> 24) & 0xFF));  // bounded by CAP.TO
  });
}

namespace {
// Enables with one bad setting; CSTS.CFS must be set and RDY must stay 0; a
// reset clears CFS and a correct enable then works.
void expect_enable_fails(std::function<void(Machine&)> spoil) {
  Machine m;
  m.run([&] {
    m.pci_enable();
    spoil(m);
    const std::uint32_t cc_val = static_cast<std::uint32_t>(m.rd(reg::kCc));
    m.wr(reg::kCc, cc_val | cc::kEn);
    sc_core::wait(sim::to_sc(sim::ms(2)));
    EXPECT_EQ(m.csts() & (csts::kRdy | csts::kCfs), csts::kCfs);
    m.wr(reg::kCc, 0);
    ASSERT_TRUE(m.wait_csts(csts::kRdy | csts::kCfs, 0));
    EXPECT_TRUE(m.enable_controller());
  });
  EXPECT_GE(m.trace.count(sim::Severity::warn), 1u);
}
}  // namespace

TEST(NvmeInit, InvalidAdminQueueAttributesSetCfs) {
  expect_enable_fails([](Machine& m) {
    m.wr(reg::kAqa, 0x000F'0000);  // ASQS = 0
    m.wr(reg::kAsq, m.alloc(4096), 8);
    m.wr(reg::kAcq, m.alloc(4096), 8);
  });
}

TEST(NvmeInit, MisalignedAdminQueueForPageSizeSetsCfs) {
  expect_enable_fails([](Machine& m) {
    m.wr(reg::kAqa, 0x000F'000F);
    m.wr(reg::kAsq, m.alloc(8192, 8192) + 4096, 8);  // 4 KiB aligned, not 8 KiB
    m.wr(reg::kAcq, m.alloc(8192, 8192), 8);
    m.wr(reg::kCc, 1u << cc::kMpsShift);  // 8 KiB pages
  });
}

TEST(NvmeInit, UnsupportedPageSizeSetsCfs) {
  expect_enable_fails([](Machine& m) {
    m.wr(reg::kAqa, 0x000F'000F);
    m.wr(reg::kAsq, m.alloc(1 << 20, 1 << 20), 8);
    m.wr(reg::kAcq, m.alloc(1 << 20, 1 << 20), 8);
    m.wr(reg::kCc, 5u << cc::kMpsShift);  // 128 KiB > MPSMAX
  });
}

TEST(NvmeInit, InvalidIoQueueEntrySizeSetsCfs) {
  expect_enable_fails([](Machine& m) {
    m.wr(reg::kAqa, 0x000F'000F);
    m.wr(reg::kAsq, m.alloc(4096), 8);
    m.wr(reg::kAcq, m.alloc(4096), 8);
    m.wr(reg::kCc, 5u << cc::kIosqesShift);  // 32-byte SQEs
  });
}

TEST(NvmeInit, ResetDeletesQueuesAndClearsReadyAfterADelay) {
  Machine m;
  m.run([&] {
    m.bring_up();
    m.create_io(1, 16, 1);
    m.wr(reg::kCc, m.rd(reg::kCc) & ~cc::kEn);
    EXPECT_EQ(m.csts() & csts::kRdy, csts::kRdy);  // reset takes time
    ASSERT_TRUE(m.wait_csts(csts::kRdy, 0));
    ASSERT_TRUE(m.enable_controller());
    // Queue 1 is gone: its doorbell is an invalid doorbell write, and it can be created again.
    const std::uint64_t warns = m.trace.count(sim::Severity::warn);
    m.wr(m.sq_doorbell(1), 1);
    sc_core::wait(sim::to_sc(sim::us(5)));
    EXPECT_EQ(m.trace.count(sim::Severity::warn), warns + 1);
    m.create_io(1, 16, 1);
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(1, 0, m.alloc(4096))), nvme::kSuccess));
  });
}

TEST(NvmeInit, ShutdownGoesThroughProcessingToComplete) {
  Machine m;
  m.run([&] {
    m.bring_up();
    m.wr(reg::kCc, m.rd(reg::kCc) | (1u << cc::kShnShift));  // normal shutdown
    EXPECT_EQ((m.csts() & csts::kShstMask) >> csts::kShstShift, 1u);  // processing
    ASSERT_TRUE(m.wait_csts(csts::kShstMask, 2u << csts::kShstShift));
    m.reset_controller();
    EXPECT_EQ(m.csts() & csts::kShstMask, 0u);  // a reset returns SHST to normal
    ASSERT_TRUE(m.enable_controller());
  });
}

TEST(NvmeInit, BadRegisterAccessesAreTracedAndIgnored) {
  Machine m;
  m.run([&] {
    m.bring_up();
    const std::uint64_t w0 = m.trace.count(sim::Severity::warn);
    EXPECT_EQ(m.rd(reg::kCap, 1), 0u);        // byte read
    EXPECT_EQ(m.rd(reg::kVs + 2, 2), 0u);     // word read
    EXPECT_EQ(m.rd(reg::kCc, 8), 0u);         // qword read of a 32-bit register
    m.wr(reg::kCc, 0, 2);                     // word write: ignored, the controller stays enabled
    m.wr(reg::kCap, 0x1234);                  // read-only
    m.wr(reg::kCsts, 0xFF);                   // read-only
    m.wr(0x200, 1);                           // reserved
    m.wr(m.sq_doorbell(0), 1, 2);             // doorbells are dword writes
    m.wr(m.sq_doorbell(0) + 1, 1);            // misaligned
    EXPECT_EQ(m.trace.count(sim::Severity::warn), w0 + 9);
    EXPECT_EQ(m.csts() & (csts::kRdy | csts::kCfs), csts::kRdy);
    EXPECT_EQ(m.rd(reg::kCc) & cc::kEn, cc::kEn);
    auto buf = m.alloc(4096);
    EXPECT_TRUE(is(m.admin_cmd(Machine::identify_cmd(1, 0, buf)), nvme::kSuccess));
  });
}

TEST(NvmeInit, PageSizeCannotChangeWhileEnabled) {
  Machine m;
  m.run([&] {
    m.bring_up();
    const auto before = static_cast<std::uint32_t>(m.rd(reg::kCc));
    m.wr(reg::kCc, before | (2u << cc::kMpsShift));
    EXPECT_EQ(cc::mps(static_cast<std::uint32_t>(m.rd(reg::kCc))), 0u);
    EXPECT_EQ(m.csts() & csts::kRdy, csts::kRdy);
  });
}
