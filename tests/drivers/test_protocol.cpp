// The pcid ring protocol, request by request, through real rings: every
// opcode, every error, EPERM for strangers, exact config writes, MSI/MSI-X
// exclusivity.
#include <gtest/gtest.h>

#include <array>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/pcid/client.hpp"
#include "tests/drivers/bench.hpp"

namespace {

using pcid::Feature;
using pcid::Op;

int err(const hal::CqEntry64& c) {
  return hal::status_is_error(c.status) ? hal::error_from_status(c.status, "").code() : 0;
}
template <class T>
int err(const hal::Result<T>& r) {
  return r ? 0 : r.error().code();
}

class PcidProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    nvme = &fake::add_nvme_like(b.machine, 1);   // MSI-X only
    xhci = &fake::add_xhci_like(b.machine, 2);   // MSI only: 8 vectors, no per-vector masking
    test = &b.machine.emplace<fake::FakePciTest>(3, 0);  // MSI (masking) and MSI-X
    plain = &fake::add_plain(b.machine, 4);      // no capabilities
    // 0x40..0xFFF: plain read-write storage, so a write shows where it landed.
    for (std::uint16_t off = 0x40; off < 0x1000; off += 4) plain->cs.set_wmask32(off, 0xFFFF'FFFFu);
    b.kernel.run_spawned = false;
    b.start_pcid({"class=01 -> nvmed", "class=0c -> xhcid", "vendor=1234 device=d51f -> testdev",
                  "vendor=1234 device=0001 -> plain"});
    ASSERT_EQ(b.kernel.spawns.size(), 4u);
  }

  /// A client attached from the process pcid spawned for `program`.
  pcid::PcidClient& client(const std::string& program) {
    fake::FakeProcess& p = b.spawned(program);
    clients_.push_back(std::make_unique<pcid::PcidClient>(pcid::PcidClient::attach(p).value()));
    owners_.push_back(&p);
    return *clients_.back();
  }
  fake::FakeProcess& owner(const pcid::PcidClient& c) {
    for (std::size_t i = 0; i < clients_.size(); ++i)
      if (clients_[i].get() == &c) return *owners_[i];
    throw std::runtime_error("unknown client");
  }
  template <class T>
  T run(pcid::PcidClient& c, hal::Task<T> t) {
    return b.kernel.run(owner(c), std::move(t));
  }
  hal::CqEntry64 raw(pcid::PcidClient& c, hal::SqEntry64 sqe) { return run(c, c.channel().ring->call(sqe)); }

  fake::Bench b;
  fake::FakeFunction* nvme = nullptr;
  fake::FakeFunction* xhci = nullptr;
  fake::FakePciTest* test = nullptr;
  fake::FakeFunction* plain = nullptr;

 private:
  std::vector<std::unique_ptr<pcid::PcidClient>> clients_;
  std::vector<fake::FakeProcess*> owners_;
};

TEST_F(PcidProtocol, FetchConfigDescribesTheClientsFunction) {
  pcid::PcidClient& c = client("testdev");
  const pcid::FunctionConfig cfg = run(c, c.fetch_config()).value();
  EXPECT_EQ(cfg.bus, 0);
  EXPECT_EQ(cfg.device, 3);
  EXPECT_EQ(cfg.function, 0);
  EXPECT_EQ(cfg.vendor_id, 0x1234);
  EXPECT_EQ(cfg.device_id, 0xD51F);
  EXPECT_EQ(cfg.class_code, 0xFF);
  EXPECT_EQ(cfg.revision, 0x01);
  EXPECT_EQ(cfg.interrupt_pin, 1);
  EXPECT_EQ(cfg.bars[0].phys, test->cs.bar(0).address);
  EXPECT_EQ(cfg.bars[0].size, 4096u);
  EXPECT_EQ(cfg.bars[0].is64, 0);
  EXPECT_EQ(cfg.bars[1].size, 0u);
  EXPECT_EQ(cfg.bars[2].phys, test->cs.bar(2).address);
  EXPECT_EQ(cfg.bars[2].is64, 1);
  EXPECT_EQ(cfg.bars[2].prefetchable, 1);
  EXPECT_EQ(cfg.bars[3].size, 0u);
  ASSERT_EQ(cfg.capability_count, 3);
  EXPECT_EQ(cfg.capabilities[0].id, 0x10);
  EXPECT_EQ(cfg.capabilities[1].id, 0x05);
  EXPECT_EQ(cfg.capabilities[1].offset, test->msi.offset());
  EXPECT_EQ(cfg.capabilities[2].id, 0x11);
  EXPECT_EQ(cfg.pcie_present, 1);
  EXPECT_EQ(cfg.max_payload, 256);
  EXPECT_EQ(cfg.msi.present, 1);
  EXPECT_EQ(cfg.msi.multi_message_capable, 1);
  EXPECT_EQ(cfg.msi.is64, 1);
  EXPECT_EQ(cfg.msi.per_vector_masking, 1);
  EXPECT_EQ(cfg.msix.present, 1);
  EXPECT_EQ(cfg.msix.table_size, 4);
  EXPECT_EQ(cfg.msix.table_bar, 2);
  EXPECT_EQ(cfg.msix.table_offset, 0u);
  EXPECT_EQ(cfg.msix.pba_bar, 2);
  EXPECT_EQ(cfg.msix.pba_offset, 0x800u);

  pcid::PcidClient& n = client("nvmed");
  const pcid::FunctionConfig ncfg = run(n, n.fetch_config()).value();
  EXPECT_EQ(ncfg.device, 1);
  EXPECT_EQ(ncfg.msi.present, 0);
  EXPECT_EQ(ncfg.msix.table_bar, 0);
  EXPECT_EQ(ncfg.msix.table_offset, 0x2000u);
  EXPECT_EQ(ncfg.bars[0].size, 16u * 1024);
}

TEST_F(PcidProtocol, FetchConfigBufferErrors) {
  pcid::PcidClient& c = client("testdev");
  const std::uint64_t pool = c.channel().pool.size;
  const std::uint64_t need = sizeof(pcid::FunctionConfig);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, pool, need))), hal::errc::fault);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, pool - 16, need))), hal::errc::fault);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, ~0ULL, need))), hal::errc::fault);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, 0, ~0ULL))), hal::errc::fault);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, 0, 0))), hal::errc::fault);
  EXPECT_EQ(err(raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, 0, need - 1))), hal::errc::inval);
  const hal::CqEntry64 okay = raw(c, pcid::make_request(Op::fetch_config, 0, 0, 0, pool - need, need));
  EXPECT_EQ(okay.status, need);
  EXPECT_FALSE(b.pcid->exit_code);
  EXPECT_TRUE(b.kernel.task_failures().empty());
}

TEST_F(PcidProtocol, UnknownOpcodesGetEnosys) {
  pcid::PcidClient& c = client("testdev");
  for (const std::uint8_t op : {0, 3, 11, 127, 136, 200, 255}) {
    hal::SqEntry64 sqe{};
    sqe.opcode = op;
    EXPECT_EQ(err(raw(c, sqe)), hal::errc::nosys) << int{op};
  }
}

TEST_F(PcidProtocol, ProcessesPcidDidNotSpawnGetEpermOnEveryRequest) {
  fake::FakeProcess& intruder = b.kernel.create("intruder");
  pcid::PcidClient c = pcid::PcidClient::attach(intruder).value();
  for (unsigned op = 128; op <= 135; ++op) {
    hal::SqEntry64 sqe = pcid::make_request(static_cast<Op>(op), 0, 0, 0, 0, sizeof(pcid::FunctionConfig));
    const hal::CqEntry64 r = b.kernel.run(intruder, c.channel().ring->call(sqe));
    EXPECT_EQ(err(r), hal::errc::perm) << op;
  }
  hal::SqEntry64 unknown{};
  unknown.opcode = 250;
  EXPECT_EQ(err(b.kernel.run(intruder, c.channel().ring->call(unknown))), hal::errc::perm);
  // The intruder changed nothing.
  EXPECT_FALSE(test->msix.enabled(test->cs));
  EXPECT_GE(b.kernel.log_count("pcid.request.error"), 9u);
}

TEST_F(PcidProtocol, ReadConfigReadsTheClientsOwnFunction) {
  pcid::PcidClient& t = client("testdev");
  pcid::PcidClient& p = client("plain");
  EXPECT_EQ(run(t, t.read_config(0)).value(), 0xD51F'1234u);
  EXPECT_EQ(run(p, p.read_config(0)).value(), 0x0001'1234u);
  EXPECT_EQ(run(t, t.read_config(0x10)).value(), test->cs.get32(0x10));
  plain->cs.set32(0xFFC, 0xCAFEF00D);
  EXPECT_EQ(run(p, p.read_config(0xFFC)).value(), 0xCAFEF00Du);
  for (const std::uint64_t bad : {1ULL, 2ULL, 3ULL, 0x3FEULL, 4096ULL, 0x10000ULL, 1ULL << 32, ~0ULL})
    EXPECT_EQ(err(raw(t, pcid::make_request(Op::read_config, bad))), hal::errc::inval) << bad;
}

std::array<std::uint32_t, 1024> snapshot(const fake::FakeFunction& f) {
  std::array<std::uint32_t, 1024> s{};
  for (std::uint16_t i = 0; i < 1024; ++i) s[i] = f.cs.get32(static_cast<std::uint16_t>(4 * i));
  return s;
}

TEST_F(PcidProtocol, WriteConfigAtEveryDwordChangesOnlyThatDword) {
  pcid::PcidClient& p = client("plain");
  unsigned written = 0, refused = 0;
  for (std::uint32_t off = 0; off < 4096; off += 4) {
    const std::uint32_t v = 0xA5A5'0000u | off;
    const auto before = snapshot(*plain);
    b.machine.config_writes.clear();
    const hal::Result<void> r = run(p, p.write_config(static_cast<std::uint16_t>(off), v));
    const auto after = snapshot(*plain);
    if (!r) {
      EXPECT_EQ(err(r), hal::errc::acces) << off;
      EXPECT_TRUE(pcid::owned_by_pcid(pcid::Function{}, off)) << off;
      EXPECT_TRUE(b.machine.config_writes.empty()) << off;
      EXPECT_EQ(before, after) << off;
      ++refused;
      continue;
    }
    ++written;
    // Exactly one configuration write: this dword of this function.
    ASSERT_EQ(b.machine.config_writes.size(), 1u) << off;
    const auto& w = b.machine.config_writes[0];
    EXPECT_EQ(w.device, 4);
    EXPECT_EQ(w.function, 0);
    EXPECT_EQ(w.offset, off);
    EXPECT_EQ(w.size, 4u);
    EXPECT_EQ(w.value, v);
    for (std::uint32_t i = 0; i < 1024; ++i) {
      if (i != off / 4) {
        ASSERT_EQ(before[i], after[i]) << "write at " << off << " changed dword " << 4 * i;
      }
    }
    if (off >= 0x40) {
      EXPECT_EQ(after[off / 4], v) << off;
    }
  }
  EXPECT_EQ(refused, 8u);  // six BARs, the ROM BAR, the capabilities pointer
  EXPECT_EQ(written, 1024u - 8u);
}

TEST_F(PcidProtocol, WriteConfigRefusesRegistersPcidOwns) {
  pcid::PcidClient& t = client("testdev");
  const std::uint32_t bar0 = test->cs.get32(0x10);
  for (const std::uint16_t off : {0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x30, 0x34})
    EXPECT_EQ(err(run(t, t.write_config(off, 0))), hal::errc::acces) << off;
  EXPECT_EQ(err(run(t, t.write_config(test->msi.offset(), 0xFFFF'FFFFu))), hal::errc::acces);
  EXPECT_EQ(err(run(t, t.write_config(test->msix.offset(), 0xFFFF'FFFFu))), hal::errc::acces);
  EXPECT_EQ(test->cs.get32(0x10), bar0);
  EXPECT_FALSE(test->msi.enabled(test->cs));
  EXPECT_FALSE(test->msix.enabled(test->cs));
  // Misaligned, out of range, or a value wider than a dword: EINVAL.
  EXPECT_EQ(err(raw(t, pcid::make_request(Op::write_config, 0x12, 0))), hal::errc::inval);
  EXPECT_EQ(err(raw(t, pcid::make_request(Op::write_config, 4096, 0))), hal::errc::inval);
  EXPECT_EQ(err(raw(t, pcid::make_request(Op::write_config, 0x3C, 1ULL << 32))), hal::errc::inval);
  // The driver's own registers are fine: Interrupt Line, the MSI address.
  EXPECT_TRUE(run(t, t.write_config(0x3C, 0x0000'010Bu)));
  EXPECT_EQ(test->cs.get8(0x3C), 0x0B);
  EXPECT_TRUE(run(t, t.write_config(static_cast<std::uint16_t>(test->msi.offset() + 4), 0xFEE0'1000u)));
  EXPECT_EQ(test->cs.get32(static_cast<std::uint16_t>(test->msi.offset() + 4)), 0xFEE0'1000u);
}

TEST_F(PcidProtocol, EnablingMsiDisablesMsixAndViceVersa) {
  pcid::PcidClient& t = client("testdev");
  ASSERT_TRUE(run(t, t.enable_feature(Feature::msix)));
  EXPECT_TRUE(test->msix.enabled(test->cs));
  EXPECT_FALSE(test->msi.enabled(test->cs));
  ASSERT_TRUE(run(t, t.enable_feature(Feature::msi)));
  EXPECT_TRUE(test->msi.enabled(test->cs));
  EXPECT_FALSE(test->msix.enabled(test->cs));
  ASSERT_TRUE(run(t, t.enable_feature(Feature::msix)));
  EXPECT_TRUE(test->msix.enabled(test->cs));
  EXPECT_FALSE(test->msi.enabled(test->cs));
  ASSERT_TRUE(run(t, t.disable_feature(Feature::msix)));
  EXPECT_FALSE(test->msix.enabled(test->cs));
  EXPECT_FALSE(test->msi.enabled(test->cs));
  // Other Message Control bits are kept: the MSI-X Function Mask survives enable.
  ASSERT_TRUE(run(t, t.set_msix_function_mask(true)));
  ASSERT_TRUE(run(t, t.enable_feature(Feature::msix)));
  EXPECT_TRUE(test->msix.function_masked(test->cs));
}

TEST_F(PcidProtocol, FeatureErrors) {
  pcid::PcidClient& n = client("nvmed");
  pcid::PcidClient& x = client("xhcid");
  pcid::PcidClient& p = client("plain");
  EXPECT_EQ(err(run(n, n.enable_feature(Feature::msi))), hal::errc::nodev);
  EXPECT_EQ(err(run(n, n.disable_feature(Feature::msi))), hal::errc::nodev);
  EXPECT_EQ(err(run(x, x.enable_feature(Feature::msix))), hal::errc::nodev);
  EXPECT_EQ(err(run(p, p.enable_feature(Feature::msi))), hal::errc::nodev);
  EXPECT_EQ(err(run(p, p.enable_feature(Feature::msix))), hal::errc::nodev);
  for (const std::uint64_t f : {0ULL, 4ULL, ~0ULL}) {
    EXPECT_EQ(err(raw(n, pcid::make_request(Op::enable_feature, f))), hal::errc::inval) << f;
    EXPECT_EQ(err(raw(n, pcid::make_request(Op::disable_feature, f))), hal::errc::inval) << f;
  }
  // INTx disable works on any function.
  ASSERT_TRUE(run(p, p.enable_feature(Feature::intx_disable)));
  EXPECT_TRUE(plain->cs.command() & pci::kCommandInterruptDisable);
  EXPECT_TRUE(plain->cs.memory_space_enabled());  // and leaves the rest of Command alone
  ASSERT_TRUE(run(p, p.disable_feature(Feature::intx_disable)));
  EXPECT_FALSE(plain->cs.command() & pci::kCommandInterruptDisable);
  // MSI on the MSI-only function.
  ASSERT_TRUE(run(x, x.enable_feature(Feature::msi)));
  EXPECT_TRUE(xhci->msi.enabled(xhci->cs));
}

TEST_F(PcidProtocol, SetMsiMessageProgramsAddressDataAndMultipleMessageEnable) {
  pcid::PcidClient& x = client("xhcid");
  EXPECT_EQ(run(x, x.set_msi_message(0xFEE0'2000u, 0x48, 4)).value(), 4u);
  const std::uint16_t cap = xhci->msi.offset();
  EXPECT_EQ(xhci->cs.get32(static_cast<std::uint16_t>(cap + 4)), 0xFEE0'2000u);
  EXPECT_EQ(xhci->cs.get32(static_cast<std::uint16_t>(cap + 8)), 0u);
  EXPECT_EQ(xhci->cs.get16(static_cast<std::uint16_t>(cap + 0xC)), 0x48);
  EXPECT_EQ(xhci->msi.enabled_vectors(xhci->cs), 4u);
  EXPECT_FALSE(xhci->msi.enabled(xhci->cs));  // programming is not enabling
  EXPECT_EQ(xhci->msi.message(xhci->cs, 3).data, 0x4Bu);
  EXPECT_EQ(run(x, x.set_msi_message(0x1'FEE0'0000ULL, 0x40, 8)).value(), 8u);  // 64-bit address
  EXPECT_EQ(xhci->cs.get32(static_cast<std::uint16_t>(cap + 8)), 1u);
  // Errors: bad vector counts, data, address.
  EXPECT_EQ(err(run(x, x.set_msi_message(0xFEE0'0000u, 0x40, 0))), hal::errc::inval);
  EXPECT_EQ(err(run(x, x.set_msi_message(0xFEE0'0000u, 0x40, 3))), hal::errc::inval);
  EXPECT_EQ(err(run(x, x.set_msi_message(0xFEE0'0000u, 0x40, 16))), hal::errc::inval);  // capable of 8
  EXPECT_EQ(err(run(x, x.set_msi_message(0xFEE0'0000u, 0x41, 4))), hal::errc::inval);   // low bits set
  EXPECT_EQ(err(run(x, x.set_msi_message(0xFEE0'0002u, 0x40, 1))), hal::errc::inval);   // unaligned
  EXPECT_EQ(err(raw(x, pcid::make_request(Op::set_msi_message, 0xFEE0'0000u, 0x1'0000, 1))), hal::errc::inval);
  EXPECT_EQ(err(raw(x, pcid::make_request(Op::set_msi_message, 0xFEE0'0000u, 0x40, 1ULL << 40))), hal::errc::inval);
  EXPECT_EQ(xhci->cs.get16(static_cast<std::uint16_t>(cap + 0xC)), 0x40);  // failures wrote nothing
  pcid::PcidClient& n = client("nvmed");
  EXPECT_EQ(err(run(n, n.set_msi_message(0xFEE0'0000u, 0x40, 1))), hal::errc::nodev);
}

TEST(PcidProtocolMsi32, ThirtyTwoBitMsiUsesTheShortLayout) {
  fake::Bench b;
  fake::FakeFunction& f = fake::add_xhci_like(b.machine, 2);
  const auto control_at = static_cast<std::uint16_t>(f.msi.offset() + 2);
  f.cs.set16(control_at, static_cast<std::uint16_t>(f.cs.get16(control_at) & ~pci::kMsiControl64Bit));
  b.kernel.run_spawned = false;
  b.start_pcid();
  fake::FakeProcess& drv = b.spawned("xhcid");
  pcid::PcidClient c = pcid::PcidClient::attach(drv).value();
  EXPECT_EQ(b.kernel.run(drv, c.fetch_config()).value().msi.is64, 0);
  EXPECT_EQ(err(b.kernel.run(drv, c.set_msi_message(0x1'FEE0'0000ULL, 0x40, 1))), hal::errc::inval);
  EXPECT_TRUE(b.kernel.run(drv, c.set_msi_message(0xFEE0'0000u, 0x51, 1)));
  EXPECT_EQ(f.cs.get16(static_cast<std::uint16_t>(f.msi.offset() + 8)), 0x51);  // data right after the address
}

TEST_F(PcidProtocol, SetMsiMask) {
  pcid::PcidClient& t = client("testdev");
  EXPECT_EQ(run(t, t.set_msi_mask(1)).value(), 1u);
  EXPECT_EQ(test->msi.mask_bits(test->cs), 1u);
  EXPECT_EQ(run(t, t.set_msi_mask(0)).value(), 0u);
  EXPECT_EQ(test->msi.mask_bits(test->cs), 0u);
  EXPECT_EQ(err(run(t, t.set_msi_mask(2))), hal::errc::inval);  // one vector only
  EXPECT_EQ(err(raw(t, pcid::make_request(Op::set_msi_mask, 1ULL << 32))), hal::errc::inval);
  pcid::PcidClient& x = client("xhcid");
  EXPECT_EQ(err(run(x, x.set_msi_mask(1))), hal::errc::opnotsupp);
  pcid::PcidClient& n = client("nvmed");
  EXPECT_EQ(err(run(n, n.set_msi_mask(1))), hal::errc::nodev);
}

TEST_F(PcidProtocol, SetMsixFunctionMask) {
  pcid::PcidClient& t = client("testdev");
  ASSERT_TRUE(run(t, t.set_msix_function_mask(true)));
  EXPECT_TRUE(test->msix.function_masked(test->cs));
  ASSERT_TRUE(run(t, t.set_msix_function_mask(false)));
  EXPECT_FALSE(test->msix.function_masked(test->cs));
  EXPECT_EQ(err(raw(t, pcid::make_request(Op::set_msix_function_mask, 2))), hal::errc::inval);
  pcid::PcidClient& x = client("xhcid");
  EXPECT_EQ(err(run(x, x.set_msix_function_mask(true))), hal::errc::nodev);
}

TEST_F(PcidProtocol, ConnectionsEndWhenClientsCloseAndPcidKeepsAccepting) {
  pcid::PcidClient& first = client("testdev");
  pcid::PcidClient& second = client("testdev");  // a driver may attach twice
  EXPECT_TRUE(run(first, first.read_config(0)));
  EXPECT_TRUE(run(second, second.read_config(0)));
  first.channel().ring->shut_down();
  b.kernel.run_until_idle();
  EXPECT_EQ(b.kernel.log_count("pcid.connection.closed"), 1u);
  EXPECT_EQ(err(run(first, first.read_config(0))), hal::errc::shutdown);
  EXPECT_TRUE(run(second, second.read_config(0)));
  pcid::PcidClient& third = client("testdev");
  EXPECT_TRUE(run(third, third.fetch_config()));
  EXPECT_FALSE(b.pcid->exit_code);
  EXPECT_TRUE(b.kernel.task_failures().empty());
}

}  // namespace
