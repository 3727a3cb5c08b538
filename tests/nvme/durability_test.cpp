// The volatile write cache with a file-backed namespace: written data reaches
// the image only on Flush, FUA, clean shutdown, or with the cache turned off.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "nvme_machine.hpp"

using namespace nvmetest;
using namespace nvme;

namespace {
struct TempImage {
  std::string path;
  explicit TempImage(const char* tag) {
    path = (std::filesystem::temp_directory_path() / ("drvsim-nvme-" + std::string(tag) + "-" +
                                                      std::to_string(::getpid()) + ".img"))
               .string();
    std::filesystem::remove(path);
  }
  ~TempImage() { std::filesystem::remove(path); }
  std::vector<std::uint8_t> read(std::uint64_t off, std::size_t n) const {
    std::vector<std::uint8_t> v(n, 0xEE);
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd >= 0) {
      const ssize_t got = ::pread(fd, v.data(), n, static_cast<off_t>(off));
      if (got < 0) v.assign(n, 0xEE);
      ::close(fd);
    }
    return v;
  }
};

NvmeParams file_params(const std::string& path) {
  NvmeParams p;
  p.namespaces = {NamespaceParams{1, 16ULL << 20, 4096, path}};
  return p;
}
}  // namespace

TEST(NvmeDurability, ImageIsCreatedSparseWithTheNamespaceSize) {
  TempImage img("create");
  { Machine m(file_params(img.path)); }
  struct stat st {};
  ASSERT_EQ(::stat(img.path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), 16ULL << 20);
  EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, 1ULL << 20);  // sparse
}

TEST(NvmeDurability, WrittenDataReachesTheFileOnlyOnFlush) {
  TempImage img("flush");
  Machine m(file_params(img.path));
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    auto b = m.buffer(8192);
    m.fill(b.addr, 8192, 0x5A);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 3, 2, b.prp1, b.prp2)), kSuccess));
    EXPECT_EQ(img.read(3 * 4096, 8192), std::vector<std::uint8_t>(8192, 0));  // only in the cache
    auto r = m.buffer(8192);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 3, 2, r.prp1, r.prp2)), kSuccess));
    EXPECT_EQ(m.bytes(r.addr, 8192), m.bytes(b.addr, 8192));  // reads see the cache
    const sim::Picos t0 = sim::now();
    ASSERT_TRUE(is(m.command(q, Machine::flush_cmd(1)), kSuccess));
    EXPECT_GT(sim::now() - t0, sim::us(500));  // the partly filled program unit is programmed
    EXPECT_EQ(img.read(3 * 4096, 8192), m.bytes(b.addr, 8192));
  });
}

TEST(NvmeDurability, CleanShutdownFlushesTheCache) {
  TempImage img("shutdown");
  Machine m(file_params(img.path));
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    auto b = m.buffer(4096);
    m.fill(b.addr, 4096, 0x33);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 100, 1, b.prp1)), kSuccess));
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWriteZeroes, 1, 200, 1, 0)), kSuccess));
    EXPECT_EQ(img.read(100 * 4096, 4096), std::vector<std::uint8_t>(4096, 0));
    m.wr(reg::kCc, m.rd(reg::kCc) | (1u << cc::kShnShift));
    ASSERT_TRUE(m.wait_csts(csts::kShstMask, 2u << csts::kShstShift));
    EXPECT_EQ(img.read(100 * 4096, 4096), m.bytes(b.addr, 4096));
  });
}

TEST(NvmeDurability, FuaAndCacheDisabledWriteThrough) {
  TempImage img("fua");
  Machine m(file_params(img.path));
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    auto b = m.buffer(4096);
    m.fill(b.addr, 4096, 0x11);
    sim::Picos t0 = sim::now();
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 7, 1, b.prp1, 0, 1u << 30)), kSuccess));  // FUA
    EXPECT_GT(sim::now() - t0, sim::us(800));  // waited for tPROG
    EXPECT_EQ(img.read(7 * 4096, 4096), m.bytes(b.addr, 4096));
    // Cached write, then the cache is turned off: that commits it.
    m.fill(b.addr, 4096, 0x22);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 8, 1, b.prp1)), kSuccess));
    EXPECT_EQ(img.read(8 * 4096, 4096), std::vector<std::uint8_t>(4096, 0));
    ASSERT_TRUE(is(m.admin_cmd(Machine::features_cmd(true, feature::kVolatileWriteCache, 0)), kSuccess));
    EXPECT_EQ(img.read(8 * 4096, 4096), m.bytes(b.addr, 4096));
    m.fill(b.addr, 4096, 0x44);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 9, 1, b.prp1)), kSuccess));
    EXPECT_EQ(img.read(9 * 4096, 4096), m.bytes(b.addr, 4096));
  });
}

TEST(NvmeDurability, DataSurvivesInTheImageAcrossMachines) {
  TempImage img("persist");
  std::vector<std::uint8_t> written;
  {
    Machine m(file_params(img.path));
    m.run([&] {
      m.bring_up();
      auto& q = m.create_io(1, 16, 1);
      auto b = m.buffer(4096);
      m.fill(b.addr, 4096, 0x77);
      written = m.bytes(b.addr, 4096);
      ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kWrite, 1, 42, 1, b.prp1)), kSuccess));
      ASSERT_TRUE(is(m.command(q, Machine::flush_cmd(kBroadcastNsid)), kSuccess));
    });
  }
  Machine m(file_params(img.path));
  m.run([&] {
    m.bring_up();
    auto& q = m.create_io(1, 16, 1);
    auto b = m.buffer(4096);
    ASSERT_TRUE(is(m.command(q, Machine::rw_cmd(io::kRead, 1, 42, 1, b.prp1)), kSuccess));
    EXPECT_EQ(m.bytes(b.addr, 4096), written);
  });
}
