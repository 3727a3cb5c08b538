// The PRP walker (§4.3): offsets, page crossings, lists, chained lists and
// the alignment errors - first against a fake host memory, then end to end.
#include <cstring>
#include <map>

#include "devices/nvme/prp.hpp"
#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
constexpr std::uint64_t P = 4096;

struct FakeMemory {
  std::map<std::uint64_t, std::uint64_t> qwords;  // address -> PRP entry
  std::uint64_t limit = 1ULL << 32;
  unsigned reads = 0;
  HostReader reader() {
    return [this](std::uint64_t addr, void* dst, std::uint64_t len, sim::Picos& took) {
      ++reads;
      took += sim::ns(1000);
      if (addr + len > limit) return false;
      auto* out = static_cast<std::uint64_t*>(dst);
      for (std::uint64_t i = 0; i < len / 8; ++i) out[i] = qwords.count(addr + 8 * i) ? qwords[addr + 8 * i] : 0;
      return true;
    };
  }
};
}  // namespace

TEST(NvmePrp, OffsetInPrp1AndPageCrossing) {
  FakeMemory mem;
  std::vector<Segment> segs;
  EXPECT_TRUE(walk_prps(0x1000'0200, 0, 512, P, mem.reader(), segs).status.ok());
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].len, 512u);
  // 4 KiB from offset 0xE00: 0x200 bytes in the first page, the rest in PRP2.
  EXPECT_TRUE(walk_prps(0x1000'0E00, 0x2000'0000, P, P, mem.reader(), segs).status.ok());
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].len, 0x200u);
  EXPECT_EQ(segs[1].addr, 0x2000'0000u);
  EXPECT_EQ(segs[1].len, 0xE00u);
  EXPECT_EQ(mem.reads, 0u);  // no list involved
  // PRP2 as a data pointer must have no offset; PRP1 must be dword aligned.
  EXPECT_EQ(walk_prps(0x1000'0E00, 0x2000'0010, P, P, mem.reader(), segs).status, kInvalidPrpOffset);
  EXPECT_EQ(walk_prps(0x1000'0002, 0, 16, P, mem.reader(), segs).status, kInvalidPrpOffset);
}

TEST(NvmePrp, ListAndContiguousMerge) {
  FakeMemory mem;
  for (int i = 0; i < 3; ++i) mem.qwords[0x5000 + 8 * i] = 0x10'0000 + P * (i + 1);  // contiguous after PRP1
  std::vector<Segment> segs;
  const PrpWalk w = walk_prps(0x10'0000, 0x5000, 4 * P, P, mem.reader(), segs);
  EXPECT_TRUE(w.status.ok());
  ASSERT_EQ(segs.size(), 1u);  // four contiguous pages merge into one segment
  EXPECT_EQ(segs[0].len, 4 * P);
  EXPECT_EQ(w.list_reads, 1u);
  EXPECT_EQ(w.list_time, sim::ns(1000));
  EXPECT_EQ(walk_prps(0x10'0000, 0x5004, 4 * P, P, mem.reader(), segs).status, kInvalidPrpOffset);  // list not qword aligned
}

TEST(NvmePrp, ChainedListWhenTheListCrossesAPage) {
  FakeMemory mem;
  // The list starts 2 entries before the end of its page: slot 0 is data,
  // slot 1 points to the next list page, which holds the remaining entries.
  const std::uint64_t list = 0x7000 + P - 16;
  mem.qwords[list] = 0xA000;
  mem.qwords[list + 8] = 0x9000;  // next list
  mem.qwords[0x9000] = 0xC000;
  mem.qwords[0x9008] = 0xE000;
  std::vector<Segment> segs;
  const PrpWalk w = walk_prps(0x1000, list, 4 * P, P, mem.reader(), segs);
  ASSERT_TRUE(w.status.ok());
  ASSERT_EQ(segs.size(), 4u);
  EXPECT_EQ(segs[1].addr, 0xA000u);
  EXPECT_EQ(segs[2].addr, 0xC000u);
  EXPECT_EQ(segs[3].addr, 0xE000u);
  EXPECT_EQ(w.list_reads, 2u);
  // When the list exactly fits, the last slot is data, not a pointer.
  mem.qwords[list + 8] = 0xD000;
  ASSERT_TRUE(walk_prps(0x1000, list, 3 * P, P, mem.reader(), segs).status.ok());
  EXPECT_EQ(segs.back().addr, 0xD000u);
}

TEST(NvmePrp, MisalignedEntriesAndUnreadableList) {
  FakeMemory mem;
  mem.qwords[0x5000] = 0x2000;
  mem.qwords[0x5008] = 0x3010;  // an offset in a list entry
  std::vector<Segment> segs;
  EXPECT_EQ(walk_prps(0x1000, 0x5000, 3 * P, P, mem.reader(), segs).status, kInvalidPrpOffset);
  // A chained pointer with an offset is invalid as well.
  const std::uint64_t list = 0x7000 + P - 8;
  mem.qwords[list] = 0x9008;
  EXPECT_EQ(walk_prps(0x1000, list, 3 * P, P, mem.reader(), segs).status, kInvalidPrpOffset);
  mem.limit = 0x5000;  // the list is outside memory
  EXPECT_EQ(walk_prps(0x1000, 0x5000, 3 * P, P, mem.reader(), segs).status, kDataTransferError);
}

TEST(NvmePrp, EndToEndOffsetListAndChainedList) {
  Machine m;
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    // 6 pages of data starting at offset 0x400 of PRP1; the PRP list starts
    // 3 entries before the end of a page, so it is chained.
    const std::uint64_t n = 6 * 4096 - 0x400;
    const std::uint64_t data = m.alloc(8 * 4096);
    const std::uint64_t list1 = m.alloc(8192) + 4096 - 24, list2 = m.alloc(4096);
    m.put64(list1, data + 4096);
    m.put64(list1 + 8, data + 2 * 4096);
    m.put64(list1 + 16, list2);  // last slot of the page: the next list
    for (int i = 0; i < 3; ++i) m.put64(list2 + 8 * i, data + (3 + i) * 4096);
    m.fill(data + 0x400, n, 42);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 10, static_cast<std::uint32_t>(n / 512), data + 0x400, list1)), kSuccess));
    auto rd = m.buffer(n);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 10, static_cast<std::uint32_t>(n / 512), rd.prp1, rd.prp2)), kSuccess));
    EXPECT_EQ(m.bytes(rd.addr, n), m.bytes(data + 0x400, n));
    // A misaligned list entry is Invalid PRP Offset, and nothing is written.
    m.put64(list2 + 8, data + 4 * 4096 + 0x200);
    const Cqe c = m.command(q, Machine::rw_cmd(io::kWrite, 1, 100, static_cast<std::uint32_t>(n / 512), data + 0x400, list1));
    EXPECT_TRUE(is(c, kInvalidPrpOffset));
    EXPECT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 100, 1, rd.prp1)), kSuccess));
    EXPECT_EQ(m.bytes(rd.addr, 512), std::vector<std::uint8_t>(512, 0));
  });
}
