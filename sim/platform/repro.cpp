#include "sim/platform/repro.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

namespace sim::platform {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

json link_json(const scenario::LinkSpec& l) {
  return {{"generation", l.generation},
          {"lanes", l.lanes},
          {"max_payload", l.max_payload},
          {"max_read_request", l.max_read_request},
          {"latency", format_time(l.latency)}};
}

json device_json(const scenario::DeviceSpec& d) {
  json j = {{"type", d.type},
            {"name", d.name},
            {"address", d.address.str()},
            {"vendor_id", d.vendor_id},
            {"device_id", d.device_id},
            {"link", link_json(d.link)}};
  std::visit(
      [&](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, scenario::PciTestSpec>) {
          j["msi_vectors"] = t.msi_vectors;
          j["msi_per_vector_mask"] = t.msi_per_vector_mask;
          j["msix_vectors"] = t.msix_vectors;
          j["bar0_64bit"] = t.bar0_64bit;
          j["bar0_size"] = t.bar0_size;
          j["bar2_64bit"] = t.bar2_64bit;
          j["dma_rate"] = std::to_string(t.dma_bytes_per_second) + "/s";
          j["dma_jitter"] = format_time(t.dma_jitter);
        } else {
          j["config"] = "(this device type's keys are not listed here yet: see the scenario file)";
        }
      },
      d.config);
  return j;
}

json expect_json(const scenario::ExpectSpec& e) {
  json j = json::object();
  j["exit_ok"] = e.exit_ok ? e.exit_ok->value : true;
  j["finished"] = e.finished ? e.finished->value : true;
  if (e.warnings) j["warnings"] = e.warnings->text;
  j["errors"] = e.errors ? e.errors->text : "0";
  if (e.end_time) j["end_time"] = e.end_time->text;
  if (!e.events.empty()) {
    json ev = json::object();
    for (const auto& [k, c] : e.events) ev[k.key] = c.text;
    j["events"] = ev;
  }
  if (!e.values.empty()) {
    json v = json::object();
    for (const auto& [k, c] : e.values) v[k.key] = c.text;
    j["values"] = v;
  }
  if (e.digest) j["digest"] = e.digest->hex;
  return j;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + p.string() + ": " + std::strerror(errno));
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + p.string());
}

std::string sh_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string resolved_config_json(const scenario::Scenario& sc, std::uint64_t seed) {
  json j;
  j["scenario"] = sc.name;
  j["description"] = sc.description;
  j["file"] = sc.file;
  j["seed"] = seed;
  j["scenario_seed"] = sc.seed;
  const scenario::CostSpec& c = sc.machine.cost;
  j["machine"] = {{"cpus", sc.machine.cpus},
                  {"memory", sc.machine.memory},
                  {"cost",
                   {{"syscall", format_time(c.syscall)},
                    {"ring_enter", format_time(c.ring_enter)},
                    {"ring_entry", format_time(c.ring_entry)},
                    {"notify", format_time(c.notify)},
                    {"context_switch", format_time(c.context_switch)},
                    {"interrupt_entry", format_time(c.interrupt_entry)},
                    {"interrupt_exit", format_time(c.interrupt_exit)},
                    {"mmio_write", format_time(c.mmio_write)},
                    {"task_switch", format_time(c.task_switch)}}}};
  json devices = json::array();
  for (const auto& d : sc.devices) devices.push_back(device_json(d));
  j["devices"] = devices;
  json processes = json::array();
  for (const auto& p : sc.processes)
    processes.push_back({{"program", p.program}, {"name", p.name}, {"args", p.args}, {"cpu", p.cpu}});
  j["processes"] = processes;
  j["run"] = {{"duration", format_time(sc.run.duration)}};
  j["expect"] = expect_json(sc.expect);
  return j.dump(2) + "\n";
}

std::string repro_trace_path(const std::string& dir) { return (fs::path(dir) / "trace.jsonl").string(); }

void write_repro(const std::string& dir, const scenario::Scenario& sc, const RunResult& r, const std::string& exe,
                 const std::vector<std::string>& failures) {
  const fs::path d(dir);
  std::error_code ec;
  fs::create_directories(d, ec);
  if (ec) throw std::runtime_error("cannot make " + dir + ": " + ec.message());
  const fs::path src(sc.file);
  const std::string file_name = src.filename().string();
  fs::copy_file(src, d / file_name, fs::copy_options::overwrite_existing, ec);
  if (ec) throw std::runtime_error("cannot copy " + sc.file + ": " + ec.message());
  const std::string golden = golden_path(sc.file);
  if (fs::exists(golden)) {
    fs::create_directories(d / "golden", ec);
    fs::copy_file(golden, d / "golden" / fs::path(golden).filename(), fs::copy_options::overwrite_existing, ec);
  }
  write_file(d / "seed", std::to_string(r.seed) + "\n");
  write_file(d / "config.json", resolved_config_json(sc, r.seed));
  std::string f;
  for (const std::string& line : failures) f += line + "\n";
  write_file(d / "failures.txt", f);
  const std::string script =
      "#!/bin/sh\n"
      "# Reruns a failed drvsim run: scenario " + sc.name + ", seed " + std::to_string(r.seed) + ", trace digest " +
      r.digest.hex() + ".\n"
      "# What failed: failures.txt. The failed run's trace: trace.jsonl. Its configuration: config.json.\n"
      "# More options go to drvsim run: ./repro.sh --trace-perfetto t.json, ./repro.sh --break-on irq ...\n"
      "# In gdb: gdb -x <drvsim source>/tools/gdb/drvsim.py --args \"$DRVSIM\" run " + file_name + " --seed " +
      std::to_string(r.seed) + "\n"
      "cd \"$(dirname \"$0\")\" || exit 2\n"
      "DRVSIM=${DRVSIM:-" + sh_quote(exe) + "}\n"
      "exec \"$DRVSIM\" run " + sh_quote(file_name) + " --seed " + std::to_string(r.seed) + " \"$@\"\n";
  write_file(d / "repro.sh", script);
  ::chmod((d / "repro.sh").c_str(), 0755);
}

}  // namespace sim::platform
