#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/core/trace.hpp"

using namespace sim;

namespace {
Picos fake_now = 0;
Trace::Clock fake_clock() {
  return [] { return fake_now; };
}

Digest record(int variant) {
  Trace t(fake_clock());
  fake_now = 100;
  t.info("dev", "doorbell", {{"queue", 1}, {"tail", std::uint64_t{5}}});
  fake_now = 200;
  t.warn("dev", "bad", {{"addr", Hex{0x1000}}, {"why", variant == 1 ? "x" : "y"}});
  return t.digest();
}
}  // namespace

TEST(Trace, EqualStreamsGiveEqualDigests) {
  EXPECT_EQ(record(0), record(0));
  EXPECT_EQ(record(0).hex().size(), 32u);
}

TEST(Trace, AnyDifferenceChangesTheDigest) {
  EXPECT_NE(record(0), record(1));
  Trace a(fake_clock()), b(fake_clock());
  fake_now = 5;
  a.info("c", "k", {{"v", 1}});
  b.info("c", "k", {{"v", std::uint64_t{1}}});  // same text, different type
  EXPECT_NE(a.digest(), b.digest());
  Trace c(fake_clock()), d(fake_clock());
  c.info("c", "ab");
  d.info("ca", "b");  // length prefixes keep field boundaries apart
  EXPECT_NE(c.digest(), d.digest());
}

TEST(Trace, DigestCoversEventsNoSinkShows) {
  Trace a(fake_clock()), b(fake_clock());
  a.add_sink(make_text_sink(Severity::error));
  a.debug("c", "k");
  b.debug("c", "k2");
  EXPECT_NE(a.digest(), b.digest());
}

TEST(Trace, CountsBySeverityAndKeepsATail) {
  Trace t(fake_clock());
  t.keep_tail(2);
  t.info("a", "one");
  t.warn("a", "two");
  t.error("a", "three", {{"n", 3}});
  EXPECT_EQ(t.event_count(), 3u);
  EXPECT_EQ(t.count(Severity::warn), 1u);
  EXPECT_EQ(t.count(Severity::error), 1u);
  ASSERT_EQ(t.tail().size(), 2u);
  EXPECT_NE(t.tail().back().find("a three n=3"), std::string::npos);
}

TEST(Trace, TailLinesAreWhatTheTextLogShowsForEveryFieldType) {
  Trace t(fake_clock());
  t.keep_tail(3);
  fake_now = 5'000'000;
  const std::initializer_list<Field> fields = {
      {"n", std::uint64_t{18446744073709551615ULL}}, {"d", -7}, {"ok", false}, {"a", Hex{0xFEE00000}},
      {"s", "two words"}, {"e", ""}};
  t.info("x", "first");
  t.warn("rc", "msi", fields);
  const TraceEvent e{5'000'000, 1, Severity::warn, "rc", "msi", std::span<const Field>(fields.begin(), fields.size())};
  const auto tail = t.tail();
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[1], format_event_line(e));
  EXPECT_NE(tail[1].find("n=18446744073709551615 d=-7 ok=false a=0xfee00000 s=\"two words\" e=\"\""),
            std::string::npos) << tail[1];
  std::string canon;
  encode_canonical(e, canon);
  EXPECT_EQ(format_canonical_line(canon), format_event_line(e));
  EXPECT_EQ(format_canonical_line(std::string_view(canon).substr(0, canon.size() - 3)), "");  // truncated: not an event
}

TEST(Trace, TailKeepsTheLastEventsInOrderAcrossTheRing) {
  Trace t(fake_clock());
  t.keep_tail(3);
  for (int i = 0; i < 7; ++i) t.info("c", "k", {{"i", i}});
  const auto tail = t.tail();
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_NE(tail[0].find("i=4"), std::string::npos);
  EXPECT_NE(tail[2].find("i=6"), std::string::npos);
  t.keep_tail(0);
  t.info("c", "k");
  EXPECT_TRUE(t.tail().empty());
}

TEST(Trace, JsonLinesSinkWritesOneObjectPerEvent) {
  const std::string path = ::testing::TempDir() + "trace_test.jsonl";
  {
    Trace t(fake_clock());
    t.add_sink(make_json_sink(path));
    fake_now = 1234;
    t.info("rc", "msi", {{"vector", 3}, {"address", Hex{0xFEE00000}}, {"ok", true}, {"name", "a b"}});
    t.warn("rc", "oops");
  }
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["t_ps"], 1234);
  EXPECT_EQ(j["seq"], 0);
  EXPECT_EQ(j["comp"], "rc");
  EXPECT_EQ(j["kind"], "msi");
  EXPECT_EQ(j["f"]["vector"], 3);
  EXPECT_EQ(j["f"]["address"], "0xfee00000");
  EXPECT_EQ(j["f"]["ok"], true);
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(nlohmann::json::parse(line)["sev"], "warn");
  EXPECT_FALSE(std::getline(in, line));
  std::remove(path.c_str());
}

TEST(Trace, JsonSinkRejectsAnUnwritablePath) {
  EXPECT_THROW(make_json_sink("/nonexistent-dir/x.jsonl"), std::runtime_error);
}

TEST(Trace, TextFormatQuotesStringsWithSpaces) {
  const Field f[] = {{"a", "x y"}, {"b", Hex{255}}, {"c", -3}};
  const TraceEvent e{ns(1), 0, Severity::info, "comp", "kind", f};
  EXPECT_EQ(format_event_body(e), "comp kind a=\"x y\" b=0xff c=-3");
}
