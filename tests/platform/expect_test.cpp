// `expect`: the schema (conditions, keys, errors with file:line:col) and its
// check against real runs.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "sim/platform/platform.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sim;
using namespace sim::scenario;

namespace {

const std::string kMachine = R"(
machine: { cpus: 2, memory: 64MiB }
devices:
  - { type: pci-test, name: a, address: "00:01.0" }
  - { type: pci-test, name: b, address: "00:02.0", msix_vectors: 0 }
processes:
  - program: pci-probe
run: { duration: 5ms }
)";

platform::RunResult run_text(const std::string& yaml) {
  const auto sc = load_string(yaml, "expect.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  return platform::run(sc, o);
}

std::string failures(const platform::RunResult& r) {
  std::string s;
  for (const auto& f : r.evaluation.failures) s += f.str() + "\n";
  return s;
}

std::string error_of(const std::string& yaml) {
  try {
    load_string(yaml, "bad.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(ExpectConditions, CountsParseAndHold) {
  auto c = parse_count_condition("3", false);
  ASSERT_TRUE(c);
  EXPECT_TRUE(holds(*c, 3));
  EXPECT_FALSE(holds(*c, 4));
  c = parse_count_condition(">= 1", false);
  EXPECT_TRUE(holds(*c, 1));
  EXPECT_FALSE(holds(*c, 0));
  c = parse_count_condition("<=5", false);
  EXPECT_TRUE(holds(*c, 5) && !holds(*c, 6));
  c = parse_count_condition("> 2", false);
  EXPECT_TRUE(holds(*c, 3) && !holds(*c, 2));
  c = parse_count_condition("< 2", false);
  EXPECT_TRUE(holds(*c, 1) && !holds(*c, 2));
  c = parse_count_condition("!= 0", false);
  EXPECT_TRUE(holds(*c, 1) && !holds(*c, 0));
  c = parse_count_condition("10..20", false);
  EXPECT_TRUE(holds(*c, 10) && holds(*c, 20) && !holds(*c, 9) && !holds(*c, 21));
  c = parse_count_condition("100 +- 5%", false);
  EXPECT_TRUE(holds(*c, 95) && holds(*c, 105) && !holds(*c, 106));
  c = parse_count_condition("0x10", false);
  EXPECT_TRUE(holds(*c, 16));
  EXPECT_EQ(describe(*parse_count_condition("10..20", false)), "10..20");
  EXPECT_EQ(describe(*parse_count_condition(">=1", false)), ">= 1");
}

TEST(ExpectConditions, DurationsAndValues) {
  auto t = parse_count_condition("10us..1ms", true);
  ASSERT_TRUE(t);
  EXPECT_TRUE(holds(*t, us(10)) && holds(*t, ms(1)) && !holds(*t, ms(2)));
  EXPECT_EQ(describe(*t, true), "10.000000us..1000.000000us");
  auto v = parse_value_condition(">= 0.5");
  ASSERT_TRUE(v);
  EXPECT_TRUE(holds(*v, 0.5) && !holds(*v, 0.4));
  v = parse_value_condition("-5..-1");
  ASSERT_TRUE(v);
  EXPECT_TRUE(holds(*v, -3) && !holds(*v, 0));
  v = parse_value_condition("1e3 +- 10%");
  ASSERT_TRUE(v);
  EXPECT_TRUE(holds(*v, 1099) && !holds(*v, 1101));
}

TEST(ExpectConditions, BadOnesSayWhy) {
  std::string why;
  EXPECT_FALSE(parse_count_condition("lots", false, &why));
  EXPECT_NE(why.find("whole number"), std::string::npos);
  EXPECT_FALSE(parse_count_condition("20..10", false, &why));
  EXPECT_NE(why.find("empty"), std::string::npos);
  EXPECT_FALSE(parse_count_condition(">=", false, &why));
  EXPECT_FALSE(parse_count_condition("-1", false, &why));
  EXPECT_FALSE(parse_count_condition("1.5", false, &why));
  EXPECT_FALSE(parse_count_condition("10 parsecs", true, &why));
  EXPECT_NE(why.find("duration"), std::string::npos);
  EXPECT_FALSE(parse_value_condition("fast", &why));
}

TEST(ExpectSchema, ReadsEveryKey) {
  const auto sc = load_string(kMachine + R"(
expect:
  exit_ok: true
  finished: true
  warnings: 0
  errors: "<= 1"
  end_time: "1us..5ms"
  events: { "irqc/irq": 2, "*/dma.done": ">= 1" }
  values: { "probe/latency": "> 0" }
  digest: 0123456789abcdef0123456789abcdef
)", "all.yaml");
  const ExpectSpec& e = sc.expect;
  EXPECT_TRUE(e.present);
  EXPECT_TRUE(e.exit_ok->value);
  EXPECT_EQ(e.errors->op, CondOp::le);
  EXPECT_EQ(e.end_time->b, ms(5));
  ASSERT_EQ(e.events.size(), 2u);
  EXPECT_EQ(e.events[0].first.key, "irqc/irq");
  EXPECT_EQ(e.events[1].second.op, CondOp::ge);
  ASSERT_EQ(e.values.size(), 1u);
  EXPECT_EQ(e.digest->hex, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(e.digest->mark.line, 18);
  EXPECT_EQ(e.digest->mark.column, 11);
}

TEST(ExpectSchema, ErrorsNameFileLineColumn) {
  EXPECT_EQ(error_of(kMachine + "expect:\n  warning: 0\n"),
            "bad.yaml:10:3: unknown key 'warning' in expect (did you mean 'warnings'?)");
  EXPECT_EQ(error_of(kMachine + "expect:\n  events: { irq: 3 }\n"),
            "bad.yaml:10:13: expect.events: 'irq' is not an event key; write component/kind, e.g. \"irqc/irq\" "
            "(either part may be *)");
  EXPECT_EQ(error_of(kMachine + "expect:\n  warnings: lots\n"),
            "bad.yaml:10:13: expect.warnings: expected a whole number, got 'lots'");
  EXPECT_EQ(error_of(kMachine + "expect:\n  digest: 1234\n"),
            "bad.yaml:10:11: expect.digest: expected a trace digest of 32 lowercase hex digits, got '1234' "
            "(drvsim run --update-golden writes it)");
  EXPECT_EQ(error_of(kMachine + "expect:\n  exit_ok: yes\n"),
            "bad.yaml:10:12: expect.exit_ok: expected true or false, got 'yes'");
  EXPECT_EQ(error_of(kMachine + "expect:\n  end_time: \"5 ms\"\n"),
            "bad.yaml:10:13: expect.end_time: expected a duration such as 10us, got '5 ms'");
  EXPECT_NE(error_of(kMachine + "expect:\n  events:\n    \"a/b\": 1\n    \"a/b\": 2\n").find("duplicate key 'a/b'"),
            std::string::npos);
  EXPECT_NE(error_of(kMachine + "expect:\n").find("bad.yaml:9:1: expect: expected a map"), std::string::npos)
      << error_of(kMachine + "expect:\n");
}

TEST(ExpectRun, MetExpectationsPass) {
  const auto r = run_text(kMachine + R"(
expect:
  warnings: 0
  events: { "irqc/irq": 2, "*/dma.done": 2, "a/dma.start": "1..1", "nobody/nothing": 0 }
  end_time: "<= 5ms"
)");
  EXPECT_TRUE(r.passed()) << failures(r);
  EXPECT_EQ(r.evaluation.checked, 9u);  // exit_ok, finished, errors (defaults) + 6
  EXPECT_EQ(r.observed.events.at("irqc/irq"), 2u);
}

TEST(ExpectRun, EachFailedExpectationIsOneLineWithExpectedAndActual) {
  const auto r = run_text(kMachine + R"(
expect:
  warnings: ">= 1"
  events:
    "irqc/irq": 3
    "*/dma.done": "10..20"
  end_time: "<= 1us"
  exit_ok: false
)");
  ASSERT_FALSE(r.passed());
  const std::string f = failures(r);
  EXPECT_NE(f.find("expect.yaml:11:13: expect.warnings: expected >= 1, got 0"), std::string::npos) << f;
  EXPECT_NE(f.find("expect.yaml:13:17: expect.events[\"irqc/irq\"]: expected == 3, got 2"), std::string::npos) << f;
  EXPECT_NE(f.find("expect.events[\"*/dma.done\"]: expected 10..20, got 2"), std::string::npos) << f;
  EXPECT_NE(f.find("expect.end_time: expected <= 1.000000us, got "), std::string::npos) << f;
  EXPECT_NE(f.find("expect.exit_ok: expected false, got true"), std::string::npos) << f;
  EXPECT_EQ(r.evaluation.failures.size(), 5u);
}

TEST(ExpectRun, DefaultsRequireSuccessInTime) {
  std::string yaml = kMachine;
  yaml.replace(yaml.find("5ms"), 3, "20us");
  const auto r = run_text(yaml);
  ASSERT_FALSE(r.passed());
  const std::string f = failures(r);
  EXPECT_NE(f.find("expect.yaml: expect.finished: expected true (the default), got false"), std::string::npos) << f;
  EXPECT_NE(f.find("the time limit (run.duration 20.000000us) came with 1 process still running"), std::string::npos)
      << f;
  EXPECT_NE(f.find("expect.errors: expected == 0 (the default), got 1"), std::string::npos) << f;
  EXPECT_NE(f.find("sim time_limit"), std::string::npos) << f;  // the error event itself
  // ... and a scenario that expects the time limit passes.
  const auto r2 = run_text(yaml + "expect: { finished: false, errors: 1 }\n");
  EXPECT_TRUE(r2.passed()) << failures(r2);
}

TEST(ExpectRun, ValuesFromResultEvents) {
  // ringping reports "result" events: "<mode> round_trips=N total_ns=T".
  const auto r = run_text(R"(
machine: { cpus: 2, memory: 64MiB }
processes:
  - { program: echod, cpu: 1 }
  - { program: ringping, args: ["--count", "20", "--mode", "kernel"] }
run: { duration: 10ms }
expect:
  values:
    "kernel.round_trips": 20
    "ringping/kernel.total_ns": "> 0"
    "kernel.total_ns": "< 1"
    "nothing.here": 1
)");
  ASSERT_FALSE(r.passed());
  const std::string f = failures(r);
  EXPECT_EQ(r.evaluation.failures.size(), 2u) << f;
  EXPECT_NE(f.find("expect.values[\"kernel.total_ns\"]: expected < 1, got "), std::string::npos) << f;
  EXPECT_NE(f.find(" from ringping"), std::string::npos) << f;
  EXPECT_NE(f.find("expect.values[\"nothing.here\"]: expected == 1, got nothing: no `result` event reported"),
            std::string::npos)
      << f;
  EXPECT_EQ(r.observed.values.at("ringping/kernel.round_trips").value, 20.0);
}

TEST(ExpectRun, ResultEventsWithNameAndValueFields) {
  Observed o;
  Scenario sc = load_string(kMachine + "expect: { values: { iops: \">= 1000\", \"dev/lat\": \"1.5 +- 0.1\" } }\n",
                            "v.yaml");
  o.values["iops"] = ObservedValue{999, "999", "bench", 1, false};
  o.values["dev/lat"] = ObservedValue{1.55, "1.55", "dev", 1, false};
  const Evaluation ev = evaluate(sc, o);
  ASSERT_EQ(ev.failures.size(), 1u);
  EXPECT_EQ(ev.failures[0].str(), "v.yaml:9:27: expect.values[\"iops\"]: expected >= 1000, got 999 from bench");
}

TEST(ExpectRun, ResultEventsReportedThroughTheTrace) {
  // What a device model or the platform does: a `result` event with name and
  // value fields (here emitted before the run starts).
  const auto sc = load_string(kMachine + R"(
expect:
  values: { iops: ">= 1000", "bench/latency_us": "1.5 +- 0.1", ratio: 0.25, both: 1 }
)",
                              "r.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  fresh_kernel();
  platform::Platform p(sc, o);
  p.trace().info("bench", "result", {{"name", "iops"}, {"value", 1234u}});
  p.trace().info("bench", "result", {{"name", "latency_us"}, {"value", "1.55"}});
  p.trace().info("bench", "result", {{"ratio", "0.25"}, {"pid", 3u}});  // ignored: a string field that is not msg
  p.trace().info("other", "result", {{"name", "both"}, {"value", 1u}});
  p.trace().info("more", "result", {{"name", "both"}, {"value", 1u}});
  const auto r = p.run();
  const std::string f = failures(r);
  ASSERT_EQ(r.evaluation.failures.size(), 2u) << f;
  EXPECT_NE(f.find("expect.values[\"ratio\"]: expected == 0.25, got nothing"), std::string::npos) << f;
  EXPECT_NE(f.find("expect.values[\"both\"]: expected == 1, got an ambiguous name: several components reported 'both'; "
                   "write component/both"),
            std::string::npos)
      << f;
  EXPECT_EQ(r.observed.values.at("bench/latency_us").value, 1.55);
}

TEST(ExpectRun, AnotherSeedSkipsTheDigest) {
  const auto sc = load_string(kMachine + "expect: { digest: 0123456789abcdef0123456789abcdef }\n", "d.yaml");
  std::ostringstream out;
  platform::RunOptions o;
  o.out = &out;
  o.log_level = Severity::error;
  o.seed = 99;
  const auto r = platform::run(sc, o);
  EXPECT_TRUE(r.passed()) << failures(r);
  ASSERT_TRUE(r.observed.digest_skipped);
  o.seed.reset();
  const auto r2 = platform::run(sc, o);
  ASSERT_FALSE(r2.passed());
  EXPECT_NE(failures(r2).find("d.yaml:9:19: expect.digest: expected 0123456789abcdef0123456789abcdef, got "),
            std::string::npos)
      << failures(r2);
}
