// The timeline, waveform, break and progress sinks, on synthetic traces and
// on real runs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/core/break_sink.hpp"
#include "sim/core/perfetto_sink.hpp"
#include "sim/core/progress.hpp"
#include "sim/core/vcd_sink.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/tools/vcd_reader.hpp"

using namespace sim;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* kThreeDevices = R"(
seed: 3
machine: { cpus: 2, memory: 64MiB }
devices:
  - { type: pci-test, name: a, address: "00:01.0", dma_jitter: 100ns }
  - { type: pci-test, name: b, address: "00:05.0", msix_vectors: 0, msi_vectors: 2 }
  - { type: pci-test, name: c, address: "00:05.1", msix_vectors: 16, msi_vectors: 0 }
processes:
  - program: pci-probe
run: { duration: 5ms }
)";

platform::RunResult run_with(const platform::RunOptions& base) {
  const auto sc = scenario::load_string(kThreeDevices, "three.yaml");
  std::ostringstream out;
  platform::RunOptions o = base;
  o.out = &out;
  o.log_level = Severity::error;
  return platform::run(sc, o);
}

// A trace with a clock the test moves.
struct Fake {
  Picos t = 0;
  Trace trace{[this] { return t; }};
};

}  // namespace

// ---- VCD ---------------------------------------------------------------------

TEST(Vcd, SignalListParses) {
  VcdSignals s;
  std::string why;
  EXPECT_TRUE(parse_vcd_signals("irq", s, &why));
  EXPECT_TRUE(s.irq && !s.doorbell && !s.queue);
  EXPECT_TRUE(parse_vcd_signals("irq,doorbell,queue", s, &why));
  EXPECT_TRUE(s.irq && s.doorbell && s.queue);
  EXPECT_TRUE(parse_vcd_signals("all", s, &why));
  EXPECT_TRUE(s.irq && s.doorbell && s.queue);
  EXPECT_FALSE(parse_vcd_signals("irq,bogus", s, &why));
  EXPECT_NE(why.find("bogus"), std::string::npos);
  EXPECT_FALSE(parse_vcd_signals("", s, &why));
}

TEST(Vcd, RunWritesAWellFormedHeaderAndOnePulsePerInterrupt) {
  const std::string path = ::testing::TempDir() + "run.vcd";
  platform::RunOptions o;
  o.vcd = path;
  o.vcd_signals = VcdSignals{true, false, true};
  const auto r = run_with(o);
  ASSERT_TRUE(r.ok);
  const vcdtest::Vcd vcd = vcdtest::parse(slurp(path));
  ASSERT_EQ(vcd.error, "");
  EXPECT_EQ(vcd.timescale, "1ps");
  for (const char* dev : {"a", "b", "c"}) {
    const vcdtest::Var* v = vcd.find("irq", dev);
    ASSERT_NE(v, nullptr) << dev;
    EXPECT_EQ(v->type, "wire");
    EXPECT_EQ(v->width, 1u);
    const auto changes = vcd.of(*v);
    std::size_t rises = 0;
    for (const auto& c : changes) rises += c.value == 1;
    EXPECT_EQ(rises, 1u) << dev;  // one DMA completion interrupt each
  }
  const vcdtest::Var* vec = vcd.find("irq", "cpu0_vector");
  ASSERT_NE(vec, nullptr);
  EXPECT_EQ(vec->width, 8u);
  // The DMA copies are slices (dma.start/dma.done): in-flight counters.
  const vcdtest::Var* inflight = vcd.find("queue", "a_dma_inflight");
  ASSERT_NE(inflight, nullptr);
  const auto changes = vcd.of(*inflight);
  ASSERT_GE(changes.size(), 2u);
  EXPECT_EQ(changes.front().value, 1u);
  EXPECT_EQ(changes.back().value, 0u);
  EXPECT_GE(vcd.end_time, changes.back().time);
  EXPECT_EQ(vcd.find("doorbell", "a"), nullptr);  // not asked for
}

TEST(Vcd, DoorbellsQueuesAndPulsesFromConventions) {
  const std::string path = ::testing::TempDir() + "synthetic.vcd";
  {
    Fake f;
    f.trace.add_sink(make_vcd_sink(path, VcdSignals{true, true, true}, "synthetic"));
    f.t = 1000;
    f.trace.info("nvme0", "sq.doorbell", {{"queue", 1u}, {"value", 5u}});
    f.trace.info("nvme0", "sq", {{"queue", 1u}, {"depth", 3u}});
    f.trace.info("irqc", "irq", {{"cpu", 1u}, {"vector", 0x41u}, {"source", "nvme0"}});
    f.t = 4000;  // closer than a pulse: the first pulse falls just before
    f.trace.info("irqc", "irq", {{"cpu", 1u}, {"vector", 0x42u}, {"source", "nvme0"}});
    f.t = 50'000;
    f.trace.info("nvme0", "sq.doorbell", {{"queue", 1u}, {"value", 9u}});
  }
  const vcdtest::Vcd vcd = vcdtest::parse(slurp(path));
  ASSERT_EQ(vcd.error, "");
  const vcdtest::Var* db = vcd.find("doorbell", "nvme0_1");
  ASSERT_NE(db, nullptr);
  const auto dbc = vcd.of(*db);
  ASSERT_EQ(dbc.size(), 2u);
  EXPECT_EQ(dbc[0].value, 5u);
  EXPECT_EQ(dbc[1].time, 50'000u);
  EXPECT_EQ(dbc[1].value, 9u);
  const vcdtest::Var* q = vcd.find("queue", "nvme0_1");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(vcd.of(*q).at(0).value, 3u);
  const vcdtest::Var* line = vcd.find("irq", "nvme0");
  ASSERT_NE(line, nullptr);
  const auto pulses = vcd.of(*line);
  ASSERT_EQ(pulses.size(), 4u);
  EXPECT_EQ(pulses[0].time, 1000u);
  EXPECT_EQ(pulses[1].time, 3999u);
  EXPECT_EQ(pulses[1].value, 0u);
  EXPECT_EQ(pulses[2].time, 4000u);
  EXPECT_EQ(pulses[3].time, 4000u + kIrqPulse);
  const vcdtest::Var* vec = vcd.find("irq", "cpu1_vector");
  ASSERT_NE(vec, nullptr);
  EXPECT_EQ(vcd.of(*vec).back().value, 0x42u);
}

// ---- Perfetto ----------------------------------------------------------------

TEST(Perfetto, SpanKinds) {
  EXPECT_EQ(span_kind("dma.start")->name, "dma");
  EXPECT_TRUE(span_kind("dma.start")->begin);
  EXPECT_FALSE(span_kind("cmd.end")->begin);
  EXPECT_EQ(span_kind("io.read.done")->name, "io.read");
  EXPECT_FALSE(span_kind("irq"));
  EXPECT_FALSE(span_kind(".end"));
}

TEST(Perfetto, TracksSlicesInstantsAndCounters) {
  const std::string path = ::testing::TempDir() + "synthetic.json";
  {
    Fake f;
    PerfettoOptions o;
    o.group_of["nvme0"] = "devices";
    o.group_of["nvmed"] = "programs";
    f.trace.add_sink(make_perfetto_sink(path, o));
    f.t = 1'234'567;  // 1.234567 us
    f.trace.info("nvme0", "cmd.begin", {{"span", 7u}, {"opcode", 2u}});
    f.trace.info("nvme0", "cmd.begin", {{"span", 8u}, {"opcode", 1u}});
    f.trace.info("nvme0", "dma.start", {{"length", 4096u}});
    f.t = 2'000'000;
    f.trace.info("nvme0", "dma.done", {{"ok", true}});
    f.trace.info("nvme0", "sq", {{"queue", 1u}, {"depth", 2u}});
    f.trace.info("irqc", "irq", {{"cpu", 0u}, {"vector", 0x40u}, {"source", "nvme0"}});
    f.t = 3'000'000;
    f.trace.info("nvme0", "cmd.end", {{"span", 7u}});
    f.trace.warn("nvmed", "timeout", {{"cid", 3u}});
    f.trace.info("nvme0", "reset.begin");  // never ends
    f.trace.debug("nvme0", "noise");        // debug: no instant
  }
  const auto j = nlohmann::json::parse(slurp(path));  // throws if not JSON
  ASSERT_TRUE(j.contains("traceEvents"));
  std::map<std::string, int> by_ph;
  bool dma_slice = false, async_begin = false, async_end = false, irq_instant = false, counter = false, unfinished = false;
  std::set<std::string> threads, processes;
  for (const auto& e : j["traceEvents"]) {
    const std::string ph = e["ph"];
    ++by_ph[ph];
    if (ph == "M" && e["name"] == "thread_name") threads.insert(e["args"]["name"].get<std::string>());
    if (ph == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
    if (ph == "X" && e["name"] == "dma") {
      dma_slice = true;
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 1.234567);
      EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 0.765433);
      EXPECT_EQ(e["args"]["length"], 4096);
      EXPECT_EQ(e["args"]["end"]["ok"], true);
    }
    if (ph == "X" && e["name"] == "reset") unfinished = e["args"]["unfinished"] == true;
    if (ph == "b" && e["id"] == "nvme0:7") async_begin = true;
    if (ph == "e" && e["id"] == "nvme0:7") async_end = true;
    if (ph == "i" && e["cat"] == "irqc") irq_instant = e["name"] == "irq 0x40 from nvme0";
    if (ph == "C") counter = e["name"] == "nvme0 1 depth" && e["args"]["depth"] == 2;
    if (ph == "i") {
      EXPECT_NE(e["name"], "noise");
    }
  }
  EXPECT_TRUE(dma_slice);
  EXPECT_TRUE(async_begin && async_end);
  EXPECT_TRUE(irq_instant);
  EXPECT_TRUE(counter);
  EXPECT_TRUE(unfinished);
  EXPECT_TRUE(threads.count("nvme0") && threads.count("cpu 0") && threads.count("nvmed"));
  EXPECT_TRUE(processes.count("devices") && processes.count("interrupts") && processes.count("programs"));
}

TEST(Perfetto, RunGivesOneDmaSlicePerDeviceAndTheTraceDoesNotChange) {
  const std::string path = ::testing::TempDir() + "run.json";
  platform::RunOptions o;
  o.trace_perfetto = path;
  const auto with = run_with(o);
  const auto without = run_with({});
  EXPECT_EQ(with.digest, without.digest);
  const auto j = nlohmann::json::parse(slurp(path));
  int slices = 0, irqs = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "dma") ++slices;
    if (e["ph"] == "i" && e["cat"] == "irqc") ++irqs;
  }
  EXPECT_EQ(slices, 3);
  EXPECT_EQ(irqs, 3);
}

// ---- Breaks ------------------------------------------------------------------

namespace {
std::optional<Picos> dur(std::string_view s) { return scenario::parse_duration(s); }
}  // namespace

TEST(Break, SpecsParse) {
  std::string why;
  auto s = parse_break_spec("irq", &why, dur);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, BreakSpec::Type::irq);
  EXPECT_EQ(s->device, "");
  s = parse_break_spec("irq:dma0:0x41", &why, dur);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->device, "dma0");
  EXPECT_EQ(s->vector, 0x41u);
  s = parse_break_spec("irq:*:66", &why, dur);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->vector, 66u);
  s = parse_break_spec("event:dma0/dma.done", &why, dur);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->component, "dma0");
  EXPECT_EQ(s->kind, "dma.done");
  s = parse_break_spec("time:15us", &why, dur);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->time, us(15));
  EXPECT_FALSE(parse_break_spec("irq:dma0:300", &why, dur));
  EXPECT_FALSE(parse_break_spec("time:soon", &why, dur));
  EXPECT_FALSE(parse_break_spec("event:", &why, dur));
  EXPECT_FALSE(parse_break_spec("nonsense", &why, dur));
  EXPECT_NE(why.find("irq[:DEVICE[:VECTOR]]"), std::string::npos);
}

TEST(Break, SkipsThenStopsOnEachMatchWithTheEvent) {
  std::string why;
  Breaker b({*parse_break_spec("irq:dev1", &why, dur), *parse_break_spec("event:dma.done", &why, dur)}, 1);
  Fake f;
  f.trace.add_sink(make_break_sink(b));
  f.trace.info("irqc", "irq", {{"cpu", 0u}, {"vector", 0x40u}, {"source", "dev0"}});  // not this device
  f.trace.info("irqc", "irq", {{"cpu", 0u}, {"vector", 0x40u}, {"source", "dev1"}});  // match 1: skipped
  EXPECT_EQ(b.hits(), 0u);
  f.t = 5000;
  f.trace.info("irqc", "irq", {{"cpu", 1u}, {"vector", 0x45u}, {"source", "dev1"}});  // match 2: stop
  EXPECT_EQ(b.hits(), 1u);
  EXPECT_EQ(drvsim_last_break.hit, 2u);
  EXPECT_EQ(drvsim_last_break.cpu, 1);
  EXPECT_EQ(drvsim_last_break.vector, 0x45);
  EXPECT_EQ(drvsim_last_break.time_ps, 5000u);
  EXPECT_STREQ(drvsim_last_break.reason, "irq");
  f.trace.info("dev1", "dma.done", {{"ok", true}});  // match 3
  EXPECT_EQ(b.hits(), 2u);
  EXPECT_EQ(b.matches(), 3u);
}

TEST(Break, WithoutADebuggerTheRunGoesOnUnchanged) {
  ASSERT_FALSE(debugger_attached());
  std::string why;
  platform::RunOptions o;
  o.breaks = {*parse_break_spec("irq", &why, dur), *parse_break_spec("time:20us", &why, dur)};
  const auto with = run_with(o);
  const auto without = run_with({});
  EXPECT_TRUE(with.ok);
  EXPECT_EQ(with.digest, without.digest);
  EXPECT_EQ(with.sim_time, without.sim_time);
}

// ---- Progress ------------------------------------------------------------------

TEST(Progress, LineSaysSimulatedAgainstTargetHostTimeAndRate) {
  const std::string l = Progress::line(ms(1), ms(4), 2.0, 500'000);
  EXPECT_NE(l.find("1.000ms of 4.000ms simulated (25%)"), std::string::npos) << l;
  EXPECT_NE(l.find("2.0s host"), std::string::npos) << l;
  EXPECT_NE(l.find("250k events/s"), std::string::npos) << l;
}

TEST(Progress, NothingWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(Progress::is_terminal(f));
  {
    Progress p(ms(1), f);
    for (std::uint64_t i = 0; i < 100'000; ++i) p.tick(i, i);
    p.clear();
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}
