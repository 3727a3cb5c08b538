// `processes`: the programs that run, each a simulated process.
#include <array>
#include <string>
#include <vector>

#include "sim/scenario/did_you_mean.hpp"
#include "sim/scenario/schema.hpp"

namespace sim::scenario::detail {
namespace {

// The programs a scenario may start. Add new ones here (and to
// docs/scenario-format.md); sim/platform maps each name to its code.
constexpr std::array<std::string_view, 10> kPrograms{
    "pci-probe",  // built in: enumerates from the platform, no kernel involved
    "pcid",       // the PCI bus driver (drivers/pcid)
    "testdev",    // the pci-test device's driver (drivers/testdev)
    "echod",      // a small scheme daemon (drivers/apps)
    "ringping",   // ring round trips in the three attachment modes (drivers/apps)
    "nvmed",      // the NVMe driver (drivers/nvmed); pcid spawns it
    "xhcid",      // the xHCI driver (drivers/xhcid); pcid spawns it
    "usbscsid",   // the USB mass-storage class driver (drivers/usbscsid); xhcid spawns it
    "blockbench", // a block workload generator (drivers/apps)
    "nvmebad",    // a misbehaving NVMe guest that checks the controller's answers (drivers/nvmebad)
};

constexpr std::array<std::string_view, 4> kProcessKeys{"program", "name", "args", "cpu"};

std::string read_program(const Value& value) {
  std::string program = value.as_string();
  for (std::string_view known : kPrograms) {
    if (known == program) return program;
  }
  if (auto guess = did_you_mean(program, kPrograms)) {
    value.fail("unknown program '" + program + "' (did you mean '" + std::string(*guess) + "'?)");
  }
  value.fail("unknown program '" + program + "' (known programs: " + join(kPrograms) + ")");
}

ProcessSpec read_process(const Value& item, UniqueNames& names) {
  MapReader map(item, "process");
  map.reject_unknown(kProcessKeys);
  ProcessSpec spec;
  spec.mark = item.mark();
  spec.program = read_program(map.require("program"));
  if (auto v = map.get("name")) {
    spec.name = read_name(*v);
    names.add(spec.name, *v, false);
  } else {
    spec.name = spec.program;
    names.add(spec.name, item, true);
  }
  if (auto v = map.get("args")) {
    for (const Value& arg : v->as_list()) spec.args.push_back(arg.as_string());
  }
  spec.cpu_mark = item.mark();
  if (auto v = map.get("cpu")) {
    spec.cpu = static_cast<int>(v->as_uint(0, 63));
    spec.cpu_mark = v->mark();
  }
  return spec;
}

}  // namespace

std::vector<ProcessSpec> read_processes(const Value& list) {
  std::vector<ProcessSpec> processes;
  UniqueNames names("process");
  for (const Value& item : list.as_list()) processes.push_back(read_process(item, names));
  return processes;
}

}  // namespace sim::scenario::detail

namespace sim::scenario {

std::span<const std::string_view> programs() { return detail::kPrograms; }

}  // namespace sim::scenario
