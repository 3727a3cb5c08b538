#include "disk_app.hpp"

#include <charconv>
#include <cstring>
#include <string>
#include <vector>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"

namespace usbtest {

DiskcheckResult g_diskcheck;

std::uint8_t pattern(std::uint64_t p, std::uint64_t seed) {
  return static_cast<std::uint8_t>((p * 131) ^ (p >> 9) * 7 ^ (p >> 17) ^ seed * 0x5D);
}

namespace {

struct Args {
  std::string path = "disk.usb0:0";
  std::uint64_t bytes = 4ULL << 20, chunk = 1ULL << 20, offset = 0, seed = 1, wait_ms = 3000, start_ms = 0;
  bool verify_only = false, edges = true, expect_gone = false;
};

bool parse(const std::vector<std::string>& a, Args& out) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "--verify-only") {
      out.verify_only = true;
      continue;
    }
    if (a[i] == "--no-edges") {
      out.edges = false;
      continue;
    }
    if (a[i] == "--expect-gone") {
      out.expect_gone = true;
      continue;
    }
    if (i + 1 >= a.size()) return false;
    const std::string& v = a[++i];
    if (a[i - 1] == "--path") {
      out.path = v;
      continue;
    }
    std::uint64_t n = 0;
    if (std::from_chars(v.data(), v.data() + v.size(), n).ec != std::errc{}) return false;
    if (a[i - 1] == "--bytes") out.bytes = n;
    else if (a[i - 1] == "--chunk") out.chunk = n;
    else if (a[i - 1] == "--offset") out.offset = n;
    else if (a[i - 1] == "--seed") out.seed = n;
    else if (a[i - 1] == "--wait-ms") out.wait_ms = n;
    else if (a[i - 1] == "--start-ms") out.start_ms = n;
    else return false;
  }
  return out.chunk > 0;
}

struct Failure {
  std::string why;
};

std::string mbps(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

}  // namespace

hal::Task<int> diskcheck_main(hal::Sys& sys) {
  Args a;
  std::vector<std::string> argv = sys.args();
  if (!argv.empty() && argv.front() == sys.program()) argv.erase(argv.begin());
  if (!parse(argv, a)) {
    sys.print("diskcheck: bad arguments");
    co_return 2;
  }
  const auto fail = [&](const std::string& why) {
    sys.print("diskcheck: " + a.path + ": FAILED: " + why);
    return 1;
  };

  if (a.start_ms) co_await sys.sleep_ns(a.start_ms * 1'000'000);
  // The disk appears once xhcid and usbscsid are up (there is no way to wait
  // for a scheme to be registered: look every 2 ms).
  hal::Result<hal::Fd> fd = hal::Error(hal::errc::noent, "");
  const std::uint64_t t_open = sys.now_ns();
  for (;;) {
    fd = co_await hal::open(sys, a.path);
    if (fd || !fd.error().is(hal::errc::noent) || sys.now_ns() - t_open > a.wait_ms * 1'000'000) break;
    co_await sys.sleep_ns(2'000'000);
  }
  if (!fd) co_return fail("open: " + fd.error().message());
  const hal::Result<hal::Stat> st = co_await hal::fstat(sys, *fd);
  if (!st) co_return fail("fstat: " + st.error().message());
  if (st->size == 0 || st->block_size == 0 || st->mode != 3 || st->blocks * st->block_size != st->size)
    co_return fail("fstat: odd answer");

  hal::PoolAllocator& pool = sys.kernel_pool();
  const hal::Result<std::uint64_t> off = pool.alloc(a.chunk + 8192, 4096);
  if (!off) co_return fail("no pool memory");
  std::uint8_t* buf = sys.kernel_ring().pool().data + *off;

  double write_mbps = 0, read_mbps = 0;
  if (!a.verify_only) {
    const std::uint64_t t0 = sys.now_ns();
    for (std::uint64_t done = 0; done < a.bytes;) {
      const std::uint64_t n = std::min(a.chunk, a.bytes - done);
      for (std::uint64_t i = 0; i < n; ++i) buf[i] = pattern(a.offset + done + i, a.seed);
      const hal::Result<std::uint64_t> w = co_await hal::pwrite(sys, *fd, *off, n, a.offset + done);
      if (!w) {
        if (a.expect_gone) co_return 0;
        co_return fail("pwrite at " + std::to_string(a.offset + done) + ": " + w.error().message());
      }
      if (*w != n) co_return fail("short pwrite");
      done += n;
    }
    const hal::Result<void> s = co_await hal::fsync(sys, *fd);
    if (!s) co_return fail("fsync: " + s.error().message());
    write_mbps = static_cast<double>(a.bytes) * 1e3 / static_cast<double>(sys.now_ns() - t0);
  }
  {
    const std::uint64_t t0 = sys.now_ns();
    for (std::uint64_t done = 0; done < a.bytes;) {
      const std::uint64_t n = std::min(a.chunk, a.bytes - done);
      std::memset(buf, 0xEE, n);
      const hal::Result<std::uint64_t> r = co_await hal::pread(sys, *fd, *off, n, a.offset + done);
      if (!r) {
        if (a.expect_gone) co_return 0;
        co_return fail("pread at " + std::to_string(a.offset + done) + ": " + r.error().message());
      }
      if (*r != n) co_return fail("short pread");
      for (std::uint64_t i = 0; i < n; ++i)
        if (buf[i] != pattern(a.offset + done + i, a.seed))
          co_return fail("data differs at byte " + std::to_string(a.offset + done + i));
      done += n;
    }
    read_mbps = static_cast<double>(a.bytes) * 1e3 / static_cast<double>(sys.now_ns() - t0);
  }

  if (a.edges && !a.verify_only) {
    // Unaligned write inside the pattern: read-modify-write in the driver.
    const std::uint64_t at = a.offset + 3 * st->block_size - 3;
    for (int i = 0; i < 1000; ++i) buf[i] = static_cast<std::uint8_t>(0xA0 ^ i);
    hal::Result<std::uint64_t> r = co_await hal::pwrite(sys, *fd, *off, 1000, at);
    if (!r || *r != 1000) co_return fail("unaligned pwrite");
    r = co_await hal::pread(sys, *fd, *off, 5000, a.offset + 1);
    if (!r || *r != 5000) co_return fail("unaligned pread");
    for (std::uint64_t i = 0; i < 5000; ++i) {
      const std::uint64_t p = a.offset + 1 + i;
      const std::uint8_t want = p >= at && p < at + 1000 ? static_cast<std::uint8_t>(0xA0 ^ (p - at))
                                                         : pattern(p, a.seed);
      if (buf[i] != want) co_return fail("unaligned data differs at byte " + std::to_string(p));
    }
    // The end of the medium.
    r = co_await hal::pread(sys, *fd, *off, 512, st->size - 100);
    if (!r || *r != 100) co_return fail("pread across the end should be short");
    r = co_await hal::pread(sys, *fd, *off, 512, st->size);
    if (!r || *r != 0) co_return fail("pread at the end should read 0");
    r = co_await hal::pwrite(sys, *fd, *off, 512, st->size);
    if (r || !r.error().is(hal::errc::nospc)) co_return fail("pwrite at the end should be ENOSPC");
    // Read and Write at the handle's position.
    std::memset(buf, 0x5A, 700);
    const hal::Result<std::uint64_t> w =
        co_await sys.kernel_ring().call_status(hal::make_sqe(hal::Opcode::write, *fd, *off, 700));
    if (!w || *w != 700) co_return fail("Write at the position");
    const hal::Result<std::uint64_t> rd =
        co_await sys.kernel_ring().call_status(hal::make_sqe(hal::Opcode::read, *fd, *off + 4096, 1000));
    if (!rd || *rd != 1000) co_return fail("Read at the position");
    for (int i = 0; i < 300; ++i)
      if (buf[4096 + i] != pattern(700 + static_cast<std::uint64_t>(i), a.seed) && a.offset == 0)
        co_return fail("Read at the position read the wrong bytes");
    // Put the pattern back where the edge checks wrote.
    for (std::uint64_t i = 0; i < 4096; ++i) buf[i] = pattern(a.offset + i, a.seed);
    r = co_await hal::pwrite(sys, *fd, *off, 4096, a.offset);
    if (!r) co_return fail("restore");
    for (std::uint64_t i = 0; i < 2048; ++i) buf[i] = pattern(at - 24 + i, a.seed);
    r = co_await hal::pwrite(sys, *fd, *off, 2048, at - 24);
    if (!r) co_return fail("restore");
  }
  const hal::Result<void> c = co_await hal::close(sys, *fd);
  if (!c) co_return fail("close: " + c.error().message());
  pool.free(*off);
  g_diskcheck = DiskcheckResult{true, write_mbps, read_mbps, st->size, st->block_size};
  sys.print("diskcheck: " + a.path + ": " + std::to_string(st->size >> 20) + " MiB, block " +
            std::to_string(st->block_size) + ", " + std::to_string(a.bytes) + " bytes in " +
            std::to_string(a.chunk) + "-byte requests: write " + mbps(write_mbps) + " MB/s, read " + mbps(read_mbps) +
            " MB/s, data verified");
  co_return 0;
}

}  // namespace usbtest
