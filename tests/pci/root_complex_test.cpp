#include "test_machine.hpp"

using namespace pcitest;
using namespace pci;

TEST(RootComplex, EcamReadsAllOnesWhereNoFunctionIs) {
  Machine m;
  m.add("d", 2, 0);
  m.run([&] {
    EXPECT_EQ(m.cfg_read(2, 0, kVendorId, 2), 0x1234u);
    EXPECT_EQ(m.cfg_read(3, 0, kVendorId, 4), 0xFFFF'FFFFu);
    EXPECT_EQ(m.cfg_read(2, 1, kVendorId, 2), 0xFFFFu);
    m.cfg_write(3, 0, kCommand, 0xFFFF, 2);  // dropped, no crash
  });
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 0u);  // probing empty slots is normal
}

TEST(RootComplex, EcamRoutesToEachFunctionOfAMultiFunctionDevice) {
  Machine m;
  PciTestParams p1;
  p1.device_id = 0x1111;
  PciTestParams p2;
  p2.device_id = 0x2222;
  m.add("f0", 4, 0, p1);
  m.add("f5", 4, 5, p2);
  m.add("single", 5, 0);
  m.run([&] {
    EXPECT_EQ(m.cfg_read(4, 0, kDeviceId, 2), 0x1111u);
    EXPECT_EQ(m.cfg_read(4, 5, kDeviceId, 2), 0x2222u);
    EXPECT_EQ(m.cfg_read(4, 0, kHeaderType, 1) & kHeaderTypeMultiFunction, kHeaderTypeMultiFunction);
    EXPECT_EQ(m.cfg_read(5, 0, kHeaderType, 1) & kHeaderTypeMultiFunction, 0u);
    m.cfg_write(4, 5, kInterruptLine, 0x0B, 1);
    EXPECT_EQ(m.cfg_read(4, 5, kInterruptLine, 1), 0x0Bu);
    EXPECT_EQ(m.cfg_read(4, 0, kInterruptLine, 1), 0u);
  });
}

TEST(RootComplex, MisalignedConfigAccessIsAMasterAbort) {
  Machine m;
  m.add("d", 1, 0);
  m.run([&] { EXPECT_EQ(m.cfg_read(1, 0, 0x01, 2), 0xFFFFu); });
  EXPECT_EQ(m.rc.master_aborts(), 1u);
  EXPECT_EQ(m.trace.count(sim::Severity::warn), 1u);
}

TEST(RootComplex, MmioReachesTheRightBarOfTheRightFunction) {
  Machine m;
  m.add("a", 1, 0);
  m.add("b", 2, 0);
  m.run([&] {
    m.enable(1, 0, 0xC000'0000, 0x80'0000'0000);
    m.enable(2, 0, 0xC001'0000, 0x80'0001'0000);
    m.wr(0xC000'0000 + Dev::kScratch, 0xAAAA);
    m.wr(0xC001'0000 + Dev::kScratch, 0xBBBB);
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kScratch), 0xAAAAu);
    EXPECT_EQ(m.rd(0xC001'0000 + Dev::kScratch), 0xBBBBu);
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kId), Dev::kIdValue);
    // BAR2 of b is its MSI-X table: entry 0 reads masked.
    EXPECT_EQ(m.rd(0x80'0001'0000 + kMsixEntryVectorControl), 1u);
  });
  EXPECT_EQ(m.rc.master_aborts(), 0u);
}

TEST(RootComplex, MemorySpaceDisabledMeansNoDecode) {
  Machine m;
  m.add("a", 1, 0);
  m.run([&] {
    m.enable(1, 0, 0xC000'0000, 0, kCommandBusMaster);  // BARs set, MSE off
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kId), 0xFFFF'FFFFu);
    m.cfg_write(1, 0, kCommand, kCommandMemorySpace, 2);
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kId), Dev::kIdValue);
  });
  EXPECT_EQ(m.rc.master_aborts(), 1u);
}

TEST(RootComplex, MovingABarMovesTheDecode) {
  Machine m;
  m.add("a", 1, 0);
  m.run([&] {
    m.enable(1, 0, 0xC000'0000);
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kId), Dev::kIdValue);
    m.cfg_write(1, 0, kBar0, 0xC800'0000);
    EXPECT_EQ(m.rd(0xC000'0000 + Dev::kId), 0xFFFF'FFFFu);
    EXPECT_EQ(m.rd(0xC800'0000 + Dev::kId), Dev::kIdValue);
    // An access that runs past the end of the BAR is not claimed.
    EXPECT_EQ(m.rd(0xC800'0000 + 4092, 8), ~0ULL);
  });
  EXPECT_EQ(m.rc.master_aborts(), 2u);
}

TEST(RootComplex, SlotsCannotBeTakenTwice) {
  Machine m;
  m.add("a", 1, 0);
  EXPECT_THROW(m.add("b", 1, 0), std::invalid_argument);
}
