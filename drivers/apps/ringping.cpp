#include "drivers/apps/ringping.hpp"

#include <charconv>
#include <cstdio>
#include <string>

#include "drivers/apps/echod.hpp"
#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"

namespace apps {

namespace {

struct Options {
  std::string mode = "all";
  std::uint64_t count = 1000;
  std::uint64_t depth = 1;
};

bool parse_uint(const std::string& s, std::uint64_t& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool parse(const std::vector<std::string>& args, Options& o, std::string& error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--mode" && has_value) {
      o.mode = args[++i];
      if (o.mode != "kernel" && o.mode != "scheme" && o.mode != "user" && o.mode != "all") {
        error = "unknown mode '" + o.mode + "'";
        return false;
      }
    } else if (a == "--count" && has_value) {
      if (!parse_uint(args[++i], o.count) || o.count == 0) {
        error = "bad --count";
        return false;
      }
    } else if (a == "--depth" && has_value) {
      if (!parse_uint(args[++i], o.depth) || o.depth == 0 || o.depth > 256) {
        error = "bad --depth (1..256)";
        return false;
      }
    } else {
      error = "unknown argument '" + a + "'";
      return false;
    }
  }
  return true;
}

// One worker: `n` round trips of `one`, counting failures.
template <class F>
hal::Task<void> worker(std::uint64_t n, F one, std::uint64_t& failures, std::uint64_t& done) {
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!co_await one(i)) ++failures;
  }
  ++done;
}

template <class F>
hal::Task<bool> timed(hal::Sys& sys, const char* label, const Options& o, F one) {
  const std::uint64_t t0 = sys.now_ns();
  std::uint64_t failures = 0, done = 0;
  const std::uint64_t per = o.count / o.depth, extra = o.count % o.depth;
  for (std::uint64_t w = 0; w < o.depth; ++w)
    sys.executor().spawn(worker(per + (w < extra ? 1 : 0), one, failures, done), label);
  while (done < o.depth) co_await sys.sleep_ns(100);
  const std::uint64_t ns = sys.now_ns() - t0;
  char line[200];
  std::snprintf(line, sizeof line, "ringping %-6s: %llu round trips, depth %llu, %.3f us simulated each, %llu failed",
                label, static_cast<unsigned long long>(o.count), static_cast<unsigned long long>(o.depth),
                static_cast<double>(ns) / 1000.0 / static_cast<double>(o.count),
                static_cast<unsigned long long>(failures));
  sys.print(line);
  sys.log(failures ? hal::LogLevel::error : hal::LogLevel::info, "result",
          std::string(label) + " round_trips=" + std::to_string(o.count) + " total_ns=" + std::to_string(ns));
  co_return failures == 0;
}

}  // namespace

hal::Task<int> ringping_main(hal::Sys& sys) {
  Options o;
  std::string error;
  if (!parse(sys.args(), o, error)) {
    sys.print("ringping: " + error);
    co_return 2;
  }
  bool ok = true;
  if (o.mode == "kernel" || o.mode == "all") {
    ok &= co_await timed(sys, "kernel", o, [&sys](std::uint64_t) -> hal::Task<bool> {
      const auto c = co_await sys.kernel_ring().call(hal::make_sqe(hal::Opcode::no_op, 0));
      co_return c.status == 0;
    });
  }
  if (o.mode == "scheme" || o.mode == "all") {
    // echod starts beside us: wait for it to register.
    hal::Result<hal::Fd> fd = co_await hal::open_when_ready(sys, "echo:ping");
    if (!fd) {
      sys.print("ringping: cannot open echo:ping: " + fd.error().message());
      co_return 1;
    }
    auto buf = sys.kernel_pool().alloc(64 * o.depth);
    if (!buf) co_return 1;
    std::uint64_t slot = 0;
    ok &= co_await timed(sys, "scheme", o, [&sys, &fd, base = *buf, &slot, &o](std::uint64_t i) -> hal::Task<bool> {
      const std::uint64_t off = base + 64 * (slot++ % o.depth);
      auto n = co_await hal::pread(sys, *fd, off, 64, i);
      if (!n || *n != 64) co_return false;
      const std::uint8_t* p = sys.kernel_ring().pool().data + off;
      for (std::uint64_t k = 0; k < 64; ++k)
        if (p[k] != static_cast<std::uint8_t>(i + k)) co_return false;
      co_return true;
    });
    (void)co_await hal::close(sys, *fd);
  }
  if (o.mode == "user" || o.mode == "all") {
    hal::Result<hal::Channel> ch = hal::Error(hal::errc::noent, "");
    for (int tries = 0; tries < 100 && !ch; ++tries) {
      ch = sys.attach("echo", 64, 4096);
      if (!ch) co_await sys.sleep_ns(1000);
    }
    if (!ch) {
      sys.print("ringping: cannot attach to echo: " + ch.error().message());
      co_return 1;
    }
    for (int k = 0; k < 64; ++k) ch->pool.data[k] = 3;
    hal::RingClient* ring = ch->ring;
    ok &= co_await timed(sys, "user", o, [ring](std::uint64_t) -> hal::Task<bool> {
      hal::SqEntry64 s{};
      s.opcode = kEchoSum;
      s.addr = 0;
      s.len = 64;
      const auto c = co_await ring->call(s);
      co_return c.status == 64 * 3;
    });
    (void)co_await hal::close(sys, ch->fd);
  }
  co_return ok ? 0 : 1;
}

}  // namespace apps
