// testdev over the fake machine: the whole path (pcid, attach, FetchConfig,
// physmap, irq vector, MSI-X or MSI, DMA copies completed by interrupts,
// verification) and its failures.
#include <gtest/gtest.h>

#include "drivers/pcid/bars.hpp"
#include "drivers/testdev/testdev.hpp"
#include "tests/drivers/bench.hpp"

namespace {

using fake::Bench;

struct Started {
  fake::FakeProcess* testdev = nullptr;
  fake::FakePciTest* device = nullptr;
};

/// pcid with one pci-test device at 00:03.0 and the rule's testdev arguments.
Started run_testdev(Bench& b, const fake::PciTestOptions& o, const std::string& args = "--copies 3 --size 8192") {
  Started r;
  r.device = &b.machine.emplace<fake::FakePciTest>(3, 0, o);
  b.kernel.register_program("testdev", testdev_main);
  b.start_pcid({"vendor=1234 device=d51f -> testdev " + args});
  r.testdev = &b.spawned("testdev");
  return r;
}

TEST(TestdevOptions, DefaultsAndForms) {
  const testdev::Options d = testdev::parse_options({}).value();
  EXPECT_EQ(d.copies, 4u);
  EXPECT_EQ(d.size, 64u * 1024);
  const testdev::Options a = testdev::parse_options({"--copies", "8", "--size", "4K"}).value();
  EXPECT_EQ(a.copies, 8u);
  EXPECT_EQ(a.size, 4096u);
  const testdev::Options c = testdev::parse_options({"--size=1MiB", "--copies=1"}).value();
  EXPECT_EQ(c.size, 1u << 20);
  EXPECT_EQ(c.copies, 1u);
  EXPECT_EQ(testdev::parse_options({"--size", "100"}).value().size, 100u);
}

TEST(TestdevOptions, RejectsBadArguments) {
  const std::vector<std::vector<std::string>> bad = {
      {"--copies"},        {"--copies", "x"},   {"--copies", "0"},  {"--copies", "-1"}, {"--size", "0"},
      {"--size", "2M"},    {"--size", "1048577"}, {"--size", "4Q"}, {"--frob"},         {"4"},
      {"--copies=2000000"}, {"--size="}};
  for (const auto& args : bad) {
    const hal::Result<testdev::Options> r = testdev::parse_options(args);
    EXPECT_FALSE(r) << args[0] << (args.size() > 1 ? " " + args[1] : "");
  }
}

TEST(Testdev, CopiesOverMsixAndVerifies) {
  Bench b;
  const Started r = run_testdev(b, {});
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 0);
  EXPECT_TRUE(b.kernel.printed_contains(
      "testdev 00:03.0: 3 copies x 8192 bytes = 24576 bytes over MSI-X, data verified, mean 8692 ns per copy"))
      << (b.kernel.printed.empty() ? "" : b.kernel.printed.back());
  EXPECT_TRUE(b.kernel.task_failures().empty());
  EXPECT_EQ(r.device->completed, 3u);
  EXPECT_EQ(r.device->int_status, 0u);  // acknowledged
  EXPECT_EQ(r.device->messages_sent, 3u);
  EXPECT_TRUE(r.device->msix.enabled(r.device->cs));
  EXPECT_FALSE(r.device->msi.enabled(r.device->cs));
  EXPECT_FALSE(r.device->msix.entry_masked(0));
  EXPECT_TRUE(r.device->cs.command() & pci::kCommandInterruptDisable);
  // The message went to the vector testdev allocated on its own CPU.
  ASSERT_EQ(b.kernel.messages.size(), 3u);
  EXPECT_EQ(b.kernel.messages[0].address, hal::msi_address(r.testdev->cpu()));
  EXPECT_EQ(b.kernel.messages[0].data, 0x40u);
  EXPECT_EQ(b.kernel.log_count("testdev.done"), 1u);
}

TEST(Testdev, MsiOnlyDevice) {
  Bench b;
  fake::PciTestOptions o;
  o.msix_vectors = 0;
  const Started r = run_testdev(b, o, "--copies 2 --size 1000");
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 0);
  EXPECT_TRUE(b.kernel.printed_contains("2 copies x 1000 bytes = 2000 bytes over MSI, data verified"));
  EXPECT_TRUE(r.device->msi.enabled(r.device->cs));
  EXPECT_EQ(r.device->msi.mask_bits(r.device->cs), 0u);
  EXPECT_EQ(r.device->messages_sent, 2u);
}

TEST(Testdev, MsiWithoutPerVectorMaskingAnd64BitBar0) {
  Bench b;
  fake::PciTestOptions o;
  o.msix_vectors = 0;
  o.msi_per_vector_mask = false;
  o.msi_vectors = 4;
  o.bar0_64bit = true;
  const Started r = run_testdev(b, o, "--copies 1");
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 0);
  EXPECT_TRUE(b.kernel.printed_contains("1 copies x 65536 bytes = 65536 bytes over MSI, data verified"));
  EXPECT_GE(r.device->cs.bar(0).address, pcid::kMmio64Base);
}

TEST(Testdev, MsixTableIn32BitBar) {
  Bench b;
  fake::PciTestOptions o;
  o.bar2_64bit = false;
  o.msi_vectors = 0;
  const Started r = run_testdev(b, o, "--copies 2");
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 0);
  EXPECT_TRUE(b.kernel.printed_contains("over MSI-X, data verified"));
}

TEST(Testdev, DefaultRuleAndDefaultArguments) {
  Bench b;
  b.machine.emplace<fake::FakePciTest>(3, 0);
  b.kernel.register_program("testdev", testdev_main);
  b.start_pcid();
  fake::FakeProcess& t = b.spawned("testdev");
  ASSERT_TRUE(t.exit_code);
  EXPECT_EQ(*t.exit_code, 0);
  EXPECT_TRUE(b.kernel.printed_contains("4 copies x 65536 bytes = 262144 bytes over MSI-X, data verified"));
}

TEST(Testdev, CorruptedDataFails) {
  Bench b;
  fake::FakePciTest& dev = b.machine.emplace<fake::FakePciTest>(3, 0);
  dev.corrupt_data = true;
  b.kernel.register_program("testdev", testdev_main);
  b.start_pcid({"vendor=1234 -> testdev --copies 2 --size 64"});
  fake::FakeProcess& t = b.spawned("testdev");
  ASSERT_TRUE(t.exit_code);
  EXPECT_EQ(*t.exit_code, 1);
  EXPECT_TRUE(b.kernel.printed_contains("testdev: FAILED: 00:03.0: copy 0: data mismatch at byte 32: EIO"));
}

TEST(Testdev, DeviceDmaErrorFails) {
  Bench b;
  fake::FakePciTest& dev = b.machine.emplace<fake::FakePciTest>(3, 0);
  dev.fail_dma = true;
  b.kernel.register_program("testdev", testdev_main);
  b.start_pcid({"vendor=1234 -> testdev"});
  fake::FakeProcess& t = b.spawned("testdev");
  ASSERT_TRUE(t.exit_code);
  EXPECT_EQ(*t.exit_code, 1);
  EXPECT_TRUE(b.kernel.printed_contains("copy 0: the device reported a DMA error"));
}

TEST(Testdev, NoMessageSignalledInterruptsFails) {
  Bench b;
  fake::PciTestOptions o;
  o.msi_vectors = 0;
  o.msix_vectors = 0;
  const Started r = run_testdev(b, o);
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 1);
  EXPECT_TRUE(b.kernel.printed_contains("neither MSI-X nor MSI"));
  EXPECT_EQ(r.device->completed, 0u);
}

TEST(Testdev, WithoutTheInterruptItWaitsAndNeverClaimsSuccess) {
  Bench b;
  fake::FakePciTest& dev = b.machine.emplace<fake::FakePciTest>(3, 0);
  dev.raise_interrupt = false;
  b.kernel.register_program("testdev", testdev_main);
  b.start_pcid({"vendor=1234 -> testdev --copies 1"});
  fake::FakeProcess& t = b.spawned("testdev");
  EXPECT_FALSE(t.exit_code);  // still waiting in wait_irq
  EXPECT_EQ(dev.completed, 1u);
  EXPECT_FALSE(b.kernel.printed_contains("data verified"));
  dev.signal_interrupt(0);  // the interrupt finally arrives
  b.kernel.run_until_idle();
  ASSERT_TRUE(t.exit_code);
  EXPECT_EQ(*t.exit_code, 0);
}

TEST(Testdev, BadArgumentsExit2) {
  Bench b;
  const Started r = run_testdev(b, {}, "--copies zero");
  ASSERT_TRUE(r.testdev->exit_code);
  EXPECT_EQ(*r.testdev->exit_code, 2);
  EXPECT_TRUE(b.kernel.printed_contains("testdev: --copies: not a number: 'zero'"));
}

TEST(Testdev, NotSpawnedByPcidFails) {
  Bench b;
  b.machine.emplace<fake::FakePciTest>(3, 0);
  b.kernel.run_spawned = false;
  b.start_pcid();
  fake::FakeProcess& rogue = b.kernel.start("testdev", {}, testdev_main);
  b.kernel.run_until_idle();
  ASSERT_TRUE(rogue.exit_code);
  EXPECT_EQ(*rogue.exit_code, 1);
  EXPECT_TRUE(b.kernel.printed_contains("testdev: FAILED: pcid fetch config: EPERM"));
}

}  // namespace
