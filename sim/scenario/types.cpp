// The small value types of scenario.hpp.
#include <cstdio>
#include <string>
#include <utility>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario {

std::string Mark::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ScenarioError::ScenarioError(Mark mark, const std::string& message)
    : std::runtime_error(mark.str() + ": " + message), mark_(std::move(mark)), message_(message) {}

std::string PciAddress::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02x:%02x.%x", static_cast<unsigned>(bus),
                static_cast<unsigned>(device), static_cast<unsigned>(function));
  return buf;
}

}  // namespace sim::scenario
