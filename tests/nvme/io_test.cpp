// I/O commands (§6): Read, Write, Flush, Write Zeroes, Dataset Management,
// on 512-byte and 4 KiB namespaces, with their error statuses.
#include <cstring>

#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
// Writes `nlb` blocks at `slba` from a pattern and reads them back.
void round_trip(Machine& m, HostQueue& q, std::uint32_t nsid, std::uint32_t lba, std::uint64_t slba,
                std::uint32_t nlb, std::uint8_t seed) {
  const std::uint64_t n = std::uint64_t{nlb} * lba;
  auto src = m.buffer(n), dst = m.buffer(n);
  m.fill(src.addr, n, seed);
  const Cqe w = m.command(q, Machine::rw_cmd(io::kWrite, nsid, slba, nlb, src.prp1, src.prp2));
  ASSERT_TRUE(is(w, kSuccess));
  EXPECT_EQ(w.sqid, q.qid);
  const Cqe r = m.command(q, Machine::rw_cmd(io::kRead, nsid, slba, nlb, dst.prp1, dst.prp2));
  ASSERT_TRUE(is(r, kSuccess));
  EXPECT_EQ(m.bytes(dst.addr, n), m.bytes(src.addr, n));
}
}  // namespace

TEST(NvmeIo, WriteReadRoundTripOn512ByteNamespace) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 32, 1);
    round_trip(m, q, 1, 512, 0, 1, 1);
    round_trip(m, q, 1, 512, 7, 9, 2);       // crosses a page
    round_trip(m, q, 1, 512, 1000, 256, 3);  // 128 KiB through a PRP list
    const std::uint64_t last = (64ULL << 20) / 512 - 4;
    round_trip(m, q, 1, 512, last, 4, 4);    // the last blocks
  });
}

TEST(NvmeIo, WriteReadRoundTripOn4KNamespace) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 32, 1);
    round_trip(m, q, 2, 4096, 0, 1, 5);
    round_trip(m, q, 2, 4096, 100, 32, 6);
    round_trip(m, q, 2, 4096, (64ULL << 20) / 4096 - 1, 1, 7);
  });
}

TEST(NvmeIo, NamespacesAreIndependent) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 32, 1);
    auto a = m.buffer(4096), b = m.buffer(4096), r = m.buffer(4096);
    m.fill(a.addr, 4096, 0x11);
    m.fill(b.addr, 4096, 0x77);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 0, 8, a.prp1)), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 2, 0, 1, b.prp1)), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 8, r.prp1)), kSuccess));
    EXPECT_EQ(m.bytes(r.addr, 4096), m.bytes(a.addr, 4096));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 2, 0, 1, r.prp1)), kSuccess));
    EXPECT_EQ(m.bytes(r.addr, 4096), m.bytes(b.addr, 4096));
  });
}

TEST(NvmeIo, ErrorsCarryTheRightStatusAndQueueFields) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(3, 8, 2);
    const auto buf = m.alloc(8192);
    const std::uint64_t blocks = (64ULL << 20) / 512;
    struct Case {
      Sqe s;
      Status want;
    };
    Sqe sgl = Machine::rw_cmd(io::kRead, 1, 0, 1, buf);
    sgl.flags = 0x40;
    Sqe unknown{};
    unknown.opcode = 0x7F;
    unknown.nsid = 1;
    const Case cases[] = {
        {Machine::rw_cmd(io::kRead, 1, blocks, 1, buf), kLbaOutOfRange},
        {Machine::rw_cmd(io::kWrite, 1, blocks - 1, 2, buf), kLbaOutOfRange},
        {Machine::rw_cmd(io::kRead, 1, ~0ULL, 1, buf), kLbaOutOfRange},
        {Machine::rw_cmd(io::kRead, 0, 0, 1, buf), kInvalidNamespace},
        {Machine::rw_cmd(io::kRead, 9, 0, 1, buf), kInvalidNamespace},
        {Machine::rw_cmd(io::kWrite, kBroadcastNsid, 0, 1, buf), kInvalidNamespace},
        {Machine::flush_cmd(9), kInvalidNamespace},
        {Machine::rw_cmd(io::kRead, 1, 0, 1025, buf), kInvalidField},  // 512.5 KiB > MDTS
        {unknown, kInvalidOpcode},
        {sgl, kInvalidField},
    };
    for (const Case& k : cases) {
      const std::uint32_t tail_after = (q.sq_tail + 1) % q.sq_size;
      const Cqe c = m.command(q, k.s);
      EXPECT_TRUE(is(c, k.want)) << "opcode " << int{k.s.opcode} << " got sct " << int{sct_of(c)} << " sc "
                                 << int{sc_of(c)};
      EXPECT_EQ(c.sqid, 3u);
      EXPECT_EQ(c.sqhd, tail_after);
      EXPECT_TRUE(dnr_of(c));
    }
    EXPECT_TRUE(is(m.command(q, Machine::flush_cmd(kBroadcastNsid)), kSuccess));
  });
}

TEST(NvmeIo, WriteZeroesAndDeallocateReadAsZeros) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 32, 1);
    auto data = m.buffer(64 * 512), rd = m.buffer(64 * 512);
    m.fill(data.addr, 64 * 512, 9);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 0, 64, data.prp1, data.prp2)), kSuccess));
    // Write Zeroes blocks 4..11; deallocate 20..35 and 50..51 with Dataset Management.
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWriteZeroes, 1, 4, 8, 0)), kSuccess));
    const auto ranges = m.alloc(4096);
    const std::uint32_t r0[4] = {0, 16, 20, 0}, r1[4] = {0, 2, 50, 0};
    m.mem.write(ranges, r0, 16);
    m.mem.write(ranges + 16, r1, 16);
    Sqe dsm{};
    dsm.opcode = io::kDatasetManagement;
    dsm.nsid = 1;
    dsm.prp1 = ranges;
    dsm.cdw10 = 1;       // two ranges
    dsm.cdw11 = 1u << 2; // AD
    ASSERT_TRUE(is(m.command(q, dsm), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 0, 64, rd.prp1, rd.prp2)), kSuccess));
    const auto got = m.bytes(rd.addr, 64 * 512), want = m.bytes(data.addr, 64 * 512);
    for (unsigned b = 0; b < 64; ++b) {
      const bool zero = (b >= 4 && b < 12) || (b >= 20 && b < 36) || (b >= 50 && b < 52);
      const std::vector<std::uint8_t> blk(got.begin() + b * 512, got.begin() + (b + 1) * 512);
      if (zero)
        EXPECT_EQ(blk, std::vector<std::uint8_t>(512, 0)) << "block " << b;
      else
        EXPECT_EQ(blk, std::vector<std::uint8_t>(want.begin() + b * 512, want.begin() + (b + 1) * 512)) << b;
    }
    // Range checks: Write Zeroes past the end, a DSM range past the end.
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWriteZeroes, 1, (64ULL << 20) / 512, 1, 0)), kLbaOutOfRange));
    const std::uint32_t bad[4] = {0, 8, static_cast<std::uint32_t>((64ULL << 20) / 512 - 4), 0};
    m.mem.write(ranges, bad, 16);
    dsm.cdw10 = 0;
    EXPECT_TRUE(is(m.command(q, dsm), kLbaOutOfRange));
  });
}

TEST(NvmeIo, UntouchedBlocksCostNothing) {
  auto p = default_params();
  p.namespaces = {NamespaceParams{1, 1ULL << 40, 4096, {}}};  // 1 TiB, in memory
  Machine m(p);
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 8, 1);
    auto b = m.buffer(4096);
    m.fill(b.addr, 4096, 3);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, (1ULL << 28) - 1, 1, b.prp1)), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::flush_cmd(1)), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 12345678, 1, b.prp1)), kSuccess));
    EXPECT_EQ(m.bytes(b.addr, 4096), std::vector<std::uint8_t>(4096, 0));
  });
  EXPECT_EQ(m.ctrl->find_namespace(1)->store().allocated_bytes(), 4096u);
}
