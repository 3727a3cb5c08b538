// pcid: enumeration of bus 0, the capability walk, enabling functions.
#include <gtest/gtest.h>

#include "drivers/pcid/bars.hpp"
#include "drivers/pcid/capabilities.hpp"
#include "drivers/pcid/enable.hpp"
#include "drivers/pcid/enumerate.hpp"
#include "drivers/pcid/regs.hpp"
#include "tests/drivers/bench.hpp"

namespace {

using fake::Bench;

TEST(PcidEnumerate, SingleFunctionDevices) {
  Bench b;
  fake::add_nvme_like(b.machine, 1);
  b.machine.emplace<fake::FakePciTest>(3, 0);
  const std::vector<pcid::Function> found = pcid::enumerate_bus0(b.ecam());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].bdf.str(), "00:01.0");
  EXPECT_EQ(found[0].vendor_id, 0x1B36);
  EXPECT_EQ(found[0].device_id, 0x0010);
  EXPECT_EQ(found[0].class_code, 0x01);
  EXPECT_EQ(found[0].subclass, 0x08);
  EXPECT_EQ(found[0].prog_if, 0x02);
  EXPECT_EQ(found[0].revision, 0x01);
  EXPECT_EQ(found[0].header_type, 0);
  EXPECT_EQ(found[1].bdf.str(), "00:03.0");
  EXPECT_EQ(found[1].vendor_id, 0x1234);
  EXPECT_EQ(found[1].device_id, 0xD51F);
  EXPECT_EQ(found[1].class_code, 0xFF);
  EXPECT_EQ(found[1].interrupt_pin, 1);
  EXPECT_EQ(found[1].subsystem_vendor_id, 0x1234);
}

TEST(PcidEnumerate, MultiFunctionDeviceScansAllEightFunctions) {
  Bench b;
  fake::add_plain(b.machine, 5, 0, 0x0100);
  fake::add_plain(b.machine, 5, 2, 0x0102);
  fake::add_plain(b.machine, 5, 7, 0x0107);
  ASSERT_TRUE(b.machine.function(5, 0)->cs.get8(pci::kHeaderType) & pci::kHeaderTypeMultiFunction);
  const std::vector<pcid::Function> found = pcid::enumerate_bus0(b.ecam());
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].bdf.str(), "00:05.0");
  EXPECT_EQ(found[1].bdf.str(), "00:05.2");
  EXPECT_EQ(found[1].device_id, 0x0102);
  EXPECT_EQ(found[2].bdf.str(), "00:05.7");
  EXPECT_EQ(found[2].header_type, 0);  // the multi-function bit is not part of the type
}

TEST(PcidEnumerate, WithoutTheMultiFunctionBitOnlyFunctionZeroIsLookedAt) {
  Bench b;
  fake::add_plain(b.machine, 4, 0);
  fake::add_plain(b.machine, 4, 1);
  b.machine.function(4, 0)->cs.set_multifunction(false);
  fake::add_plain(b.machine, 9, 2);  // no function 0: the device is absent
  const std::vector<pcid::Function> found = pcid::enumerate_bus0(b.ecam());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].bdf.str(), "00:04.0");
}

TEST(PcidEnumerate, EmptyBusFindsNothing) {
  Bench b;
  EXPECT_TRUE(pcid::enumerate_bus0(b.ecam()).empty());
  EXPECT_EQ(b.machine.master_aborts, 0u);  // only aligned byte/word/dword accesses
}

TEST(PcidCapabilities, WalksPcieMsiMsix) {
  Bench b;
  b.machine.emplace<fake::FakePciTest>(3, 0);
  pcid::Function f = pcid::read_function(b.ecam(), {0, 3, 0});
  pcid::walk_capabilities(b.ecam(), f);
  ASSERT_EQ(f.capabilities.size(), 3u);
  EXPECT_EQ(f.capabilities[0].id, pcid::regs::kCapIdPciExpress);
  EXPECT_EQ(f.capabilities[1].id, pcid::regs::kCapIdMsi);
  EXPECT_EQ(f.capabilities[2].id, pcid::regs::kCapIdMsix);
  EXPECT_FALSE(f.capability_list_broken);
  EXPECT_TRUE(f.pcie.present);
  EXPECT_EQ(f.pcie.max_payload_supported, 256u);
  EXPECT_TRUE(f.msi.present);
  EXPECT_EQ(f.msi.offset, f.capabilities[1].offset);
  EXPECT_EQ(f.msi.capable_vectors, 1u);
  EXPECT_TRUE(f.msi.is64);
  EXPECT_TRUE(f.msi.per_vector_mask);
  EXPECT_TRUE(f.msix.present);
  EXPECT_EQ(f.msix.table_size, 4u);
  EXPECT_EQ(f.msix.table_bar, 2u);
  EXPECT_EQ(f.msix.table_offset, 0u);
  EXPECT_EQ(f.msix.pba_bar, 2u);
  EXPECT_EQ(f.msix.pba_offset, 0x800u);
  EXPECT_EQ(pcid::find_capability(f, pcid::regs::kCapIdMsix), f.msix.offset);
  EXPECT_EQ(pcid::find_capability(f, 0x09), 0);
}

TEST(PcidCapabilities, LoopGuardStopsOnCyclesAndPointersIntoTheHeader) {
  Bench b;
  fake::FakeFunction& f = fake::add_plain(b.machine, 2);
  f.cs.set16(pci::kStatus, pci::kStatusCapabilitiesList);
  f.cs.set8(pci::kCapabilitiesPointer, 0x40);
  f.cs.set8(0x40, 0x09);
  f.cs.set8(0x41, 0x50);
  f.cs.set8(0x50, 0x09);
  f.cs.set8(0x51, 0x40);  // back to the first: a cycle
  pcid::Function fn = pcid::read_function(b.ecam(), {0, 2, 0});
  pcid::walk_capabilities(b.ecam(), fn);
  EXPECT_TRUE(fn.capability_list_broken);
  EXPECT_EQ(fn.capabilities.size(), 2u);

  f.cs.set8(0x51, 0x10);  // into the header
  pcid::walk_capabilities(b.ecam(), fn);
  EXPECT_TRUE(fn.capability_list_broken);
  EXPECT_EQ(fn.capabilities.size(), 2u);

  // 60 distinct capabilities, each pointing to the next: stops at 48.
  for (unsigned i = 0; i < 60; ++i) {
    const auto at = static_cast<std::uint16_t>(0x40 + 4 * i);
    if (at + 1 >= 0x100) break;
    f.cs.set8(at, 0x09);
    f.cs.set8(at + 1, static_cast<std::uint8_t>(at + 4 < 0x100 ? at + 4 : 0x40));
  }
  pcid::walk_capabilities(b.ecam(), fn);
  EXPECT_TRUE(fn.capability_list_broken);
  EXPECT_EQ(fn.capabilities.size(), pcid::kCapabilityWalkLimit);
}

TEST(PcidEnable, MemoryBusMasterOnMsiMsixOffMaxPayload) {
  Bench b;
  fake::FakePciTest& t = b.machine.emplace<fake::FakePciTest>(3, 0);
  fake::FakeFunction& nvme = fake::add_nvme_like(b.machine, 1);
  fake::FakeFunction& xhci = fake::add_xhci_like(b.machine, 2);
  // Left enabled by someone before: pcid must turn them off.
  t.cs.write(t.msi.offset() + pci::kMsiMessageControl, 2, pci::kMsiControlEnable);
  t.cs.write(t.msix.offset() + pci::kMsixMessageControl, 2, pci::kMsixControlEnable | pci::kMsixControlFunctionMask);
  ASSERT_TRUE(t.msi.enabled(t.cs));
  ASSERT_TRUE(t.msix.enabled(t.cs));
  const pcid::Ecam ecam = b.ecam();
  std::vector<pcid::Function> fns = pcid::enumerate_bus0(ecam);
  for (pcid::Function& f : fns) {
    pcid::size_bars(ecam, f);
    pcid::walk_capabilities(ecam, f);
  }
  pcid::BarAllocator alloc;
  pcid::assign_bars(ecam, fns, alloc);
  for (pcid::Function& f : fns) pcid::enable_function(ecam, f);
  for (const pcid::Function& f : fns) EXPECT_TRUE(f.enabled) << f.bdf.str();
  for (fake::FakeFunction* f : {static_cast<fake::FakeFunction*>(&t), &nvme, &xhci}) {
    EXPECT_TRUE(f->cs.memory_space_enabled());
    EXPECT_TRUE(f->cs.bus_master_enabled());
    EXPECT_FALSE(f->msi.enabled(f->cs));
    EXPECT_FALSE(f->msix.enabled(f->cs));
    EXPECT_FALSE(f->msix.function_masked(f->cs));
  }
  // Max_Payload_Size: the largest supported, at most 256 bytes.
  EXPECT_EQ(t.pcie.max_payload(t.cs), 256u);     // supports 256
  EXPECT_EQ(nvme.pcie.max_payload(nvme.cs), 256u);  // supports 512: limited to the root port's 256
  EXPECT_EQ(xhci.pcie.max_payload(xhci.cs), 128u);  // supports 128
  EXPECT_EQ(fns[0].pcie.max_payload, 256u);
  EXPECT_EQ(fns[1].pcie.max_payload, 128u);
  // INTx left alone (a driver disables it through pcid).
  EXPECT_FALSE(t.cs.command() & pci::kCommandInterruptDisable);
}

TEST(PcidEnable, FunctionWithAnUnassignedBarKeepsDecodeOff) {
  Bench b;
  fake::FakeFunction& f = fake::add_plain(b.machine, 2);
  const pcid::Ecam ecam = b.ecam();
  std::vector<pcid::Function> fns = pcid::enumerate_bus0(ecam);
  pcid::size_bars(ecam, fns[0]);
  pcid::BarAllocator none({0xC000'0000, 0}, {0x80'0000'0000, 0});  // no room anywhere
  pcid::assign_bars(ecam, fns, none);
  EXPECT_FALSE(fns[0].bars[0].assigned);
  pcid::enable_function(ecam, fns[0]);
  EXPECT_FALSE(fns[0].enabled);
  EXPECT_FALSE(f.cs.memory_space_enabled());
  EXPECT_TRUE(f.cs.bus_master_enabled());
}

}  // namespace
