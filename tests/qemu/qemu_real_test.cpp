// Against a real qemu-system-x86_64 (CI installs qemu-system-x86; without it
// these tests fail with "qemu-system-x86_64 not found: install
// qemu-system-x86"): QEMU's functions seen through configuration space, the
// MSI-X message rewrite, cleanup on every exit path, and NVMe Identify
// through the unchanged pcid and nvmed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "tests/qemu/qemu_machine.hpp"

namespace {

using qemutest::QemuMachine;

std::uint32_t cf8_read(qemu::QtestClient& q, unsigned dev, unsigned fn, unsigned reg) {
  q.outl(0xCF8, 0x8000'0000u | (dev << 11) | (fn << 8) | reg);
  return q.inl(0xCFC);
}

TEST(QemuReal, EnumeratesQemusNvmeAndXhciThroughConfigurationSpace) {
  QemuMachine m(false);
  qemu::QemuBridge& b = *m.bridge;
  // NVMe: 1b36:0010, class 01h/08h/02h.
  EXPECT_EQ(b.config_read(4, 0, 0x00, 4), 0x0010'1B36u);
  EXPECT_EQ(b.config_read(4, 0, 0x08, 4) >> 8, 0x01'08'02u);
  // xHCI: 1b36:000d, class 0Ch/03h/30h.
  EXPECT_EQ(b.config_read(6, 0, 0x00, 2), 0x1B36u);
  EXPECT_EQ(b.config_read(6, 0, 0x02, 2), 0x000Du);
  EXPECT_EQ(b.config_read(6, 0, 0x0B, 1), 0x0Cu);
  EXPECT_EQ(b.config_read(6, 0, 0x0A, 1), 0x03u);
  EXPECT_EQ(b.config_read(6, 0, 0x09, 1), 0x30u);
  // The rest of the q35 is hidden: the host bridge is there for QEMU...
  EXPECT_EQ(cf8_read(m.qemu->qtest(), 0, 0, 0), 0x29C0'8086u);
  // ... but an empty slot to drvsim, as is extended configuration space.
  EXPECT_EQ(b.config_read(0, 0, 0x00, 4), 0xFFFF'FFFFu);
  EXPECT_EQ(b.config_read(0x1F, 0, 0x00, 2), 0xFFFFu);
  EXPECT_EQ(b.config_read(4, 0, 0x100, 4), 0u);
  // The same through the ECAM window on the CPU bus, as pcid sees it.
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  EXPECT_EQ(m.cpu->read(sim::addr::kEcamBase + (4u << 15), 4, d), 0x0010'1B36u);
  EXPECT_EQ(m.cpu->read(sim::addr::kEcamBase + (5u << 15), 4, d), 0xFFFF'FFFFu);
  EXPECT_EQ(m.cpu->read(sim::addr::kEcamBase + (1u << 20) + (4u << 15), 4, d), 0xFFFF'FFFFu);  // bus 1
  EXPECT_GT(d, sc_core::SC_ZERO_TIME);
}

TEST(QemuReal, MsixMessageAddressesAreRedirectedToMailboxesAndReadBackAsWritten) {
  QemuMachine m(false);
  qemu::QemuBridge& b = *m.bridge;
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  // BAR0 of the NVMe (64-bit memory) at 0xC000_0000, memory decode and bus mastering on.
  const std::uint32_t bar0 = b.config_read(4, 0, 0x10, 4);
  ASSERT_EQ(bar0 & 0x7u, 0x4u) << "QEMU's NVMe BAR0 is a 64-bit memory BAR";
  b.config_write(4, 0, 0x10, 4, 0xC000'0000u);
  b.config_write(4, 0, 0x14, 4, 0);
  b.config_write(4, 0, 0x04, 2, 0x0006);
  // The MSI-X capability: where the table is.
  std::uint16_t cap = static_cast<std::uint16_t>(b.config_read(4, 0, 0x34, 1));
  while (cap && (b.config_read(4, 0, cap, 1) != 0x11)) cap = static_cast<std::uint16_t>(b.config_read(4, 0, cap + 1u, 1));
  ASSERT_NE(cap, 0) << "QEMU's NVMe has an MSI-X capability";
  const std::uint32_t table = b.config_read(4, 0, cap + 4u, 4);
  const std::uint64_t entry1 = 0xC000'0000ULL + (table & ~7u) + 16;  // BIR 0
  ASSERT_EQ(table & 7u, 0u);
  m.cpu->write(entry1 + 0, 4, 0xFEE0'1000u, d);  // CPU 1
  m.cpu->write(entry1 + 4, 4, 0, d);
  m.cpu->write(entry1 + 8, 4, 0x45, d);
  // Software reads back what it wrote...
  EXPECT_EQ(m.cpu->read(entry1 + 0, 4, d), 0xFEE0'1000u);
  EXPECT_EQ(m.cpu->read(entry1 + 8, 4, d), 0x45u);
  EXPECT_EQ(m.cpu->read(entry1 + 0, 8, d), 0xFEE0'1000u);
  // ... QEMU holds the mailbox, the data marked.
  qemu::QtestClient& q = m.qemu->qtest();
  EXPECT_EQ(q.read(entry1 + 0, 4), b.msix_mailbox(0, 1));
  EXPECT_EQ(q.read(entry1 + 4, 4), 0u);
  EXPECT_EQ(q.read(entry1 + 8, 4), 0x8000'0045u);
  EXPECT_LT(b.msix_mailbox(0, 1), 1ULL << 20) << "mailboxes stay below the kernel's DMA memory";
  // Vector Control passes through: QEMU's reset value is masked.
  EXPECT_EQ(m.cpu->read(entry1 + 12, 4, d) & 1u, 1u);
  // Registers outside the table go straight to QEMU: CAP.MQES of QEMU's NVMe is 2047.
  EXPECT_EQ(m.cpu->read(0xC000'0000ULL, 8, d) & 0xFFFF, 0x7FFu);
}

TEST(QemuReal, QemuIsKilledAndItsFilesRemovedWhenTheMachineGoes) {
  pid_t pid = -1;
  std::string dir;
  {
    qemu::TempDir d;
    dir = d.path();
    qemu::QemuProcess p(d, qemu::QemuConfig{});
    pid = p.pid();
    ASSERT_GT(pid, 0);
    EXPECT_EQ(::kill(pid, 0), 0);
    EXPECT_EQ(p.qtest().command("endianness"), "little");
  }
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_NE(::access(dir.c_str(), F_OK), 0);
}

TEST(QemuReal, AFailedStartReportsQemusMessageAndLeavesNoProcess) {
  qemu::TempDir d;
  qemu::QemuConfig cfg;
  cfg.device_args = {"-device", "no-such-device-drvsim"};
  std::string message;
  try {
    qemu::QemuProcess p(d, cfg);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("starting QEMU"), std::string::npos) << message;
  EXPECT_NE(message.find("no-such-device-drvsim"), std::string::npos) << message;  // QEMU's own words
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a child is left";
  EXPECT_EQ(errno, ECHILD);
}

TEST(QemuReal, NvmeIdentifyThroughTheUnchangedDriverStack) {
  qemu::MachineSpec spec = qemutest::default_spec();
  spec.xhci.clear();
  QemuMachine m(true, spec);
  ASSERT_TRUE(m.kern->spawn("pcid", {}, 0, 0, true));
  m.run_until([&] { return m.printed_line_with("serving disk.nvme0"); }, sim::ms(2000));
  const std::string out = m.all_printed();
  EXPECT_TRUE(m.kern->failures().empty()) << out;
  // What nvmed learned from QEMU's Identify Controller and Identify Namespace.
  EXPECT_TRUE(m.printed_line_with("\"QEMU NVMe Ctrl\" serial QEMU-ID-0001")) << out;
  // QEMU's Identify Controller NN is the largest NSID it supports (256), not
  // the number attached: both are what NVMe 1.4 §5.15.2.2 allows.
  EXPECT_TRUE(m.printed_line_with("256 namespaces")) << out;
  EXPECT_TRUE(m.printed_line_with("namespace 1: 131072 blocks x 512 B")) << out;
  EXPECT_TRUE(m.printed_line_with("namespace 2: 4096 blocks x 4096 B")) << out;
  // Its admin commands completed on MSI-X interrupts that came through the mailboxes.
  EXPECT_GT(m.bridge->interrupts_raised(), 2u) << "polls " << m.bridge->polls() << " mmio " << m.bridge->mmio_accesses()
                                                << " qtest round trips " << m.qemu->qtest().round_trips();
  EXPECT_EQ(m.irqc->delivered_total(), m.bridge->interrupts_raised());
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u);
}

TEST(QemuReal, BlockbenchVerifiesDataOnQemusNvmeThroughNvmed) {
  qemu::MachineSpec spec = qemutest::default_spec();
  spec.xhci.clear();
  QemuMachine m(true, spec);
  ASSERT_TRUE(m.kern->spawn("pcid", {}, 0, 0, true));
  ASSERT_TRUE(m.kern->spawn("blockbench",
                            {"--path", "disk.nvme0:2", "--pattern", "rand", "--rw", "write", "--bs", "12288", "--qd",
                             "8", "--count", "200", "--verify", "--seed", "7"},
                            1, 0));
  ASSERT_TRUE(m.run_until_done(sim::ms(2000))) << m.all_printed();
  EXPECT_TRUE(m.kern->failures().empty()) << m.all_printed();
  EXPECT_TRUE(m.printed_line_with("blockbench")) << m.all_printed();
  std::cout << m.all_printed();
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u);
}

TEST(QemuReal, BlockbenchVerifiesDataOnQemusUsbStorageThroughXhcidAndUsbscsid) {
  QemuMachine m(true);
  ASSERT_TRUE(m.kern->spawn("pcid", {}, 0, 0, true));
  ASSERT_TRUE(m.kern->spawn("blockbench",
                            {"--path", "disk.usb0:0", "--pattern", "rand", "--rw", "write", "--bs", "16384", "--qd",
                             "1", "--count", "50", "--verify", "--seed", "3"},
                            1, 0));
  ASSERT_TRUE(m.run_until_done(sim::ms(5000))) << m.all_printed();
  EXPECT_TRUE(m.kern->failures().empty()) << m.all_printed();
  EXPECT_TRUE(m.printed_line_with("usbscsid: port 1 LUN 0: QEMU QEMU HARDDISK")) << m.all_printed();
  std::cout << m.all_printed();
  EXPECT_EQ(m.trace.count(sim::Severity::error), 0u);
}

// QEMU quirks found by the differential scenarios (docs/qemu-platform.md),
// kept as tests: if QEMU changes, these fail and the document is updated.
TEST(QemuQuirks, XhciHciversionReadsZeroWithAWordReadButNotADwordRead) {
  QemuMachine m(false);
  qemu::QemuBridge& b = *m.bridge;
  b.config_write(6, 0, 0x10, 4, 0xC000'0000u);
  b.config_write(6, 0, 0x14, 4, 0);
  b.config_write(6, 0, 0x04, 2, 0x0002);
  qemu::QtestClient& q = m.qemu->qtest();
  // xHCI 1.2 §5.3: CAPLENGTH at 00h (1 byte), HCIVERSION at 02h (2 bytes).
  const std::uint64_t dword = q.read(0xC000'0000ULL, 4);
  EXPECT_EQ(dword >> 16, 0x0100u) << "a dword read at 00h gives HCIVERSION 1.0 in bits 31:16";
  EXPECT_EQ(q.read(0xC000'0000ULL, 1), dword & 0xFF) << "a byte read of CAPLENGTH works";
  // The quirk: QEMU's capability registers are implemented as dwords only and
  // its memory core passes the unaligned offset 02h to them, which is no register.
  EXPECT_EQ(q.read(0xC000'0002ULL, 2), 0u);
}

TEST(QemuQuirks, NvmeSetFeaturesNumberOfQueuesGrantsItsMaximumAndNnIsTheNsidLimit) {
  // Seen through nvmed's own trace: QEMU answers Number of Queues with
  // max_ioqpairs whatever was asked (NVMe 1.4 §5.21.1.7 allows any count >=
  // 1), and Identify Controller NN = 256 (the largest NSID, §5.15.2.2).
  qemu::MachineSpec spec = qemutest::default_spec();
  spec.xhci.clear();
  spec.nvme.front().max_io_queues = 9;
  QemuMachine m(true, spec);
  std::vector<std::string> queues;
  class Sink final : public sim::TraceSink {
   public:
    explicit Sink(std::vector<std::string>& out) : out_(out) {}
    void write(const sim::TraceEvent& e) override {
      if (e.kind == "nvmed.queues")
        for (const sim::Field& f : e.fields)
          if (f.key == "msg") out_.emplace_back(f.value.str);
    }

   private:
    std::vector<std::string>& out_;
  };
  m.trace.add_sink(std::make_unique<Sink>(queues));
  ASSERT_TRUE(m.kern->spawn("pcid", {}, 0, 0, true));
  m.run_until([&] { return m.printed_line_with("serving disk.nvme0"); }, sim::ms(2000));
  ASSERT_EQ(queues.size(), 1u) << m.all_printed();
  EXPECT_NE(queues.front().find("wanted=2 nsqa=9 ncqa=9 creating=2"), std::string::npos) << queues.front();
  EXPECT_TRUE(m.printed_line_with("256 namespaces")) << m.all_printed();
}

}  // namespace
