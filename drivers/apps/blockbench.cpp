#include "drivers/apps/blockbench.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>

#include "drivers/hal/file.hpp"
#include "drivers/hal/signal.hpp"

namespace apps {
namespace blockbench {

// ---------------------------------------------------------------------------
// Options

std::string Options::workload_name() const {
  const char* base = rw == Rw::read ? "read" : rw == Rw::write ? "write" : "rw";
  return (pattern == Pattern::rand ? "rand" : "") + std::string(base);
}

namespace {

hal::Error bad(std::string_view arg, std::string_view why) {
  return hal::Error(hal::errc::inval, std::string(arg) + ": " + std::string(why));
}

bool leading_number(std::string_view text, std::uint64_t& v, std::string_view& suffix) {
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (p == text.data() || ec != std::errc{}) return false;
  suffix = std::string_view(p, static_cast<std::size_t>(end - p));
  return true;
}

hal::Result<std::uint64_t> number(std::string_view name, std::string_view text) {
  std::uint64_t v = 0;
  std::string_view rest;
  if (!leading_number(text, v, rest) || !rest.empty()) return bad(name, "not a number: '" + std::string(text) + "'");
  return v;
}

hal::Result<std::uint64_t> bytes(std::string_view name, std::string_view text) {
  std::uint64_t v = 0;
  std::string_view unit;
  if (!leading_number(text, v, unit)) return bad(name, "not a size: '" + std::string(text) + "'");
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB") scale = 1ULL << 10;
  else if (unit == "M" || unit == "MiB") scale = 1ULL << 20;
  else if (unit == "G" || unit == "GiB") scale = 1ULL << 30;
  else if (unit == "T" || unit == "TiB") scale = 1ULL << 40;
  else return bad(name, "unknown size suffix in '" + std::string(text) + "' (K, KiB, M, MiB, G, GiB, T, TiB)");
  if (v > (1ULL << 60) / scale) return bad(name, "too large");
  return v * scale;
}

hal::Result<std::uint64_t> duration(std::string_view name, std::string_view text) {
  std::uint64_t v = 0;
  std::string_view unit;
  if (!leading_number(text, v, unit)) return bad(name, "not a duration: '" + std::string(text) + "'");
  std::uint64_t scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1'000;
  else if (unit == "ms") scale = 1'000'000;
  else if (unit == "s") scale = 1'000'000'000;
  else return bad(name, "a duration needs a unit (ns, us, ms, s): '" + std::string(text) + "'");
  if (v > (1ULL << 62) / scale) return bad(name, "too long");
  return v * scale;
}

}  // namespace

hal::Result<Options> parse_options(const std::vector<std::string>& in) {
  std::vector<std::string> args = in;
  if (!args.empty() && args.front() == "blockbench") args.erase(args.begin());
  Options o;
  bool have_count = false, have_time = false, have_mix = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a.empty()) continue;
    std::string_view name = a, value;
    bool have_value = false;
    if (const std::size_t eq = a.find('='); eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      have_value = true;
    }
    if (name == "--verify" || name == "--fsync") {
      if (have_value) return bad(a, "takes no value");
      (name == "--verify" ? o.verify : o.fsync) = true;
      continue;
    }
    static const char* const with_value[] = {"--path",   "--pattern", "--rw",   "--mix-read-percent", "--bs",
                                             "--qd",     "--count",   "--time", "--offset",           "--size",
                                             "--seed",   "--label"};
    if (std::none_of(std::begin(with_value), std::end(with_value), [&](const char* k) { return name == k; }))
      return bad(a, "unknown argument");
    if (!have_value) {
      if (i + 1 >= args.size()) return bad(a, "needs a value");
      value = args[++i];
    }
    if (name == "--path") {
      if (value.empty() || value.find(':') == std::string_view::npos) return bad(name, "expected SCHEME:PATH");
      o.path = std::string(value);
    } else if (name == "--pattern") {
      if (value == "seq") o.pattern = Pattern::seq;
      else if (value == "rand") o.pattern = Pattern::rand;
      else return bad(name, "seq or rand");
    } else if (name == "--rw") {
      if (value == "read") o.rw = Rw::read;
      else if (value == "write") o.rw = Rw::write;
      else if (value == "mix") o.rw = Rw::mix;
      else return bad(name, "read, write or mix");
    } else if (name == "--mix-read-percent") {
      const auto v = number(name, value);
      if (!v) return v.error();
      if (*v > 100) return bad(name, "0 .. 100");
      o.mix_read_percent = static_cast<unsigned>(*v);
      have_mix = true;
    } else if (name == "--bs") {
      const auto v = bytes(name, value);
      if (!v) return v.error();
      if (*v < 512 || *v > (1u << 20)) return bad(name, "512 .. 1MiB");
      o.bs = *v;
    } else if (name == "--qd") {
      const auto v = number(name, value);
      if (!v) return v.error();
      if (*v < 1 || *v > 256) return bad(name, "1 .. 256");
      o.qd = static_cast<unsigned>(*v);
    } else if (name == "--count") {
      const auto v = number(name, value);
      if (!v) return v.error();
      if (*v < 1 || *v > (1ULL << 40)) return bad(name, "1 .. 2^40");
      o.count = *v;
      have_count = true;
    } else if (name == "--time") {
      const auto v = duration(name, value);
      if (!v) return v.error();
      if (*v == 0) return bad(name, "must be above 0");
      o.time_ns = *v;
      have_time = true;
    } else if (name == "--offset" || name == "--size") {
      const auto v = bytes(name, value);
      if (!v) return v.error();
      if (name == "--size" && *v == 0) return bad(name, "must be above 0");
      (name == "--offset" ? o.offset : o.size) = *v;
    } else if (name == "--seed") {
      const auto v = number(name, value);
      if (!v) return v.error();
      o.seed = *v;
    } else if (name == "--label") {
      if (value.empty() || value.find_first_of(" =") != std::string_view::npos)
        return bad(name, "a word without blanks or '='");
      o.label = std::string(value);
    }
  }
  if (have_count && have_time) return bad("--count", "give --count or --time, not both");
  if (have_mix && o.rw != Rw::mix) return bad("--mix-read-percent", "only with --rw mix");
  return o;
}

// ---------------------------------------------------------------------------
// Random numbers, the workload, the verify pattern

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state += 0x9E37'79B9'7F4A'7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBULL;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);  // a multiple of n
  for (;;) {
    const std::uint64_t v = next();
    if (v < limit) return v % n;
  }
}

Workload::Workload(const Options& o, std::uint64_t region_blocks)
    : pattern_(o.pattern),
      rw_(o.rw),
      read_percent_(o.mix_read_percent),
      blocks_(std::max<std::uint64_t>(1, region_blocks)),
      offsets_(o.seed),
      mix_(o.seed ^ 0x6D69'7852'6561'6421ULL) {}

Workload::Op Workload::next() {
  Op op;
  op.block = pattern_ == Pattern::seq ? issued_ % blocks_ : offsets_.below(blocks_);
  op.read = rw_ == Rw::read || (rw_ == Rw::mix && mix_.below(100) < read_percent_);
  ++issued_;
  return op;
}

namespace {
std::uint64_t pattern_word(std::size_t w, std::uint64_t block, std::uint64_t seed, SplitMix64& rng) {
  if (w == 0) return block;
  if (w == 1) return seed;
  return rng.next();
}
}  // namespace

void fill_pattern(std::uint8_t* data, std::size_t len, std::uint64_t block, std::uint64_t seed) {
  SplitMix64 rng(seed * 0x9E37'79B9'7F4A'7C15ULL ^ block);
  for (std::size_t off = 0, w = 0; off < len; off += 8, ++w) {
    const std::uint64_t v = pattern_word(w, block, seed, rng);
    std::uint8_t b[8];
    for (int k = 0; k < 8; ++k) b[k] = static_cast<std::uint8_t>(v >> (8 * k));
    std::memcpy(data + off, b, std::min<std::size_t>(8, len - off));
  }
}

std::size_t first_mismatch(const std::uint8_t* data, std::size_t len, std::uint64_t block, std::uint64_t seed) {
  SplitMix64 rng(seed * 0x9E37'79B9'7F4A'7C15ULL ^ block);
  for (std::size_t off = 0, w = 0; off < len; off += 8, ++w) {
    const std::uint64_t v = pattern_word(w, block, seed, rng);
    for (std::size_t k = 0; k < 8 && off + k < len; ++k)
      if (data[off + k] != static_cast<std::uint8_t>(v >> (8 * k))) return off + k;
  }
  return len;
}

// ---------------------------------------------------------------------------
// Statistics and reports

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t r = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size())));
  return sorted[r - 1];
}

LatencySummary summarize(std::vector<std::uint64_t> v) {
  LatencySummary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.count = v.size();
  long double sum = 0;
  for (const std::uint64_t x : v) sum += static_cast<long double>(x);
  s.mean_ns = static_cast<double>(sum / static_cast<long double>(v.size()));
  s.min_ns = v.front();
  s.p50_ns = percentile(v, 50);
  s.p99_ns = percentile(v, 99);
  s.max_ns = v.back();
  return s;
}

double Report::iops() const {
  return elapsed_ns ? static_cast<double>(ops) * 1e9 / static_cast<double>(elapsed_ns) : 0.0;
}

double Report::mb_per_s() const {
  return elapsed_ns ? static_cast<double>(bytes) * 1e3 / static_cast<double>(elapsed_ns) : 0.0;
}

namespace {
std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}
std::string us(std::uint64_t ns) { return fixed(static_cast<double>(ns) / 1000.0, 3); }
std::string us(double ns) { return fixed(ns / 1000.0, 3); }
}  // namespace

std::string summary_line(const Report& r) {
  std::string s = "blockbench " + r.path + ": " + r.workload + " bs=" + std::to_string(r.bs) +
                  " qd=" + std::to_string(r.qd) + ": " + std::to_string(r.ops) + " ops in " +
                  fixed(static_cast<double>(r.elapsed_ns) / 1e6, 3) + " ms: " + fixed(r.iops(), 1) + " IOPS, " +
                  fixed(r.mb_per_s(), 1) + " MB/s; latency us mean " + us(r.all.mean_ns) + " p50 " + us(r.all.p50_ns) +
                  " p99 " + us(r.all.p99_ns) + " max " + us(r.all.max_ns);
  if (r.fsync) s += "; fsync " + us(r.fsync_ns) + " us";
  s += "; errors " + std::to_string(r.errors);
  if (r.verify)
    s += ", verify mismatches " + std::to_string(r.verify_mismatches) + " of " + std::to_string(r.verified_blocks) +
         " blocks checked";
  return s;
}

std::vector<std::pair<std::string, std::string>> result_values(const Report& r) {
  std::vector<std::pair<std::string, std::string>> v;
  const auto add = [&](const char* name, std::string value) { v.emplace_back(name, std::move(value)); };
  add("ops", std::to_string(r.ops));
  add("elapsed_us", us(r.elapsed_ns));
  add("iops", fixed(r.iops(), 1));
  add("bw_mbps", fixed(r.mb_per_s(), 3));
  add("lat_mean_us", us(r.all.mean_ns));
  add("lat_p50_us", us(r.all.p50_ns));
  add("lat_p99_us", us(r.all.p99_ns));
  add("lat_max_us", us(r.all.max_ns));
  if (r.read.count) {
    add("read_ops", std::to_string(r.read.count));
    add("read_mean_us", us(r.read.mean_ns));
    add("read_p50_us", us(r.read.p50_ns));
    add("read_p99_us", us(r.read.p99_ns));
    add("read_max_us", us(r.read.max_ns));
  }
  if (r.write.count) {
    add("write_ops", std::to_string(r.write.count));
    add("write_mean_us", us(r.write.mean_ns));
    add("write_p50_us", us(r.write.p50_ns));
    add("write_p99_us", us(r.write.p99_ns));
    add("write_max_us", us(r.write.max_ns));
  }
  if (r.fsync) add("fsync_us", us(r.fsync_ns));
  add("errors", std::to_string(r.errors));
  if (r.verify) {
    add("verify_mismatches", std::to_string(r.verify_mismatches));
    add("verified_blocks", std::to_string(r.verified_blocks));
  }
  return v;
}

std::string result_message(const Report& r, const std::string& label) {
  std::string m = label;
  for (const auto& [name, value] : result_values(r)) m += " " + name + "=" + value;
  return m;
}

// ---------------------------------------------------------------------------
// The run

namespace {

struct Op {
  std::uint64_t block = 0;  // in the region
  bool read = true;
  bool check = false;  // compare what was read with the pattern
  bool timed = false;  // counts in the statistics
};

struct Run {
  Run(hal::Sys& s, const Options& opts) : sys(s), o(opts) {}
  hal::Sys& sys;
  const Options& o;
  hal::Fd fd = 0;
  std::uint64_t pool_base = 0, stride = 0;
  std::uint64_t region_offset = 0, blocks = 0;
  std::vector<std::uint64_t> read_lat, write_lat;
  std::uint64_t errors = 0, mismatches = 0, verified = 0, ops = 0, bytes = 0;
  std::uint64_t last_completion_ns = 0;
  std::vector<bool> written;
  unsigned logged = 0;

  void note_problem(const std::string& what) {
    if (logged++ < 5) sys.log(hal::LogLevel::warn, "blockbench.error", what);
  }
};

/// One phase: `next` hands out ops until it returns nullopt; qd workers.
struct Phase {
  std::function<std::optional<Op>()> next;
  unsigned live = 0;
  hal::Signal<void> done;
};

hal::Task<void> do_op(Run& run, unsigned slot, const Op& op) {
  const Options& o = run.o;
  const std::uint64_t pool_off = run.pool_base + std::uint64_t{slot} * run.stride;
  std::uint8_t* buf = run.sys.kernel_ring().pool().data + pool_off;
  const std::uint64_t offset = run.region_offset + op.block * o.bs;
  const std::uint64_t id = offset / o.bs;
  if (!op.read && o.verify) fill_pattern(buf, o.bs, id, o.seed);
  const std::uint64_t t0 = run.sys.now_ns();
  hal::Result<std::uint64_t> r = std::uint64_t{0};
  if (op.read)
    r = co_await hal::pread(run.sys, run.fd, pool_off, o.bs, offset);
  else
    r = co_await hal::pwrite(run.sys, run.fd, pool_off, o.bs, offset);
  const std::uint64_t t1 = run.sys.now_ns();
  const char* what = op.read ? "read" : "write";
  if (!r || *r != o.bs) {
    ++run.errors;
    run.note_problem(std::string(what) + " at " + std::to_string(offset) + ": " +
                     (r ? "short, " + std::to_string(*r) + " bytes" : r.error().message()));
  } else {
    if (op.read && op.check) {
      ++run.verified;
      const std::size_t at = first_mismatch(buf, o.bs, id, o.seed);
      if (at != o.bs) {
        ++run.mismatches;
        run.note_problem("verify: block " + std::to_string(id) + " (offset " + std::to_string(offset) +
                         ") differs at byte " + std::to_string(at));
      }
    }
    if (!op.read && o.verify) run.written[op.block] = true;
  }
  if (op.timed) {
    (op.read ? run.read_lat : run.write_lat).push_back(t1 - t0);
    ++run.ops;
    run.bytes += o.bs;
    run.last_completion_ns = t1;
  }
}

hal::Task<void> worker(Run& run, Phase& phase, unsigned slot) {
  while (std::optional<Op> op = phase.next()) co_await do_op(run, slot, *op);
  if (--phase.live == 0) phase.done.complete();
}

hal::Task<void> run_phase(Run& run, std::function<std::optional<Op>()> next) {
  Phase phase;
  phase.next = std::move(next);
  phase.live = run.o.qd;
  for (unsigned s = 0; s < run.o.qd; ++s) run.sys.executor().spawn(worker(run, phase, s), "blockbench.worker");
  co_await phase.done;
}

}  // namespace

}  // namespace blockbench

hal::Task<int> blockbench_main(hal::Sys& sys) {
  using namespace blockbench;
  const hal::Result<Options> parsed = parse_options(sys.args());
  if (!parsed) {
    sys.print("blockbench: " + parsed.error().context());
    co_return 2;
  }
  const Options& o = *parsed;
  const auto fail = [&sys](const std::string& why) {
    sys.print("blockbench: FAILED: " + why);
    sys.log(hal::LogLevel::error, "blockbench.failed", why);
    return 1;
  };

  // The driver may start beside us: the Open waits for its scheme.
  const hal::Result<hal::Fd> fd = co_await hal::open_when_ready(sys, o.path);
  if (!fd) co_return fail("open " + o.path + ": " + fd.error().message());
  const hal::Result<hal::Stat> st = co_await hal::fstat(sys, *fd);
  if (!st) co_return fail("fstat " + o.path + ": " + st.error().message());
  if (o.offset >= st->size)
    co_return fail("--offset " + std::to_string(o.offset) + " is beyond the device (" + std::to_string(st->size) +
                   " bytes)");
  const std::uint64_t region = std::min(o.size ? o.size : st->size - o.offset, st->size - o.offset);
  Run run(sys, o);
  run.fd = *fd;
  run.region_offset = o.offset;
  run.blocks = region / o.bs;
  if (run.blocks == 0) co_return fail("the region (" + std::to_string(region) + " bytes) is smaller than --bs");
  run.stride = (o.bs + 63) / 64 * 64;
  const hal::Result<std::uint64_t> pool = sys.kernel_pool().alloc(run.stride * o.qd, 4096);
  if (!pool)
    co_return fail("--qd x --bs = " + std::to_string(run.stride * o.qd) + " bytes do not fit the kernel ring's pool (" +
                   std::to_string(sys.kernel_pool().available()) + " bytes free)");
  run.pool_base = *pool;
  if (o.verify) run.written.assign(run.blocks, false);
  sys.log(hal::LogLevel::info, "blockbench.start",
          "path=" + o.path + " workload=" + o.workload_name() + " bs=" + std::to_string(o.bs) + " qd=" +
              std::to_string(o.qd) + " region_offset=" + std::to_string(o.offset) + " region_blocks=" +
              std::to_string(run.blocks) + " device_bytes=" + std::to_string(st->size) + " lba=" +
              std::to_string(st->block_size));

  // Verify with reads: the region gets the pattern first (not timed).
  if (o.verify && o.rw != Rw::write) {
    std::uint64_t b = 0;
    co_await run_phase(run, [&]() -> std::optional<Op> {
      if (b >= run.blocks) return std::nullopt;
      return Op{b++, false, false, false};
    });
  }

  // The measured run.
  Workload workload(o, run.blocks);
  const std::uint64_t start = sys.now_ns();
  run.last_completion_ns = start;
  co_await run_phase(run, [&]() -> std::optional<Op> {
    if (o.time_ns ? sys.now_ns() - start >= o.time_ns : workload.issued() >= o.count) return std::nullopt;
    const Workload::Op w = workload.next();
    return Op{w.block, w.read, w.read && o.verify, true};
  });
  Report rep;
  rep.elapsed_ns = run.last_completion_ns - start;
  if (o.fsync) {
    const std::uint64_t t0 = sys.now_ns();
    const hal::Result<void> f = co_await hal::fsync(sys, run.fd);
    rep.fsync = true;
    rep.fsync_ns = sys.now_ns() - t0;
    if (!f) {
      ++run.errors;
      run.note_problem("fsync: " + f.error().message());
    }
  }

  // Verify: every block written is read back (not timed).
  if (o.verify && o.rw != Rw::read) {
    std::uint64_t b = 0;
    co_await run_phase(run, [&]() -> std::optional<Op> {
      while (b < run.blocks && !run.written[b]) ++b;
      if (b >= run.blocks) return std::nullopt;
      return Op{b++, true, true, false};
    });
  }
  (void)co_await hal::close(sys, run.fd);
  sys.kernel_pool().free(run.pool_base);

  rep.path = o.path;
  rep.workload = o.workload_name();
  rep.bs = o.bs;
  rep.qd = o.qd;
  rep.ops = run.ops;
  rep.bytes = run.bytes;
  std::vector<std::uint64_t> all = run.read_lat;
  all.insert(all.end(), run.write_lat.begin(), run.write_lat.end());
  rep.read = summarize(std::move(run.read_lat));
  rep.write = summarize(std::move(run.write_lat));
  rep.all = summarize(std::move(all));
  rep.errors = run.errors;
  rep.verify = o.verify;
  rep.verify_mismatches = run.mismatches;
  rep.verified_blocks = run.verified;
  sys.print(summary_line(rep));
  sys.log(hal::LogLevel::info, "result", result_message(rep, o.label));
  co_return rep.errors == 0 && rep.verify_mismatches == 0 ? 0 : 1;
}

}  // namespace apps
