#include <gtest/gtest.h>

#include "devices/pci/msi.hpp"
#include "devices/pci/msix.hpp"
#include "devices/pci/pcie_capability.hpp"

using namespace pci;

TEST(Msi, ControlAdvertisesWhatWasInstalled) {
  ConfigSpace cs;
  MsiCapability msi;
  msi.install(cs, 8, true);
  const std::uint16_t ctl = static_cast<std::uint16_t>(cs.read(msi.offset() + kMsiMessageControl, 2));
  EXPECT_EQ((ctl >> kMsiControlMmcShift) & 7, 3u);  // 2^3 = 8 vectors
  EXPECT_NE(ctl & kMsiControl64Bit, 0u);
  EXPECT_NE(ctl & kMsiControlPerVectorMask, 0u);
  EXPECT_EQ(ctl & kMsiControlEnable, 0u);  // disabled after reset
  cs.write(msi.offset() + kMsiMessageControl, 2, 0xFFFF);
  EXPECT_EQ(cs.read(msi.offset() + kMsiMessageControl, 2) & ~0x71u, ctl & ~0x71u);  // only Enable and MME change
  EXPECT_THROW(MsiCapability().install(cs, 3, false), std::invalid_argument);
}

TEST(Msi, MultipleMessageReplacesTheLowDataBits) {
  ConfigSpace cs;
  MsiCapability msi;
  msi.install(cs, 8, false);
  cs.write(msi.offset() + 4, 4, 0xFEE0'1003);  // bits 1:0 are reserved zero
  cs.write(msi.offset() + 8, 4, 0);
  cs.write(msi.offset() + 0xC, 2, 0x4060);
  cs.write(msi.offset() + kMsiMessageControl, 2, kMsiControlEnable | (2u << kMsiControlMmeShift));  // 4 vectors
  EXPECT_TRUE(msi.enabled(cs));
  EXPECT_EQ(msi.enabled_vectors(cs), 4u);
  EXPECT_EQ(msi.message(cs, 0).address, 0xFEE0'1000u);
  EXPECT_EQ(msi.message(cs, 3).data, 0x4063u);
  EXPECT_EQ(msi.message(cs, 5).data, 0x4061u);  // vector 5 with 4 allocated wraps to 1
  // Software asking for more than the function can do gets what it can do.
  cs.write(msi.offset() + kMsiMessageControl, 2, kMsiControlEnable | (5u << kMsiControlMmeShift));
  EXPECT_EQ(msi.enabled_vectors(cs), 8u);
}

TEST(Msi, OnlyImplementedMaskBitsAreWritableAndPendingIsReadOnly) {
  ConfigSpace cs;
  MsiCapability msi;
  msi.install(cs, 4, true);
  cs.write(msi.offset() + 0x10, 4, 0xFFFF'FFFF);
  EXPECT_EQ(msi.mask_bits(cs), 0xFu);
  EXPECT_TRUE(msi.masked(cs, 3));
  msi.set_pending(cs, 2, true);
  cs.write(msi.offset() + 0x14, 4, 0);  // software cannot clear pending bits
  EXPECT_TRUE(msi.pending(cs, 2));
  EXPECT_EQ(msi.pending_bits(cs), 0x4u);
}

TEST(Msix, EntriesStartMaskedAndTakeAlignedAccesses) {
  ConfigSpace cs;
  MsixCapability x;
  x.install(cs, 16, 2, 0, 2, 0x800);
  EXPECT_EQ(cs.read(x.offset() + kMsixMessageControl, 2), 15u);  // Table Size is N-1
  EXPECT_EQ(cs.read(x.offset() + kMsixTable, 4), 2u);
  EXPECT_EQ(cs.read(x.offset() + kMsixPba, 4), 0x802u);
  for (unsigned v = 0; v < 16; ++v) EXPECT_TRUE(x.entry_masked(v));
  std::uint64_t val = 0;
  EXPECT_TRUE(x.table_write(16 * 3, 8, 0x0000'0000'FEE0'2000ULL));
  EXPECT_TRUE(x.table_write(16 * 3 + 8, 8, 0x0000'0000'0000'0041ULL));  // data 0x41, unmasked
  EXPECT_FALSE(x.entry_masked(3));
  EXPECT_EQ(x.message(3).address, 0xFEE0'2000u);
  EXPECT_EQ(x.message(3).data, 0x41u);
  EXPECT_TRUE(x.table_read(16 * 3 + 12, 4, val));
  EXPECT_EQ(val, 0u);
  EXPECT_FALSE(x.table_write(16 * 3 + 2, 4, 0));  // misaligned
  EXPECT_FALSE(x.table_read(16 * 3, 2, val));     // word access
  EXPECT_FALSE(x.table_read(16 * 16, 4, val));    // past the table
  x.set_pending(5, true);
  EXPECT_TRUE(x.pba_read(0, 8, val));
  EXPECT_EQ(val, 1u << 5);
}

TEST(Msix, ControlHasOnlyEnableAndFunctionMaskWritable) {
  ConfigSpace cs;
  MsixCapability x;
  x.install(cs, 4, 0, 0x1000, 0, 0x1800);
  cs.write(x.offset() + kMsixMessageControl, 2, 0xFFFF);
  EXPECT_EQ(cs.read(x.offset() + kMsixMessageControl, 2), kMsixControlEnable | kMsixControlFunctionMask | 3u);
  EXPECT_TRUE(x.enabled(cs));
  EXPECT_TRUE(x.function_masked(cs));
  cs.write(x.offset() + kMsixTable, 4, 0);  // read-only
  EXPECT_EQ(x.table_offset(), 0x1000u);
  EXPECT_EQ(cs.read(x.offset() + kMsixTable, 4), 0x1000u);
}

TEST(PcieCap, LinkFieldsAndPayloadSizes) {
  ConfigSpace cs;
  PcieCapability cap;
  PcieLinkParams link;
  link.generation = 4;
  link.lanes = 8;
  link.max_payload = 512;
  cap.install(cs, link);
  EXPECT_EQ(cs.read(cap.offset() + kPcieCapabilities, 2) & 0xF0, 0u);  // PCI Express Endpoint
  const std::uint32_t lnksta = cs.read(cap.offset() + kPcieLinkStatus, 2);
  EXPECT_EQ(lnksta & 0xF, 4u);
  EXPECT_EQ((lnksta >> 4) & 0x3F, 8u);
  EXPECT_EQ(cs.read(cap.offset() + kPcieLinkCapabilities2, 4), 0x1Eu);  // 2.5, 5, 8, 16 GT/s
  EXPECT_EQ(cap.max_payload(cs), 128u);      // reset value
  EXPECT_EQ(cap.max_read_request(cs), 512u);
  cs.write(cap.offset() + kPcieDeviceControl, 2, (5u << 5) | (3u << 12));  // asks 4096 B; supports 512 B
  EXPECT_EQ(cap.max_payload(cs), 512u);
  EXPECT_EQ(cap.max_read_request(cs), 1024u);
  EXPECT_EQ(encode_payload_size(256), 1u);
  EXPECT_EQ(encode_payload_size(4096), 5u);
}
