#include <gtest/gtest.h>

#include "devices/pci/config_space.hpp"

using namespace pci;

TEST(ConfigSpace, IdentificationRegistersAreReadOnly) {
  ConfigSpace cs;
  cs.set_ids(0x1234, 0xABCD, 0x01, 0x08, 0x02, 0x07);
  cs.write(kVendorId, 4, 0xFFFF'FFFF);
  EXPECT_EQ(cs.read(kVendorId, 2), 0x1234u);
  EXPECT_EQ(cs.read(kDeviceId, 2), 0xABCDu);
  EXPECT_EQ(cs.read(kRevisionId, 4), 0x0108'0207u);
  cs.write(kRevisionId, 4, 0);
  EXPECT_EQ(cs.read(kRevisionId, 4), 0x0108'0207u);
}

TEST(ConfigSpace, CommandRegisterKeepsOnlyImplementedBits) {
  ConfigSpace cs;
  cs.write(kCommand, 2, 0xFFFF);
  const std::uint16_t expected = kCommandMemorySpace | kCommandBusMaster | kCommandParityErrorResponse |
                                 kCommandSerrEnable | kCommandInterruptDisable;
  EXPECT_EQ(cs.read(kCommand, 2), expected);
  EXPECT_TRUE(cs.memory_space_enabled());
  EXPECT_TRUE(cs.bus_master_enabled());
  cs.write(kCommand, 1, 0x00);  // a byte write touches only the low byte
  EXPECT_EQ(cs.read(kCommand, 2), expected & 0xFF00);
}

TEST(ConfigSpace, StatusErrorBitsAreWriteOneToClear) {
  ConfigSpace cs;
  cs.add_capability(kCapIdMsi, 0x10);
  cs.set_status_bits(kStatusReceivedMasterAbort | kStatusSignaledTargetAbort);
  cs.write(kStatus, 2, 0);  // writing zeros changes nothing
  EXPECT_EQ(cs.read(kStatus, 2) & (kStatusReceivedMasterAbort | kStatusSignaledTargetAbort),
            kStatusReceivedMasterAbort | kStatusSignaledTargetAbort);
  cs.write(kStatus, 2, kStatusReceivedMasterAbort);  // clears only that bit
  EXPECT_EQ(cs.read(kStatus, 2) & kStatusReceivedMasterAbort, 0u);
  EXPECT_NE(cs.read(kStatus, 2) & kStatusSignaledTargetAbort, 0u);
  cs.write(kStatus, 2, 0xFFFF);  // Capabilities List is read-only, not RW1C
  EXPECT_EQ(cs.read(kStatus, 2), kStatusCapabilitiesList);
}

TEST(ConfigSpace, Bar32SizingReturnsTheSizeMask) {
  ConfigSpace cs;
  cs.define_bar(0, BarKind::mem32, 16 * 1024, false);
  cs.write(kBar0, 4, 0xFFFF'FFFF);
  EXPECT_EQ(cs.read(kBar0, 4), 0xFFFF'C000u);  // 16 KiB, memory, 32-bit, not prefetchable
  cs.write(kBar0, 4, 0xC000'4000);
  EXPECT_EQ(cs.bar(0).address, 0xC000'4000u);
  cs.write(kBar0, 4, 0xC000'4FFF);  // low bits are read-only zero
  EXPECT_EQ(cs.read(kBar0, 4), 0xC000'4000u);
  EXPECT_EQ(cs.bar(0).size, 16u * 1024);
}

TEST(ConfigSpace, Bar64SizingUsesTwoRegisters) {
  ConfigSpace cs;
  cs.define_bar(2, BarKind::mem64, 1ULL << 33, true);  // 8 GiB, prefetchable
  cs.write(kBar0 + 8, 4, 0xFFFF'FFFF);
  cs.write(kBar0 + 12, 4, 0xFFFF'FFFF);
  EXPECT_EQ(cs.read(kBar0 + 8, 4), 0x0000'000Cu);  // type 64-bit (10b) + prefetchable; address bits all size
  EXPECT_EQ(cs.read(kBar0 + 12, 4), 0xFFFF'FFFEu);
  const std::uint64_t mask = (std::uint64_t{cs.read(kBar0 + 12, 4)} << 32) | (cs.read(kBar0 + 8, 4) & ~0xFu);
  EXPECT_EQ(~mask + 1, 1ULL << 33);
  cs.write(kBar0 + 8, 4, 0);
  cs.write(kBar0 + 12, 4, 0x80);
  const BarInfo b = cs.bar(2);
  EXPECT_EQ(b.kind, BarKind::mem64);
  EXPECT_TRUE(b.prefetchable);
  EXPECT_EQ(b.address, 0x80'0000'0000u);
  EXPECT_EQ(cs.bar(3).kind, BarKind::none);  // the upper half is not a BAR of its own
}

TEST(ConfigSpace, UnimplementedBarsReadZeroAfterSizing) {
  ConfigSpace cs;
  cs.define_bar(0, BarKind::mem32, 4096, false);
  for (unsigned i = 1; i < kNumBars; ++i) {
    cs.write(static_cast<std::uint16_t>(kBar0 + 4 * i), 4, 0xFFFF'FFFF);
    EXPECT_EQ(cs.read(static_cast<std::uint16_t>(kBar0 + 4 * i), 4), 0u) << "BAR" << i;
  }
}

TEST(ConfigSpace, BadBarDefinitionsAreRejected) {
  ConfigSpace cs;
  EXPECT_THROW(cs.define_bar(5, BarKind::mem64, 4096, false), std::invalid_argument);
  EXPECT_THROW(cs.define_bar(0, BarKind::mem32, 3000, false), std::invalid_argument);
  EXPECT_THROW(cs.define_bar(0, BarKind::mem32, 8, false), std::invalid_argument);
  EXPECT_THROW(cs.define_bar(6, BarKind::mem32, 4096, false), std::invalid_argument);
  cs.define_bar(0, BarKind::mem32, 4096, false);
  EXPECT_THROW(cs.define_bar(0, BarKind::mem32, 4096, false), std::invalid_argument);
}

TEST(ConfigSpace, CapabilityListIsWalkableInOrder) {
  ConfigSpace cs;
  EXPECT_FALSE(cs.find_capability(kCapIdMsi));
  const auto a = cs.add_capability(kCapIdPciExpress, kPcieCapSize);
  const auto b = cs.add_capability(kCapIdMsi, 0x18);
  const auto c = cs.add_capability(kCapIdMsix, 12);
  EXPECT_NE(cs.read(kStatus, 2) & kStatusCapabilitiesList, 0u);
  EXPECT_EQ(cs.read(kCapabilitiesPointer, 1), a);
  EXPECT_EQ(cs.read(a + 1, 1), b);
  EXPECT_EQ(cs.read(b + 1, 1), c);
  EXPECT_EQ(cs.read(c + 1, 1), 0u);
  EXPECT_EQ(a % 4, 0);
  EXPECT_EQ(b % 4, 0);
  EXPECT_EQ(c % 4, 0);
  EXPECT_EQ(cs.find_capability(kCapIdMsix), c);
  cs.write(kCapabilitiesPointer, 1, 0);  // read-only
  EXPECT_EQ(cs.find_capability(kCapIdMsi), b);
}

TEST(ConfigSpace, CapabilitiesCannotOverflowStandardSpace) {
  ConfigSpace cs;
  for (int i = 0; i < 3; ++i) cs.add_capability(0x09, 0x40);
  EXPECT_THROW(cs.add_capability(0x09, 0x40), std::invalid_argument);
}
