// Named "debug dumpers": functions that print the state of a model as text,
// for the gdb commands of tools/gdb/drvsim.py (`drvsim queues`, ...) and the
// C debug API in sim/platform/debug_api.cpp. It lives in sim/core so that
// device models (which may include only sim/core and devices/pci) can
// register their own: an NVMe controller its submission and completion
// queues, an xHCI controller its command, event and transfer rings.
//
//   class NvmeController {
//     sim::DebugRegistration dbg_ = sim::register_debug_dumper(
//         "queues", name(), [this](std::ostream& os) { dump_queues(os); });
//   };
//
// The registration unregisters itself when destroyed, so a model keeps it as
// a member. Dumpers run only when a debugger asks: they must not change the
// model (no trace events, no SystemC calls that notify or wait).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace sim {

using DebugDumper = std::function<void(std::ostream&)>;

/// Unregisters its dumper when destroyed; movable, not copyable.
class DebugRegistration {
 public:
  DebugRegistration() = default;
  explicit DebugRegistration(std::uint64_t id) : id_(id) {}
  DebugRegistration(DebugRegistration&& o) noexcept : id_(o.id_) { o.id_ = 0; }
  DebugRegistration& operator=(DebugRegistration&& o) noexcept;
  DebugRegistration(const DebugRegistration&) = delete;
  DebugRegistration& operator=(const DebugRegistration&) = delete;
  ~DebugRegistration();

 private:
  std::uint64_t id_ = 0;
};

/// Registers `dump` under `category` ("queues", "irqs", ...) and `name` (the
/// model's component name). Dumpers of a category run in registration order.
[[nodiscard]] DebugRegistration register_debug_dumper(std::string category, std::string name, DebugDumper dump);

/// Runs every dumper of `category`, each under a "== name ==" heading;
/// returns how many ran.
std::size_t run_debug_dumpers(const std::string& category, std::ostream& os);

}  // namespace sim
