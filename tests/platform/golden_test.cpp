// Golden traces: the sidecar's hashing agrees with the trace digest, it finds
// the first event that differs, and --update-golden's rewrite of the digest
// keeps the rest of the file byte for byte.
#include <gtest/gtest.h>

#include <xxhash.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/platform/golden.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sim;
using namespace sim::platform;

namespace {

struct Fake {
  Picos t = 0;
  Trace trace{[this] { return t; }};
};

// Emits n events; the one at `odd` (if any) has another field value.
void emit(Trace& t, Picos& now, std::uint64_t n, std::uint64_t odd = ~0ULL) {
  for (std::uint64_t i = 0; i < n; ++i) {
    now += 1000;
    t.info(i % 3 ? "dev" : "irqc", i % 2 ? "tick" : "tock", {{"i", i}, {"v", i == odd ? 1u : 0u}, {"s", "x y"}});
  }
}

GoldenFile record(std::uint64_t n, std::uint64_t odd = ~0ULL) {
  Fake f;
  auto rec = std::make_unique<GoldenRecorder>(nullptr);
  GoldenRecorder& r = *rec;
  f.trace.add_sink(std::move(rec));
  emit(f.trace, f.t, n, odd);
  return r.result("s", 1, f.trace.digest());
}

std::optional<GoldenDifference> compare(const GoldenFile& golden, std::uint64_t n, std::uint64_t odd = ~0ULL) {
  Fake f;
  auto rec = std::make_unique<GoldenRecorder>(&golden);
  GoldenRecorder& r = *rec;
  f.trace.add_sink(std::move(rec));
  emit(f.trace, f.t, n, odd);
  return r.difference();
}

// A run long enough to lose its fingerprints.
constexpr std::uint64_t kLong = kMaxFingerprintEvents + 1000;

}  // namespace

TEST(Golden, CanonicalEncodingIsTheDigests) {
  // XXH3-128 over our encoding of every event equals Trace's own digest.
  struct Hash final : TraceSink {
    XXH3_state_t* s = XXH3_createState();
    std::string buf;
    Hash() { XXH3_128bits_reset(s); }
    ~Hash() override { XXH3_freeState(s); }
    void write(const TraceEvent& e) override {
      encode_canonical(e, buf);
      XXH3_128bits_update(s, buf.data(), buf.size());
    }
  };
  Fake f;
  auto h = std::make_unique<Hash>();
  Hash& hash = *h;
  f.trace.add_sink(std::move(h));
  emit(f.trace, f.t, 50);
  f.trace.warn("x", "y", {{"h", Hex{0xabc}}, {"b", true}, {"n", -5}});
  const XXH128_hash_t d = XXH3_128bits_digest(hash.s);
  EXPECT_EQ((Digest{d.high64, d.low64}), f.trace.digest());
}

TEST(Golden, FileRoundTrips) {
  const GoldenFile g = record(700);
  EXPECT_EQ(g.events, 700u);
  EXPECT_EQ(g.window, kBaseWindow);
  ASSERT_EQ(g.windows.size(), 3u);
  EXPECT_TRUE(g.has_fingerprints());
  EXPECT_EQ(g.windows[2].fingerprints.size(), (700u - 512u) * 4);
  EXPECT_EQ(g.windows[1].first_seq, 256u);
  EXPECT_EQ(g.windows[0].first_event, "irqc tock");
  std::string why;
  const auto back = GoldenFile::parse(g.text(), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->text(), g.text());
  EXPECT_FALSE(GoldenFile::parse("hello\n", &why));
  EXPECT_NE(why.find("not a drvsim golden file"), std::string::npos);
}

TEST(Golden, SameRunHasNoDifference) {
  const GoldenFile g = record(600);
  EXPECT_FALSE(compare(g, 600));
}

TEST(Golden, NamesTheFirstEventThatDiffers) {
  const GoldenFile g = record(600);
  const auto d = compare(g, 600, 300);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, GoldenDifference::Kind::event);
  EXPECT_EQ(d->index, 300u);
  EXPECT_NE(d->event_line.find("i=300 v=1"), std::string::npos) << d->event_line;
  EXPECT_NE(d->previous_line.find("i=299 v=0"), std::string::npos) << d->previous_line;
}

TEST(Golden, LongerAndShorterRuns) {
  const GoldenFile g = record(600);
  auto d = compare(g, 650);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, GoldenDifference::Kind::run_longer);
  EXPECT_EQ(d->index, 600u);
  d = compare(g, 550);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, GoldenDifference::Kind::run_shorter);
  EXPECT_EQ(d->index, 550u);
}

TEST(Golden, LongRunsKeepWindowsAndNameTheWindow) {
  const GoldenFile g = record(kLong);
  EXPECT_FALSE(g.has_fingerprints());
  EXPECT_FALSE(compare(g, kLong));
  const auto d = compare(g, kLong, 1000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, GoldenDifference::Kind::window);
  EXPECT_EQ(d->index, 768u);  // the window of 256 that holds event 1000
  EXPECT_EQ(d->window_end, 1024u);
  EXPECT_NE(d->event_line.find("i=768 "), std::string::npos) << d->event_line;
  // The last, partial window is checked at the end.
  const auto last = compare(g, kLong, kLong - 3);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->kind, GoldenDifference::Kind::window);
}

TEST(Golden, WindowsDoubleToStaySmall) {
  const GoldenFile g = record(kBaseWindow * (kMaxWindows + 10));
  EXPECT_EQ(g.window, 2 * kBaseWindow);
  EXPECT_LE(g.windows.size(), kMaxWindows);
  std::string why;
  const auto back = GoldenFile::parse(g.text(), &why);
  ASSERT_TRUE(back) << why;
  EXPECT_FALSE(compare(*back, g.events));
  const auto d = compare(*back, g.events, 5000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->index, 4608u);  // 5000 rounded down to a window of 512
}

TEST(Golden, DescribeGivesTheEventAndTheCommands) {
  const GoldenFile g = record(600);
  const auto lines = describe_difference(compare(g, 600, 42), &g, "golden/s.digests", "", "dir/s.yaml", "s");
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  EXPECT_NE(all.find("first difference at event #42 (golden/s.digests):"), std::string::npos) << all;
  EXPECT_NE(all.find("this run: ["), std::string::npos) << all;
  EXPECT_NE(all.find("jq -c 'select(.seq >= 32 and .seq <= 52)' /tmp/s.jsonl"), std::string::npos) << all;
  EXPECT_NE(all.find("drvsim run dir/s.yaml --update-golden"), std::string::npos) << all;
  const auto none = describe_difference(std::nullopt, nullptr, "golden/s.digests", "cannot open it", "s.yaml", "s");
  EXPECT_NE(none.front().find("no golden trace to compare with (cannot open it)"), std::string::npos);
}

TEST(Golden, PathIsBesideTheScenario) {
  EXPECT_EQ(golden_path("scenarios/quickstart.yaml"), "scenarios/golden/quickstart.digests");
  EXPECT_EQ(golden_path("a.b.yaml"), "golden/a.b.digests");
}

// ---- Rewriting the digest ------------------------------------------------------

namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef";

DigestPlace place_of(const std::string& text) {
  const auto sc = scenario::load_string(text, "r.yaml");
  DigestPlace p;
  p.has_expect = sc.expect.present;
  p.flow = sc.expect.flow;
  p.empty = sc.expect.empty;
  p.expect_line = sc.expect.mark.line;
  p.expect_col = sc.expect.mark.column;
  if (sc.expect.digest) {
    p.has_digest = true;
    p.digest_line = sc.expect.digest->mark.line;
    p.digest_col = sc.expect.digest->mark.column;
    p.old_hex = sc.expect.digest->hex;
    p.quoted = sc.expect.digest->quoted;
  }
  return p;
}

std::string rewrite(const std::string& text) {
  const std::string out = rewrite_digest(text, place_of(text), kHex);
  EXPECT_EQ(scenario::load_string(out, "r.yaml").expect.digest->hex, kHex) << out;
  return out;
}

const std::string kHead = "# a comment\nprocesses: [ { program: pci-probe } ]   # trailing\n";

}  // namespace

TEST(RewriteDigest, ReplacesOnlyTheValue) {
  const std::string old = "ffffffffffffffffffffffffffffffff";
  EXPECT_EQ(rewrite(kHead + "expect:\n  digest: " + old + "   # keep me\nrun: { duration: 1ms }\n"),
            kHead + "expect:\n  digest: " + kHex + "   # keep me\nrun: { duration: 1ms }\n");
  EXPECT_EQ(rewrite(kHead + "expect:\n  digest: \"" + old + "\"\n"), kHead + "expect:\n  digest: \"" + kHex + "\"\n");
  EXPECT_EQ(rewrite(kHead + "expect:\n  digest: '" + old + "'\n"), kHead + "expect:\n  digest: '" + kHex + "'\n");
  EXPECT_EQ(rewrite(kHead + "expect: { warnings: 0, digest: " + old + " }\n"),
            kHead + "expect: { warnings: 0, digest: " + kHex + " }\n");
}

TEST(RewriteDigest, AddsTheKeyToAnExpectMap) {
  EXPECT_EQ(rewrite(kHead + "expect:\n  # why\n  warnings: 0\n"),
            kHead + "expect:\n  # why\n  digest: " + kHex + "\n  warnings: 0\n");
  EXPECT_EQ(rewrite(kHead + "expect:\n    warnings: 0\n"), kHead + "expect:\n    digest: " + kHex + "\n    warnings: 0\n");
  EXPECT_EQ(rewrite(kHead + "expect: { warnings: 0 }\n"), kHead + "expect: { digest: " + kHex + ", warnings: 0 }\n");
  EXPECT_EQ(rewrite(kHead + "expect: {}\n"), kHead + "expect: { digest: " + kHex + " }\n");
}

TEST(RewriteDigest, AppendsAnExpectMap) {
  EXPECT_EQ(rewrite(kHead), kHead + "expect:\n  digest: " + kHex + "\n");
  EXPECT_EQ(rewrite("processes: [ { program: pci-probe } ]"),
            "processes: [ { program: pci-probe } ]\nexpect:\n  digest: " + kHex + "\n");
}

TEST(RewriteDigest, RefusesWhenTheTextIsNotWhereTheMarkSays) {
  DigestPlace p = place_of(kHead + "expect:\n  digest: ffffffffffffffffffffffffffffffff\n");
  p.digest_col += 1;
  EXPECT_THROW(rewrite_digest(kHead + "expect:\n  digest: ffffffffffffffffffffffffffffffff\n", p, kHex),
               std::runtime_error);
}

// ---- Against a real run -----------------------------------------------------------

TEST(Golden, RecordedRunMatchesTheDigestAndTheSidecarFindsTheChange) {
  const std::string dir = ::testing::TempDir() + "golden_run/";
  std::filesystem::create_directories(dir);
  const std::string yaml = R"(
seed: 5
devices:
  - { type: pci-test, name: a, address: "00:01.0", dma_jitter: 300ns }
processes: [ { program: pci-probe } ]
run: { duration: 2ms }
)";
  const auto sc = scenario::load_string(yaml, dir + "g.yaml");
  std::ostringstream out;
  RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  o.record_golden = true;
  const RunResult r = run(sc, o);
  ASSERT_TRUE(r.golden);
  EXPECT_EQ(r.golden->digest, r.digest.hex());
  EXPECT_EQ(r.golden->events, r.events);
  r.golden->save(golden_path(dir + "g.yaml"));

  // The same scenario expecting that digest passes; with other jitter it
  // fails and names the first event that moved.
  std::string expecting = yaml + "expect: { digest: " + r.digest.hex() + " }\n";
  RunOptions quiet;
  quiet.out = &out;
  quiet.log_level = Severity::error;
  const auto same = run(scenario::load_string(expecting, dir + "g.yaml"), quiet);
  EXPECT_TRUE(same.passed());
  expecting.replace(expecting.find("300ns"), 5, "900ns");
  const auto other = run(scenario::load_string(expecting, dir + "g.yaml"), quiet);
  ASSERT_FALSE(other.passed());
  const std::string f = other.evaluation.failures.at(0).str();
  EXPECT_NE(f.find("expect.digest: expected " + r.digest.hex()), std::string::npos) << f;
  EXPECT_NE(f.find("first difference at event #"), std::string::npos) << f;
  EXPECT_NE(f.find("this run: ["), std::string::npos) << f;
  EXPECT_NE(f.find(" a dma.done "), std::string::npos) << f;  // the jittered DMA ends at another time
}
