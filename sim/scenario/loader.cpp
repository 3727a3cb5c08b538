// The top level of a scenario, `machine` and `run`; reading the file.
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "sim/scenario/expect.hpp"
#include "sim/scenario/schema.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sim::scenario {
namespace {

using detail::MapReader;
using detail::Value;

constexpr std::array<std::string_view, 10> kTopKeys{
    "scenario", "description", "seed", "platform", "machine", "devices", "processes", "run", "faults", "expect",
};
constexpr std::array<std::string_view, 3> kMachineKeys{"cpus", "memory", "cost"};
constexpr std::array<std::string_view, 9> kCostKeys{"syscall",         "ring_enter",     "ring_entry",
                                                    "notify",          "context_switch", "interrupt_entry",
                                                    "interrupt_exit",  "mmio_write",     "task_switch"};

CostSpec read_cost(const Value& value) {
  MapReader map(value, "cost");
  map.reject_unknown(kCostKeys);
  CostSpec c;
  Picos* fields[] = {&c.syscall,         &c.ring_enter,     &c.ring_entry,  &c.notify,     &c.context_switch,
                     &c.interrupt_entry, &c.interrupt_exit, &c.mmio_write, &c.task_switch};
  for (std::size_t i = 0; i < kCostKeys.size(); ++i) {
    if (auto v = map.get(kCostKeys[i])) {
      *fields[i] = v->as_duration();
      v->check(*fields[i] <= ms(1), "must be at most 1ms, got " + v->text("a duration"));
    }
  }
  return c;
}
constexpr std::array<std::string_view, 2> kRunKeys{"duration", "until"};

constexpr std::string_view kEmpty =
    "the scenario is empty; expected a map with keys such as machine, devices, processes";

constexpr unsigned kMaxCpus = 64;
constexpr std::uint64_t kMinMemory = 1ULL << 20;
constexpr std::uint64_t kMaxMemory = 1ULL << 40;
constexpr std::uint64_t kPageSize = 4ULL << 10;

MachineSpec read_machine(const Value& value) {
  MapReader map(value, "machine");
  map.reject_unknown(kMachineKeys);
  MachineSpec machine;
  if (auto v = map.get("cpus")) machine.cpus = static_cast<unsigned>(v->as_uint(1, kMaxCpus));
  if (auto v = map.get("cost")) machine.cost = read_cost(*v);
  if (auto v = map.get("memory")) {
    machine.memory = v->as_size();
    const std::string& text = v->text("a size");
    v->check(machine.memory >= kMinMemory, "must be at least 1MiB, got " + text);
    v->check(machine.memory <= kMaxMemory, "must be at most 1TiB, got " + text);
    v->check(machine.memory % kPageSize == 0, "must be a multiple of 4KiB, got " + text);
  }
  return machine;
}

RunSpec read_run(const Value& value) {
  MapReader map(value, "run");
  map.reject_unknown(kRunKeys);
  RunSpec run;
  if (auto v = map.get("duration")) {
    run.duration = v->as_duration();
    v->check(run.duration > 0, "must be more than 0, got " + v->text("a duration"));
  }
  if (auto v = map.get("until")) {
    const std::string u = v->as_string();
    v->check(u == "processes" || u == "duration", "must be 'processes' or 'duration', got '" + u + "'");
    run.full_duration = u == "duration";
  }
  return run;
}

Scenario read_scenario(const YAML::Node& root, const std::string& file) {
  const Value top(root, file, "", detail::to_mark(root.Mark(), file));
  if (root.IsNull()) top.fail(std::string(kEmpty));
  if (!root.IsMap()) {
    top.fail("the top level of a scenario must be a map, got " + detail::describe(root));
  }
  MapReader map(top, "scenario");
  map.reject_unknown(kTopKeys);

  Scenario s;
  s.file = file;
  s.name = std::filesystem::path(file).stem().string();
  if (auto v = map.get("scenario")) {
    s.name = v->as_string();
    v->check(!s.name.empty(), "the scenario name must not be empty");
  }
  if (auto v = map.get("description")) s.description = v->as_string();
  if (auto v = map.get("seed")) s.seed = v->as_uint(0, ~std::uint64_t{0});
  s.platform_mark = top.mark();
  if (auto v = map.get("platform")) {
    const std::string p = v->as_string();
    v->check(p == "sim" || p == "qemu", "must be 'sim' or 'qemu', got '" + p + "'");
    s.platform = p == "qemu" ? PlatformKind::qemu : PlatformKind::sim;
    s.platform_mark = v->mark();
  }
  if (auto v = map.get("machine")) s.machine = read_machine(*v);
  if (auto v = map.get("devices")) s.devices = detail::read_devices(*v);
  if (auto v = map.get("processes")) s.processes = detail::read_processes(*v);
  if (auto v = map.get("run")) s.run = read_run(*v);
  if (auto v = map.get("faults")) s.faults = detail::read_faults(*v, s.devices, s.run.duration);
  for (const MapReader::Key& k : map.unread())
    if (k.name == "expect") s.expect = detail::read_expect(*map.get("expect"), k.mark);
  if (s.platform == PlatformKind::qemu && s.expect.digest)
    throw ScenarioError(s.expect.digest->mark, "expect.digest: a run on platform qemu is not deterministic; it has no digest");
  for (const ProcessSpec& p : s.processes)
    if (static_cast<unsigned>(p.cpu) >= s.machine.cpus)
      throw ScenarioError(p.cpu_mark, "process '" + p.name + "' runs on cpu " + std::to_string(p.cpu) +
                                          " but the machine has " + std::to_string(s.machine.cpus) +
                                          " (machine.cpus)");
  return s;
}

}  // namespace

Scenario load_string(std::string_view yaml, const std::string& file) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    // ParserException and its kin: the parser's own mark and message.
    throw ScenarioError(detail::to_mark(e.mark, file), e.msg);
  }
  if (documents.empty()) {
    throw ScenarioError(Mark{file, 1, 1}, std::string(kEmpty));
  }
  if (documents.size() > 1) {
    throw ScenarioError(detail::to_mark(documents[1].Mark(), file),
                        "a scenario file holds one YAML document; this is a second one");
  }
  return read_scenario(documents.front(), file);
}

Scenario load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code error;
  if (!in) {
    error = std::error_code(errno, std::generic_category());
  } else if (std::filesystem::is_directory(path, error)) {
    error = std::make_error_code(std::errc::is_a_directory);
  }
  if (error) throw ScenarioError(Mark{path, 0, 0}, "cannot open: " + error.message());
  std::ostringstream text;
  text << in.rdbuf();
  return load_string(text.str(), path);
}

}  // namespace sim::scenario
