// `faults`: what goes wrong, on which device, at which simulated time
// (docs/scenario-format.md#faults). The platform applies them
// (sim/platform/faults.cpp); the device models implement them
// (devices/nvme/faults.*, devices/usb/storage_faults.*).
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/scenario/did_you_mean.hpp"
#include "sim/scenario/schema.hpp"

namespace sim::scenario::detail {
namespace {

constexpr std::array<std::string_view, 8> kFaultKeys{"at", "device", "kind", "for", "count", "queue", "pipe", "field"};

struct FaultKind {
  std::string_view name;
  std::string_view target;  // "nvme" or "usb-storage"
  std::span<const std::string_view> keys;  // its own keys, beyond at/device/kind
};

constexpr std::array<std::string_view, 1> kHangKeys{"for"};
constexpr std::array<std::string_view, 2> kDropKeys{"count", "queue"};
constexpr std::array<std::string_view, 2> kStallKeys{"count", "pipe"};
constexpr std::array<std::string_view, 2> kBadCswKeys{"count", "field"};

const std::array<FaultKind, 5> kKinds{{
    {"controller-hang", "nvme", kHangKeys},
    {"drop-completion", "nvme", kDropKeys},
    {"fatal", "nvme", {}},
    {"stall-next", "usb-storage", kStallKeys},
    {"bad-csw", "usb-storage", kBadCswKeys},
}};
constexpr std::array<std::string_view, 5> kKindNames{"controller-hang", "drop-completion", "fatal", "stall-next",
                                                      "bad-csw"};

constexpr std::uint64_t kMaxCount = 1'000'000;

/// A duration in the largest unit that writes it whole: "1s", "250ms", "1234ps".
std::string whole_units(Picos t) {
  static constexpr std::pair<Picos, const char*> kUnits[] = {{sec(1), "s"}, {ms(1), "ms"}, {us(1), "us"}, {ns(1), "ns"}};
  for (const auto& [unit, name] : kUnits)
    if (t != 0 && t % unit == 0) return std::to_string(t / unit) + name;
  return std::to_string(t) + "ps";
}

const FaultKind& read_kind(const Value& v, std::string& out) {
  out = v.as_string();
  for (const FaultKind& k : kKinds)
    if (k.name == out) return k;
  if (auto guess = did_you_mean(out, kKindNames))
    v.fail("unknown fault kind '" + out + "' (did you mean '" + std::string(*guess) + "'?)");
  v.fail("unknown fault kind '" + out + "' (known kinds: " + join(kKindNames) + ")");
}

std::string read_choice(const Value& v, std::span<const std::string_view> allowed) {
  const std::string s = v.as_string();
  for (std::string_view a : allowed)
    if (a == s) return s;
  if (auto guess = did_you_mean(s, allowed))
    v.fail("unknown value '" + s + "' (did you mean '" + std::string(*guess) + "'?)");
  v.fail("must be one of " + join(allowed) + ", got '" + s + "'");
}

/// The device a fault names: a PCI device, or a USB device of an xHCI
/// controller. `type` is "nvme", "xhci", "pci-test" or "usb-storage".
struct Target {
  std::string type;
  bool found = false;
};

Target find_target(const std::vector<DeviceSpec>& devices, const std::string& name) {
  for (const DeviceSpec& d : devices) {
    if (d.name == name) return Target{d.type, true};
    if (const auto* x = std::get_if<XhciSpec>(&d.config))
      for (const UsbStorageSpec& u : x->usb_devices)
        if (u.name == name) return Target{"usb-storage", true};
  }
  return Target{};
}

std::vector<std::string_view> target_names(const std::vector<DeviceSpec>& devices, std::vector<std::string>& store) {
  for (const DeviceSpec& d : devices) {
    store.push_back(d.name);
    if (const auto* x = std::get_if<XhciSpec>(&d.config))
      for (const UsbStorageSpec& u : x->usb_devices) store.push_back(u.name);
  }
  return std::vector<std::string_view>(store.begin(), store.end());
}

std::string read_device_name(const Value& v, const std::vector<DeviceSpec>& devices, const std::string& kind,
                             std::string_view want) {
  const std::string name = v.as_string();
  const Target t = find_target(devices, name);
  if (!t.found) {
    std::vector<std::string> store;
    const std::vector<std::string_view> names = target_names(devices, store);
    if (names.empty()) v.fail("no device '" + name + "': the scenario has no devices");
    if (auto guess = did_you_mean(name, names))
      v.fail("no device '" + name + "' (did you mean '" + std::string(*guess) + "'?)");
    v.fail("no device '" + name + "' (devices: " + join(names) + ")");
  }
  v.check(t.type == want, "fault kind '" + kind + "' applies to " + std::string(want) + " devices; '" + name +
                              "' is " + (t.type == "usb-storage" ? "a usb-storage device" : "a " + t.type + " device"));
  return name;
}

FaultSpec read_fault(const Value& item, const std::vector<DeviceSpec>& devices, Picos duration) {
  MapReader map(item, "fault");
  map.reject_unknown(kFaultKeys);
  FaultSpec f;
  f.mark = item.mark();
  const Value kind_value = map.require("kind");
  const FaultKind& kind = read_kind(kind_value, f.kind);
  const Value at = map.require("at");
  f.at = at.as_duration();
  at.check(f.at < duration, "the fault at " + at.text("a duration") + " would never happen: run.duration is " +
                                whole_units(duration));
  f.device = read_device_name(map.require("device"), devices, f.kind, kind.target);
  for (const MapReader::Key& k : map.unread()) {
    bool own = false;
    for (std::string_view o : kind.keys) own = own || o == k.name;
    if (!own) throw ScenarioError(k.mark, "key '" + k.name + "' does not apply to fault kind '" + f.kind + "'");
  }
  if (auto v = map.get("for")) {
    f.duration = v->as_duration();
    v->check(f.duration > 0, "must be more than 0 (leave 'for' out for a hang that lasts until a reset)");
  }
  if (auto v = map.get("count")) f.count = static_cast<std::uint32_t>(v->as_uint(1, kMaxCount));
  static constexpr std::array<std::string_view, 3> kQueues{"io", "admin", "any"};
  static constexpr std::array<std::string_view, 3> kPipes{"in", "out", "both"};
  static constexpr std::array<std::string_view, 2> kFields{"signature", "tag"};
  if (auto v = map.get("queue")) f.queue = read_choice(*v, kQueues);
  if (auto v = map.get("pipe")) f.pipe = read_choice(*v, kPipes);
  if (auto v = map.get("field")) f.field = read_choice(*v, kFields);
  return f;
}

}  // namespace

std::vector<FaultSpec> read_faults(const Value& list, const std::vector<DeviceSpec>& devices, Picos duration) {
  std::vector<FaultSpec> faults;
  for (const Value& item : list.as_list()) faults.push_back(read_fault(item, devices, duration));
  return faults;
}

}  // namespace sim::scenario::detail

namespace sim::scenario {

std::span<const std::string_view> fault_kinds() { return detail::kKindNames; }

}  // namespace sim::scenario
