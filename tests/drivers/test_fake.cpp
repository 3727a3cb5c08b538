// The fake machine the driver tests stand on behaves like the platform where
// it matters to pcid: absent functions read all ones, the multi-function bit,
// decode gated by Memory Space Enable, bad ECAM accesses are master aborts.
#include <gtest/gtest.h>

#include "drivers/hal/irq.hpp"
#include "tests/drivers/bench.hpp"

namespace {

TEST(DriverTestFake, EcamAndDecodeLikeTheRootComplex) {
  fake::FakeMachine m;
  fake::FakeFunction& f = fake::add_plain(m, 3);
  const hal::Mmio ecam(&m, fake::FakeMachine::kEcamBase, 1 << 20);
  EXPECT_EQ(ecam.read16((4u << 15) + 0), 0xFFFF);  // absent
  EXPECT_EQ(ecam.read32((3u << 15) + 0), 0x0001'1234u);
  EXPECT_FALSE(ecam.read8((3u << 15) + 0x0E) & 0x80);
  fake::add_plain(m, 3, 4);
  EXPECT_TRUE(ecam.read8((3u << 15) + 0x0E) & 0x80);
  EXPECT_EQ(m.master_aborts, 0u);
  EXPECT_EQ(m.mmio_read(fake::FakeMachine::kEcamBase + (3u << 15) + 1, 2), 0xFFFFu);  // misaligned
  EXPECT_EQ(m.master_aborts, 1u);

  ecam.write32((3u << 15) + 0x10, 0xC000'0000u);
  EXPECT_EQ(m.mmio_read(0xC000'0000u, 4), 0xFFFF'FFFFu);  // decode off: nobody claims it
  ecam.write16((3u << 15) + 0x04, pci::kCommandMemorySpace);
  m.mmio_write(0xC000'0008u, 4, 0x55);
  EXPECT_EQ(m.mmio_read(0xC000'0008u, 4), 0x55u);
  EXPECT_TRUE(f.cs.memory_space_enabled());
}

TEST(DriverTestFake, KernelRoutesMsixMessagesToTheIrqScheme) {
  fake::Bench b;
  fake::FakeProcess& p = b.kernel.create("driver");
  const hal::IrqVector irq = b.kernel.run(p, hal::alloc_irq(p, 2)).value();
  EXPECT_EQ(irq.cpu, 2u);
  EXPECT_GE(irq.vector, 0x40u);
  b.machine.on_message(irq.address(), irq.data());  // fires before the wait: counted
  b.machine.on_message(irq.address(), irq.data());
  EXPECT_EQ(b.kernel.run(p, hal::wait_irq(p, irq)).value(), 2u);
  std::optional<hal::Result<std::uint64_t>> waited;
  p.executor().spawn(
      [](fake::FakeProcess* proc, hal::IrqVector v, std::optional<hal::Result<std::uint64_t>>* out) -> hal::Task<void> {
        out->emplace(co_await hal::wait_irq(*proc, v));
      }(&p, irq, &waited),
      "wait");
  b.kernel.run_until_idle();
  EXPECT_FALSE(waited);  // parked
  b.machine.on_message(irq.address(), irq.data());
  b.kernel.run_until_idle();
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->value(), 1u);
}

}  // namespace
