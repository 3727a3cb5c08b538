// The parts of the scenario schema, one file each: devices.cpp, processes.cpp,
// names.cpp; loader.cpp reads the top level, `machine` and `run`.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sim::scenario::detail {

/// `devices`: a list of device maps, checked together (names, addresses,
/// function 0 of every multi-function device).
std::vector<DeviceSpec> read_devices(const Value& list);

/// `processes`: a list of process maps.
std::vector<ProcessSpec> read_processes(const Value& list);

/// `faults`: a list of fault maps; each names a device of `devices` (or a USB
/// device on one) and happens before `duration` (run.duration).
std::vector<FaultSpec> read_faults(const Value& list, const std::vector<DeviceSpec>& devices, Picos duration);

/// A device or process name: 1 to 63 letters, digits, '-' or '_', starting
/// with a letter (names become trace components and SystemC object names).
std::string read_name(const Value& value);
/// Refuses `name` unless it is a valid name (see read_name); `value` is
/// where to point.
void check_name(const Value& value, const std::string& name);

/// Names that must be unique within a list ("device", "process").
class UniqueNames {
 public:
  explicit UniqueNames(std::string what) : what_(std::move(what)) {}
  /// Refuses a name seen before. `where` is the explicit name's value, or
  /// the list item when the name is the default.
  void add(const std::string& name, const Value& where, bool defaulted);

 private:
  std::string what_;
  std::map<std::string, Mark> seen_;
};

/// "3:11": line and column of a mark in the same file.
std::string line_col(const Mark& mark);

}  // namespace sim::scenario::detail
