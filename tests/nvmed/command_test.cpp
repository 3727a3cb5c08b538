// Commands, status decoding, Identify parsing, register fields and nvmed's
// options.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "drivers/nvmed/command.hpp"
#include "drivers/nvmed/controller.hpp"
#include "drivers/nvmed/disk_scheme.hpp"
#include "drivers/nvmed/identify.hpp"
#include "drivers/nvmed/options.hpp"
#include "drivers/nvmed/regs.hpp"

using namespace nvmed;

TEST(NvmedStatus, DecodesTheStatusField) {
  // LBA Out of Range (SCT 0, SC 80h) with DNR, Phase Tag set.
  const std::uint16_t raw = static_cast<std::uint16_t>((0x80u << 1) | (0u << 9) | (1u << 15) | 1u);
  const Status s = Status::from_field(raw);
  EXPECT_EQ(s.sct, 0);
  EXPECT_EQ(s.sc, 0x80);
  EXPECT_TRUE(s.dnr);
  EXPECT_FALSE(s.more);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.field(), raw & ~1u);
  EXPECT_EQ(s.str(), "LBA Out of Range (SCT 0h SC 80h, DNR)");
  // Unrecovered Read Error (SCT 2h, SC 81h), More, CRD 2.
  const Status m = Status::from_field(static_cast<std::uint16_t>((0x81u << 1) | (2u << 9) | (2u << 12) | (1u << 14)));
  EXPECT_EQ(m.sct, 2);
  EXPECT_EQ(m.sc, 0x81);
  EXPECT_EQ(m.crd, 2);
  EXPECT_TRUE(m.more);
  EXPECT_FALSE(m.dnr);
  EXPECT_EQ(Status::from_field(m.field()), m);
  EXPECT_TRUE(Status::from_field(1).ok());  // only the Phase Tag
  EXPECT_TRUE(Status::from_field(0x7 << 1).abort_requested());
}

TEST(NvmedStatus, NamesAndErrnos) {
  EXPECT_STREQ(status_name(sct::kGeneric, sc::kInvalidFieldInCommand), "Invalid Field in Command");
  EXPECT_STREQ(status_name(sct::kCommandSpecific, sc::kInvalidQueueIdentifier), "Invalid Queue Identifier");
  EXPECT_STREQ(status_name(sct::kMediaDataIntegrity, sc::kWriteFault), "Write Fault");
  EXPECT_STREQ(status_name(5, 0x42), "Unknown Status");
  const auto errno_of = [](std::uint8_t t, std::uint8_t c) {
    Status s;
    s.sct = t;
    s.sc = c;
    return s.to_errno();
  };
  EXPECT_EQ(errno_of(0, 0), 0);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kInvalidFieldInCommand), hal::errc::inval);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kInvalidCommandOpcode), hal::errc::opnotsupp);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kLbaOutOfRange), hal::errc::nxio);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kCommandAbortRequested), hal::errc::canceled);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kNamespaceNotReady), hal::errc::again);
  EXPECT_EQ(errno_of(sct::kGeneric, sc::kDataTransferError), hal::errc::io);
  EXPECT_EQ(errno_of(sct::kMediaDataIntegrity, sc::kUnrecoveredReadError), hal::errc::io);
  EXPECT_EQ(errno_of(sct::kMediaDataIntegrity, sc::kAccessDenied), hal::errc::acces);
  EXPECT_STREQ(opcode_name(admin_opc::kCreateIoCq, true), "Create I/O Completion Queue");
  EXPECT_STREQ(opcode_name(nvm_opc::kRead, false), "Read");
}

TEST(NvmedCommand, Builders) {
  SubmissionEntry e = make_read_write(nvm_opc::kWrite, 2, 0x1'2345'6789ULL, 8, 0xA000, 0xB000);
  e.set_cid(0x1234);
  EXPECT_EQ(e.opcode(), nvm_opc::kWrite);
  EXPECT_EQ(e.cid(), 0x1234);
  EXPECT_EQ(e.cdw0, 0x1234'0001u);  // FUSE 0, PSDT 0 (PRPs)
  EXPECT_EQ(e.nsid, 2u);
  EXPECT_EQ(e.cdw10, 0x2345'6789u);
  EXPECT_EQ(e.cdw11, 0x1u);
  EXPECT_EQ(e.cdw12, 7u);  // NLB is 0's based
  EXPECT_EQ(e.prp1, 0xA000u);
  EXPECT_EQ(e.prp2, 0xB000u);

  const SubmissionEntry cq = make_create_io_cq(3, 256, 0x40000, 5);
  EXPECT_EQ(cq.opcode(), admin_opc::kCreateIoCq);
  EXPECT_EQ(cq.cdw10, (255u << 16) | 3u);
  EXPECT_EQ(cq.cdw11, (5u << 16) | 0x3u);  // IV 5, IEN, PC
  EXPECT_EQ(cq.prp1, 0x40000u);
  const SubmissionEntry sq = make_create_io_sq(3, 256, 0x50000, 3);
  EXPECT_EQ(sq.opcode(), admin_opc::kCreateIoSq);
  EXPECT_EQ(sq.cdw11, (3u << 16) | 0x1u);  // CQID 3, PC

  const SubmissionEntry nq = make_set_number_of_queues(4, 4);
  EXPECT_EQ(nq.cdw10, fid::kNumberOfQueues);
  EXPECT_EQ(nq.cdw11, 0x0003'0003u);
  const QueueCounts c = decode_number_of_queues(0x0001'0007);
  EXPECT_EQ(c.sq, 8u);
  EXPECT_EQ(c.cq, 2u);

  const SubmissionEntry id = make_identify(cns::kNamespace, 7, 0x9000);
  EXPECT_EQ(id.cdw10, 0u);
  EXPECT_EQ(id.nsid, 7u);
  EXPECT_EQ(make_identify(cns::kActiveNamespaceList, 0, 0x9000).cdw10, 2u);

  const SubmissionEntry ab = make_abort(2, 0x55);
  EXPECT_EQ(ab.cdw10, (0x55u << 16) | 2u);
  EXPECT_TRUE(abort_succeeded(0));
  EXPECT_FALSE(abort_succeeded(1));
  EXPECT_EQ(make_flush(1).opcode(), nvm_opc::kFlush);
  EXPECT_EQ(make_delete_io_sq(4).cdw10, 4u);
}

namespace {
std::vector<std::uint8_t> page() { return std::vector<std::uint8_t>(kIdentifyBytes, 0); }
template <class T>
void put(std::vector<std::uint8_t>& p, std::size_t off, T v) {
  std::memcpy(p.data() + off, &v, sizeof v);
}
}  // namespace

TEST(NvmedIdentify, Controller) {
  auto p = page();
  put<std::uint16_t>(p, 0, 0x1234);
  std::memcpy(p.data() + 4, "SN-0001             ", 20);
  std::memcpy(p.data() + 24, "drvsim NVMe SSD                         ", 40);
  std::memcpy(p.data() + 64, "1.0     ", 8);
  p[77] = 5;
  put<std::uint32_t>(p, 80, 0x10400);
  p[258] = 3;
  p[512] = 0x66;
  p[513] = 0x44;
  put<std::uint32_t>(p, 516, 2);
  p[525] = 1;
  const ControllerIdentity c = parse_identify_controller(p);
  EXPECT_EQ(c.vid, 0x1234);
  EXPECT_EQ(c.sn, "SN-0001");
  EXPECT_EQ(c.mn, "drvsim NVMe SSD");
  EXPECT_EQ(c.fr, "1.0");
  EXPECT_EQ(c.mdts, 5);
  EXPECT_EQ(c.ver, 0x10400u);
  EXPECT_EQ(c.acl, 3);
  EXPECT_EQ(c.sqes, 0x66);
  EXPECT_EQ(c.nn, 2u);
  EXPECT_EQ(c.vwc, 1);
}

TEST(NvmedIdentify, NamespaceAndList) {
  auto p = page();
  put<std::uint64_t>(p, 0, 16384);
  put<std::uint64_t>(p, 8, 16384);
  p[25] = 1;  // two formats
  p[26] = 1;  // format 1 in use
  put<std::uint32_t>(p, 128, 9u << 16);
  put<std::uint32_t>(p, 132, 12u << 16);
  const auto n = parse_identify_namespace(p);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->active());
  EXPECT_EQ(n->lba_bytes(), 4096u);
  EXPECT_EQ(n->format.ms, 0);
  p[26] = 2;  // beyond NLBAF
  EXPECT_FALSE(parse_identify_namespace(p));
  p[26] = 0;
  put<std::uint32_t>(p, 128, 3u << 16);  // 8-byte blocks: nonsense
  EXPECT_FALSE(parse_identify_namespace(p));
  const auto inactive = parse_identify_namespace(page());
  ASSERT_TRUE(inactive);
  EXPECT_FALSE(inactive->active());

  auto l = page();
  put<std::uint32_t>(l, 0, 1);
  put<std::uint32_t>(l, 4, 2);
  put<std::uint32_t>(l, 8, 7);
  EXPECT_EQ(parse_namespace_list(l), (std::vector<std::uint32_t>{1, 2, 7}));
  EXPECT_TRUE(parse_namespace_list(page()).empty());
}

TEST(NvmedRegisters, FieldsAndDoorbells) {
  EXPECT_EQ(reg::sq_tail_doorbell(0, 0), 0x1000u);
  EXPECT_EQ(reg::cq_head_doorbell(0, 0), 0x1004u);
  EXPECT_EQ(reg::sq_tail_doorbell(3, 0), 0x1018u);
  EXPECT_EQ(reg::cq_head_doorbell(3, 0), 0x101Cu);
  EXPECT_EQ(reg::sq_tail_doorbell(1, 2), 0x1000u + 2 * 16);  // 4 << DSTRD = 16 bytes apart
  EXPECT_EQ(reg::cq_head_doorbell(1, 2), 0x1000u + 3 * 16);
  EXPECT_EQ(reg::aqa(32, 16), 0x000F'001Fu);
  // CC: IOCQES 4 (23:20), IOSQES 6 (19:16), MPS 0, CSS NVM, EN.
  EXPECT_EQ(reg::cc::value(0, true), 0x0046'0001u);
  EXPECT_EQ(reg::cc::value(0, false), 0x0046'0000u);
  const std::uint64_t cap = 0xFFFull | (1ull << 16) | (20ull << 24) | (2ull << 32) | (1ull << 37) | (4ull << 52);
  const Capabilities c = Capabilities::decode(cap);
  EXPECT_EQ(c.max_queue_entries, 4096u);
  EXPECT_TRUE(c.contiguous_queues_required);
  EXPECT_EQ(c.timeout_ms, 10'000u);
  EXPECT_EQ(c.dstrd, 2u);
  EXPECT_TRUE(c.nvm_command_set);
  EXPECT_EQ(c.mpsmin, 0u);
  EXPECT_EQ(c.mpsmax, 4u);
}

TEST(NvmedOptions, ParsesAndRejects) {
  auto o = parse_options({"nvmed", "--queues", "2", "--queue-entries=64", "--io-timeout", "250us", "--admin-timeout",
                          "2s", "--retries", "5", "--max-transfer", "256KiB", "--bounce", "64K", "--index", "3",
                          "--no-msix"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->max_queues, 2u);
  EXPECT_EQ(o->queue_entries, 64u);
  EXPECT_EQ(o->timeouts.io_timeout_ns, 250'000u);
  EXPECT_EQ(o->timeouts.admin_timeout_ns, 2'000'000'000u);
  EXPECT_EQ(o->timeouts.max_attempts, 6u);
  EXPECT_EQ(o->max_transfer, 256u * 1024);
  EXPECT_EQ(o->bounce_bytes, 64u * 1024);
  EXPECT_EQ(o->index, 3u);
  EXPECT_FALSE(o->allow_msix);
  EXPECT_TRUE(parse_options({}));
  EXPECT_FALSE(parse_options({"--queues", "0"}));
  EXPECT_FALSE(parse_options({"--queue-entries", "1"}));
  EXPECT_FALSE(parse_options({"--io-timeout", "5"}));  // no unit
  EXPECT_FALSE(parse_options({"--bounce", "1000"}));   // not whole pages
  EXPECT_FALSE(parse_options({"--frobnicate"}));
  EXPECT_FALSE(parse_options({"--queues"}));
  const auto e = parse_options({"--queues", "x"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().context().find("--queues"), std::string::npos);
  EXPECT_EQ(*parse_duration_ns("3ms"), 3'000'000u);
  EXPECT_EQ(*parse_bytes("2MiB"), 2u << 20);
}

TEST(NvmedDiskScheme, Paths) {
  EXPECT_EQ(parse_disk_path("1"), 1u);
  EXPECT_EQ(parse_disk_path("disk.nvme0:12"), 12u);
  EXPECT_EQ(parse_disk_path("/2/"), 2u);
  EXPECT_EQ(parse_disk_path(""), 0u);
  EXPECT_EQ(parse_disk_path("disk.nvme0:"), 0u);
  EXPECT_FALSE(parse_disk_path("0"));
  EXPECT_FALSE(parse_disk_path("abc"));
  EXPECT_FALSE(parse_disk_path("1x"));
  EXPECT_FALSE(parse_disk_path("4294967295"));
}
