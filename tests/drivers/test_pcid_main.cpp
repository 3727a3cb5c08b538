// pcid as a program: bad rules, what it prints and logs, spawns per rule
// with arguments, grants, daemonizing, the forwarded-request ring.
#include <gtest/gtest.h>

#include "drivers/hal/file.hpp"
#include "tests/drivers/bench.hpp"

namespace {

using fake::Bench;

void machine_with_three(Bench& b) {
  fake::add_nvme_like(b.machine, 1);
  fake::add_xhci_like(b.machine, 2);
  b.machine.emplace<fake::FakePciTest>(3, 0);
  fake::add_plain(b.machine, 4);  // no rule matches it
}

TEST(PcidMain, BadRuleExits2WithAMessage) {
  Bench b;
  machine_with_three(b);
  b.start_pcid({"class=01 -> nvmed", "class=zz -> nvmed"});
  ASSERT_TRUE(b.pcid->exit_code);
  EXPECT_EQ(*b.pcid->exit_code, 2);
  EXPECT_TRUE(b.kernel.printed_contains("pcid: bad match rule: rule 2 'class=zz -> nvmed'"));
  EXPECT_TRUE(b.kernel.spawns.empty());
  EXPECT_TRUE(b.machine.config_writes.empty());  // touched nothing
  EXPECT_FALSE(b.pcid->daemon);
}

TEST(PcidMain, WithoutEcamGrantItExits1) {
  Bench b;
  machine_with_three(b);
  fake::FakeProcess& p = b.kernel.start("pcid", {}, pcid_main, true);  // no grant
  b.kernel.run_until_idle();
  ASSERT_TRUE(p.exit_code);
  EXPECT_EQ(*p.exit_code, 1);
  EXPECT_TRUE(b.kernel.printed_contains("pcid: cannot map ECAM"));
}

TEST(PcidMain, DefaultRulesSpawnOneDriverPerFunctionAndGrantItsBars) {
  Bench b;
  machine_with_three(b);
  b.kernel.run_spawned = false;
  b.start_pcid();
  EXPECT_FALSE(b.pcid->exit_code);  // serving
  EXPECT_TRUE(b.pcid->daemon);
  EXPECT_TRUE(b.kernel.task_failures().empty());
  ASSERT_EQ(b.kernel.spawns.size(), 3u);
  EXPECT_EQ(b.kernel.spawns[0].program, "nvmed");
  EXPECT_EQ(b.kernel.spawns[1].program, "xhcid");
  EXPECT_EQ(b.kernel.spawns[2].program, "testdev");
  for (const auto& s : b.kernel.spawns) {
    EXPECT_EQ(s.parent, b.pcid->pid());
    EXPECT_TRUE(s.args.empty());
    EXPECT_EQ(s.cpu, -1);
  }
  // Grants: exactly the assigned BARs of each function, to its driver.
  const auto grants_of = [&](hal::Pid pid) {
    std::vector<fake::FakeKernel::Grant> g;
    for (const auto& x : b.kernel.grants)
      if (x.pid == pid) g.push_back(x);
    return g;
  };
  const auto nvme = grants_of(b.kernel.spawns[0].pid);
  ASSERT_EQ(nvme.size(), 1u);
  EXPECT_EQ(nvme[0].phys, b.machine.function(1, 0)->cs.bar(0).address);
  EXPECT_EQ(nvme[0].size, 16u * 1024);
  const auto test = grants_of(b.kernel.spawns[2].pid);
  ASSERT_EQ(test.size(), 2u);
  EXPECT_EQ(test[0].phys, b.machine.function(3, 0)->cs.bar(0).address);
  EXPECT_EQ(test[1].phys, b.machine.function(3, 0)->cs.bar(2).address);
  EXPECT_EQ(test[1].size, 4096u);
  // The driver can map what it was granted, and nothing else.
  fake::FakeProcess& drv = b.kernel.process(b.kernel.spawns[2].pid);
  EXPECT_TRUE(drv.physmap(test[0].phys, test[0].size));
  EXPECT_FALSE(drv.physmap(nvme[0].phys, nvme[0].size));
  EXPECT_FALSE(drv.physmap(pcid::kEcamBase, 4096));
}

TEST(PcidMain, SpawnsPerRuleWithArguments) {
  Bench b;
  machine_with_three(b);
  b.kernel.run_spawned = false;
  b.start_pcid({"vendor=1234 device=d51f -> testdev --copies 8 --size 4096", "class=01 -> nvmed --queues 2",
                "vendor=1234 -> catchall"});
  ASSERT_EQ(b.kernel.spawns.size(), 3u);
  EXPECT_EQ(b.kernel.spawns[0].program, "nvmed");
  EXPECT_EQ(b.kernel.spawns[0].args, (std::vector<std::string>{"--queues", "2"}));
  EXPECT_EQ(b.kernel.spawns[1].program, "testdev");
  EXPECT_EQ(b.kernel.spawns[1].args, (std::vector<std::string>{"--copies", "8", "--size", "4096"}));
  EXPECT_EQ(b.kernel.spawns[2].program, "catchall");  // 00:04.0, vendor 1234
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:03.0 -> testdev --copies 8 --size 4096 (pid "));
  EXPECT_FALSE(b.kernel.printed_contains("xhcid"));  // no rule for it given
}

TEST(PcidMain, PrintsEachFunctionAndLogsEachStep) {
  Bench b;
  machine_with_three(b);
  b.kernel.run_spawned = false;
  b.start_pcid();
  EXPECT_TRUE(b.kernel.printed_contains("pcid: bus 0: 4 functions"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:01.0 1b36:0010 class 01/08/02 rev 01"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:01.0 BAR0 mem64 16 KiB at 0x80"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:03.0 1234:d51f class ff/00/00 rev 01"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:03.0 BAR0 mem32 4 KiB at 0xc"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:03.0 BAR2 mem64 prefetchable 4 KiB at 0x80"));
  EXPECT_TRUE(b.kernel.printed_contains(
      "pcid: 00:03.0 MSI 1 vector 64-bit per-vector masking; MSI-X 4 vectors table BAR2+0x0 PBA BAR2+0x800; "
      "PCIe Max_Payload_Size 256 B (supports 256 B)"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:02.0 MSI 8 vectors 64-bit; no MSI-X"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:04.0 no MSI; no MSI-X"));
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:01.0 -> nvmed (pid "));
  EXPECT_EQ(b.kernel.log_count("pcid.enumerate.start"), 1u);
  EXPECT_EQ(b.kernel.log_count("pcid.enumerate.done"), 1u);
  EXPECT_EQ(b.kernel.log_count("pcid.function"), 4u);
  EXPECT_EQ(b.kernel.log_count("pcid.bar"), 5u);
  EXPECT_EQ(b.kernel.log_count("pcid.capability"), 7u);
  EXPECT_EQ(b.kernel.log_count("pcid.enable"), 4u);
  EXPECT_EQ(b.kernel.log_count("pcid.spawn"), 3u);
  EXPECT_EQ(b.kernel.log_count("pcid.grant"), 4u);
}

TEST(PcidMain, SpawnFailureIsReportedAndPcidCarriesOn) {
  Bench b;
  machine_with_three(b);
  b.kernel.fail_unknown_programs = true;
  b.kernel.register_program("testdev", [](hal::Sys&) -> hal::Task<int> { co_return 0; });
  b.start_pcid();
  ASSERT_EQ(b.kernel.spawns.size(), 1u);
  EXPECT_EQ(b.kernel.spawns[0].program, "testdev");
  EXPECT_TRUE(b.kernel.printed_contains("pcid: 00:01.0 spawn nvmed failed: "));
  EXPECT_TRUE(b.kernel.printed_contains("ENOENT"));
  EXPECT_EQ(b.kernel.log_count("pcid.spawn.failed"), 2u);
  EXPECT_FALSE(b.pcid->exit_code);
  EXPECT_TRUE(b.pcid->daemon);
}

TEST(PcidMain, ForwardedRequestsGetEnosysAndCloseSucceeds) {
  Bench b;
  machine_with_three(b);
  b.kernel.run_spawned = false;
  b.start_pcid();
  fake::FakeScheme* s = b.kernel.scheme("pcid");
  ASSERT_NE(s, nullptr);
  fake::FakeProcess& tester = b.kernel.create("tester");
  const hal::CqEntry64 open = b.kernel.run(tester, s->requests_client->call(hal::make_sqe(hal::Opcode::open, 0)));
  EXPECT_EQ(open.status, hal::status_from_errno(hal::errc::nosys));
  const hal::CqEntry64 close = b.kernel.run(tester, s->requests_client->call(hal::make_sqe(hal::Opcode::close, 7)));
  EXPECT_EQ(close.status, 0u);
}

}  // namespace
