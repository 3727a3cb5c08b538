// `devices`: the keys every device has, the PCIe link, and each device type's
// own keys. A new type is one entry in kDeviceTypes, one alternative in
// DeviceSpec::config, and its reader below.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/did_you_mean.hpp"
#include "sim/scenario/schema.hpp"

namespace sim::scenario::detail {
namespace {

// Keys in documentation order (docs/scenario-format.md); the first unknown key
// is matched against these for "did you mean".
constexpr std::array<std::string_view, 6> kCommonKeys{
    "type", "name", "address", "vendor_id", "device_id", "link",
};
constexpr std::array<std::string_view, 5> kLinkKeys{
    "generation", "lanes", "max_payload", "max_read_request", "latency",
};
constexpr std::array<std::string_view, 8> kPciTestKeys{
    "msi_vectors", "msi_per_vector_mask", "msix_vectors", "bar0_64bit",
    "bar0_size",   "bar2_64bit",          "dma_rate",     "dma_jitter",
};

constexpr std::array<std::string_view, 10> kNvmeKeys{
    "serial",        "model",       "firmware",           "namespaces", "msix_vectors",
    "max_io_queues", "queue_entries", "volatile_write_cache", "mdts",       "timing",
};
constexpr std::array<std::string_view, 4> kNamespaceKeys{"nsid", "size", "lba_size", "image"};
constexpr std::array<std::string_view, 13> kNvmeTimingKeys{
    "controller_cores", "io_command_overhead", "admin_command_overhead", "max_fetch_batch",
    "enable_latency",   "channels",            "dies_per_channel",       "page_size",
    "program_unit",     "read_latency",        "program_latency",        "channel_rate",
    "write_buffer",
};

constexpr std::array<std::string_view, 9> kXhciKeys{
    "usb2_ports", "usb3_ports", "max_slots", "interrupters", "msix_vectors",
    "context_size", "scratchpad_buffers", "capture", "usb_devices",
};
constexpr std::array<std::string_view, 15> kUsbDeviceKeys{
    "type",    "name",   "port",   "speed",     "capacity",  "block_size",   "image",         "read_only",
    "vendor",  "product", "serial", "attach_at", "detach_at", "read_latency", "write_latency",
};

constexpr Picos kMaxLinkLatency = ms(1);
constexpr std::uint64_t kMinBar0Size = 4ULL << 10;
constexpr std::uint64_t kMaxBar0Size = 1ULL << 30;
constexpr std::uint64_t kMaxMsixVectors = 2048;
// PCI Local Bus 3.0, Device Identification: FFFFh is an invalid Vendor ID; it is
// what a configuration read of an empty slot returns.
constexpr std::uint64_t kInvalidVendorId = 0xffff;

void read_pci_test(MapReader& map, DeviceSpec& spec);
void read_nvme(MapReader& map, DeviceSpec& spec);
void read_xhci(MapReader& map, DeviceSpec& spec);

struct DeviceType {
  std::string_view name;
  std::span<const std::string_view> keys;  // beyond kCommonKeys
  void (*read)(MapReader& map, DeviceSpec& spec);
};

constexpr std::array<DeviceType, 3> kDeviceTypes{{
    {"pci-test", kPciTestKeys, &read_pci_test},
    {"nvme", kNvmeKeys, &read_nvme},
    {"xhci", kXhciKeys, &read_xhci},
}};

constexpr auto kDeviceTypeNames = [] {
  std::array<std::string_view, kDeviceTypes.size()> names{};
  for (std::size_t i = 0; i < kDeviceTypes.size(); ++i) names[i] = kDeviceTypes[i].name;
  return names;
}();

bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

/// An integer that must be one of `allowed`.
std::uint64_t read_one_of(const Value& value, std::initializer_list<std::uint64_t> allowed) {
  const std::uint64_t v = value.as_uint(0, ~std::uint64_t{0});
  std::string list;
  for (std::uint64_t a : allowed) {
    if (a == v) return v;
    list += (list.empty() ? "" : ", ") + std::to_string(a);
  }
  value.fail("must be one of " + list + ", got " + value.text("an integer"));
}

/// Every key any device may have: the common keys, then each type's own.
std::span<const std::string_view> all_device_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> all(kCommonKeys.begin(), kCommonKeys.end());
    for (const DeviceType& type : kDeviceTypes) {
      for (std::string_view key : type.keys) {
        bool seen = false;
        for (std::string_view k : all) seen = seen || k == key;
        if (!seen) all.push_back(key);
      }
    }
    return all;
  }();
  return keys;
}

const DeviceType& find_device_type(const Value& value, const std::string& name) {
  for (const DeviceType& type : kDeviceTypes) {
    if (type.name == name) return type;
  }
  if (auto guess = did_you_mean(name, kDeviceTypeNames)) {
    value.fail("unknown device type '" + name + "' (did you mean '" + std::string(*guess) + "'?)");
  }
  value.fail("unknown device type '" + name + "' (known types: " + join(kDeviceTypeNames) + ")");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// "BB:DD.F", every digit hex.
PciAddress read_address(const Value& value) {
  const std::string s = value.as_string();
  const bool shape = s.size() == 7 && s[2] == ':' && s[5] == '.' && hex_digit(s[0]) >= 0 &&
                     hex_digit(s[1]) >= 0 && hex_digit(s[3]) >= 0 && hex_digit(s[4]) >= 0 &&
                     hex_digit(s[6]) >= 0;
  value.check(shape, "expected a PCI address BB:DD.F in hex, such as 00:02.0, got '" + s + "'");
  const int bus = hex_digit(s[0]) * 16 + hex_digit(s[1]);
  const int device = hex_digit(s[3]) * 16 + hex_digit(s[4]);
  const int function = hex_digit(s[6]);
  value.check(bus == 0, "only bus 00 is supported for now, got bus " + s.substr(0, 2));
  value.check(device <= 0x1f, "the device number must be 00 to 1f, got " + s.substr(3, 2));
  value.check(function <= 7, "the function number must be 0 to 7, got " + s.substr(6, 1));
  return PciAddress{static_cast<std::uint8_t>(bus), static_cast<std::uint8_t>(device),
                    static_cast<std::uint8_t>(function)};
}

LinkSpec read_link(const Value& value) {
  MapReader map(value, "link");
  map.reject_unknown(kLinkKeys);
  LinkSpec link;
  if (auto v = map.get("generation")) link.generation = static_cast<unsigned>(v->as_uint(1, 5));
  if (auto v = map.get("lanes")) {
    link.lanes = static_cast<unsigned>(read_one_of(*v, {1, 2, 4, 8, 16}));
  }
  if (auto v = map.get("max_payload")) {
    link.max_payload = static_cast<unsigned>(read_one_of(*v, {128, 256, 512, 1024, 2048, 4096}));
  }
  if (auto v = map.get("max_read_request")) {
    link.max_read_request =
        static_cast<unsigned>(read_one_of(*v, {128, 256, 512, 1024, 2048, 4096}));
  }
  if (auto v = map.get("latency")) {
    link.latency = v->as_duration();
    v->check(link.latency <= kMaxLinkLatency, "must be at most 1ms, got " + v->text("a duration"));
  }
  return link;
}

void read_pci_test(MapReader& map, DeviceSpec& spec) {
  PciTestSpec t;
  if (auto v = map.get("msi_vectors")) {
    t.msi_vectors = static_cast<std::uint32_t>(read_one_of(*v, {0, 1, 2, 4, 8, 16, 32}));
  }
  if (auto v = map.get("msi_per_vector_mask")) t.msi_per_vector_mask = v->as_bool();
  if (auto v = map.get("msix_vectors")) {
    t.msix_vectors = static_cast<std::uint32_t>(v->as_uint(0, kMaxMsixVectors));
  }
  if (auto v = map.get("bar0_64bit")) t.bar0_64bit = v->as_bool();
  if (auto v = map.get("bar0_size")) {
    t.bar0_size = v->as_size();
    v->check(is_power_of_two(t.bar0_size) && t.bar0_size >= kMinBar0Size &&
                 t.bar0_size <= kMaxBar0Size,
             "must be a power of two from 4KiB to 1GiB, got " + v->text("a size"));
  }
  if (auto v = map.get("bar2_64bit")) t.bar2_64bit = v->as_bool();
  if (auto v = map.get("dma_rate")) {
    t.dma_bytes_per_second = v->as_rate();
    v->check(t.dma_bytes_per_second > 0, "must be more than 0 bytes per second");
  }
  if (auto v = map.get("dma_jitter")) {
    t.dma_jitter = v->as_duration();
    v->check(t.dma_jitter <= ms(1), "must be at most 1ms, got " + v->text("a duration"));
  }
  spec.config = t;
}

std::string read_ascii(const Value& v, std::size_t max) {
  std::string t = v.as_string();
  v.check(!t.empty() && t.size() <= max, "must be 1 to " + std::to_string(max) + " characters");
  for (char c : t) v.check(c >= 0x20 && c < 0x7f, "must be printable ASCII (Identify fields are ASCII)");
  return t;
}

NvmeNamespaceSpec read_namespace(const Value& item) {
  MapReader map(item, "namespace");
  map.reject_unknown(kNamespaceKeys);
  NvmeNamespaceSpec ns;
  if (auto v = map.get("nsid")) ns.nsid = static_cast<std::uint32_t>(v->as_uint(1, 0xFFFF'FFFE));
  if (auto v = map.get("lba_size")) ns.lba_size = static_cast<unsigned>(read_one_of(*v, {512, 4096}));
  if (auto v = map.get("size")) {
    ns.size = v->as_size();
    v->check(ns.size >= ns.lba_size && ns.size <= (1ULL << 44), "must be at least one block and at most 16TiB");
  }
  if (auto v = map.get("image")) {
    ns.image = v->as_string();
    v->check(!ns.image.empty(), "must name a file");
  }
  return ns;
}

void read_nvme_timing(const Value& value, NvmeSpec& n) {
  MapReader map(value, "timing");
  map.reject_unknown(kNvmeTimingKeys);
  NvmeTimingSpec& t = n.timing;
  const auto count = [&](const char* key, std::optional<unsigned>& out, unsigned lo, unsigned hi) {
    if (auto v = map.get(key)) out = static_cast<unsigned>(v->as_uint(lo, hi));
  };
  const auto duration = [&](const char* key, std::optional<Picos>& out) {
    if (auto v = map.get(key)) {
      out = v->as_duration();
      v->check(*out <= sec(10), "must be at most 10s");
    }
  };
  const auto size = [&](const char* key, std::optional<std::uint64_t>& out) {
    if (auto v = map.get(key)) {
      out = v->as_size();
      v->check(*out > 0, "must be more than 0");
    }
  };
  count("controller_cores", t.controller_cores, 1, 64);
  duration("io_command_overhead", t.io_command_overhead);
  duration("admin_command_overhead", t.admin_command_overhead);
  count("max_fetch_batch", t.max_fetch_batch, 1, 64);
  duration("enable_latency", t.enable_latency);
  count("channels", t.channels, 1, 64);
  count("dies_per_channel", t.dies_per_channel, 1, 64);
  size("page_size", t.page_size);
  size("program_unit", t.program_unit);
  duration("read_latency", t.read_latency);
  duration("program_latency", t.program_latency);
  if (auto v = map.get("channel_rate")) {
    t.channel_rate = v->as_rate();
    v->check(*t.channel_rate > 0, "must be more than 0 bytes per second");
  }
  size("write_buffer", t.write_buffer);
}

void read_nvme(MapReader& map, DeviceSpec& spec) {
  NvmeSpec n;
  if (auto v = map.get("serial")) n.serial = read_ascii(*v, 20);
  if (auto v = map.get("model")) n.model = read_ascii(*v, 40);
  if (auto v = map.get("firmware")) n.firmware = read_ascii(*v, 8);
  if (auto v = map.get("namespaces")) {
    n.namespaces.clear();
    std::map<std::uint32_t, bool> used;
    for (const Value& item : v->as_list()) {
      NvmeNamespaceSpec ns = read_namespace(item);
      if (ns.nsid == 0) ns.nsid = static_cast<std::uint32_t>(n.namespaces.size() + 1);
      item.check(!used[ns.nsid], "namespace ID " + std::to_string(ns.nsid) + " is used twice");
      used[ns.nsid] = true;
      n.namespaces.push_back(ns);
    }
    v->check(!n.namespaces.empty() && n.namespaces.size() <= 16, "a controller has 1 to 16 namespaces here");
  }
  if (auto v = map.get("msix_vectors")) n.msix_vectors = static_cast<unsigned>(v->as_uint(1, 2048));
  if (auto v = map.get("max_io_queues")) n.max_io_queues = static_cast<unsigned>(v->as_uint(1, 65535));
  if (auto v = map.get("queue_entries")) n.queue_entries = static_cast<std::uint32_t>(v->as_uint(2, 65536));
  if (auto v = map.get("volatile_write_cache")) n.volatile_write_cache = v->as_bool();
  if (auto v = map.get("mdts")) n.mdts = static_cast<unsigned>(v->as_uint(0, 10));
  if (auto v = map.get("timing")) read_nvme_timing(*v, n);
  spec.config = n;
}

UsbStorageSpec read_usb_device(const Value& item, unsigned index, std::map<std::string, bool>& names) {
  MapReader map(item, "USB device");
  map.reject_unknown(kUsbDeviceKeys);
  UsbStorageSpec u;
  u.mark = item.mark();
  const Value type = map.require("type");
  type.check(type.as_string() == "usb-storage", "unknown USB device type '" + type.as_string() +
                                                     "' (known types: usb-storage)");
  u.name = "usb-storage" + std::to_string(index);
  if (auto v = map.get("name")) u.name = read_name(*v);
  item.check(!names[u.name], "USB device name '" + u.name + "' is used twice");
  names[u.name] = true;
  if (auto v = map.get("port")) u.port = static_cast<unsigned>(v->as_uint(1, 255));
  if (auto v = map.get("speed")) {
    const std::string sp = v->as_string();
    v->check(sp == "high" || sp == "super", "must be 'high' (USB 2.0) or 'super' (USB 3), got '" + sp + "'");
    u.super_speed = sp == "super";
  }
  if (auto v = map.get("block_size")) u.block_size = static_cast<unsigned>(read_one_of(*v, {512, 4096}));
  if (auto v = map.get("capacity")) {
    u.capacity = v->as_size();
    v->check(u.capacity >= u.block_size && u.capacity <= (1ULL << 42), "must be at least one block and at most 4TiB");
  }
  if (auto v = map.get("image")) u.image = v->as_string();
  if (auto v = map.get("read_only")) u.read_only = v->as_bool();
  if (auto v = map.get("vendor")) u.vendor = read_ascii(*v, 8);
  if (auto v = map.get("product")) u.product = read_ascii(*v, 16);
  if (auto v = map.get("serial")) u.serial = read_ascii(*v, 20);
  if (auto v = map.get("attach_at")) u.attach_at = v->as_duration();
  if (auto v = map.get("detach_at")) {
    u.detach_at = v->as_duration();
    v->check(u.detach_at > u.attach_at, "must be after attach_at");
  }
  if (auto v = map.get("read_latency")) u.read_latency = v->as_duration();
  if (auto v = map.get("write_latency")) u.write_latency = v->as_duration();
  return u;
}

void read_xhci(MapReader& map, DeviceSpec& spec) {
  XhciSpec x;
  if (auto v = map.get("usb2_ports")) x.usb2_ports = static_cast<unsigned>(v->as_uint(0, 15));
  if (auto v = map.get("usb3_ports")) x.usb3_ports = static_cast<unsigned>(v->as_uint(0, 15));
  if (auto v = map.get("max_slots")) x.max_slots = static_cast<unsigned>(v->as_uint(1, 255));
  if (auto v = map.get("interrupters")) x.interrupters = static_cast<unsigned>(v->as_uint(1, 64));
  if (auto v = map.get("msix_vectors")) x.msix_vectors = static_cast<unsigned>(v->as_uint(1, 2048));
  if (auto v = map.get("context_size")) x.context_size = static_cast<unsigned>(read_one_of(*v, {32, 64}));
  if (auto v = map.get("scratchpad_buffers")) x.scratchpad_buffers = static_cast<unsigned>(v->as_uint(0, 1023));
  if (auto v = map.get("capture")) {
    x.capture = v->as_string();
    v->check(!x.capture.empty(), "must name a pcap file");
  }
  if (auto v = map.get("usb_devices")) {
    std::map<std::string, bool> names;
    std::map<unsigned, bool> ports;
    unsigned index = 0;
    for (const Value& item : v->as_list()) {
      UsbStorageSpec u = read_usb_device(item, index++, names);
      if (u.port) {
        const bool usb3_port = u.port > x.usb2_ports;
        item.check(u.port <= x.usb2_ports + x.usb3_ports,
                   "port " + std::to_string(u.port) + " does not exist (the controller has " +
                       std::to_string(x.usb2_ports + x.usb3_ports) + ")");
        item.check(usb3_port == u.super_speed, std::string("port ") + std::to_string(u.port) + " is a USB " +
                                                   (usb3_port ? "3" : "2") + " port; the device is " +
                                                   (u.super_speed ? "SuperSpeed" : "high speed"));
        item.check(!ports[u.port], "port " + std::to_string(u.port) + " has two devices");
        ports[u.port] = true;
      }
      x.usb_devices.push_back(u);
    }
  }
  spec.config = x;
}

struct ReadDevice {
  DeviceSpec spec;
  Value address;  // where the address was written
};

/// One device map; `per_type` counts devices of each type for default names.
ReadDevice read_device(const Value& item, std::map<std::string, unsigned>& per_type,
                       UniqueNames& names) {
  MapReader map(item, "device");
  map.reject_unknown(all_device_keys());
  DeviceSpec spec;
  spec.mark = item.mark();

  const Value type_value = map.require("type");
  spec.type = type_value.as_string();
  const DeviceType& type = find_device_type(type_value, spec.type);
  const unsigned index = per_type[spec.type]++;

  if (auto v = map.get("name")) {
    spec.name = read_name(*v);
    names.add(spec.name, *v, false);
  } else {
    spec.name = spec.type + std::to_string(index);
    names.add(spec.name, item, true);
  }

  const Value address = map.require("address");
  spec.address = read_address(address);
  if (auto v = map.get("vendor_id")) {
    const std::uint64_t id = v->as_uint(0, 0xffff);
    v->check(id != kInvalidVendorId, "0xffff is not a valid vendor ID (it means 'no device')");
    spec.vendor_id = static_cast<std::uint16_t>(id);
  }
  if (auto v = map.get("device_id")) {
    spec.device_id = static_cast<std::uint16_t>(v->as_uint(0, 0xffff));
  }
  if (auto v = map.get("link")) spec.link = read_link(*v);

  type.read(map, spec);
  for (const MapReader::Key& key : map.unread()) {
    throw ScenarioError(key.mark, "key '" + key.name + "' does not apply to device type '" +
                                      spec.type + "'");
  }
  return ReadDevice{std::move(spec), address};
}

}  // namespace

std::vector<DeviceSpec> read_devices(const Value& list) {
  std::vector<DeviceSpec> devices;
  std::map<std::string, unsigned> per_type;
  UniqueNames names("device");
  struct Placed {
    std::string name;
    Mark mark;
  };
  std::map<PciAddress, Placed> placed;
  std::vector<Value> address_values;

  for (const Value& item : list.as_list()) {
    auto [spec, address] = read_device(item, per_type, names);
    const auto [it, inserted] = placed.emplace(spec.address, Placed{spec.name, address.mark()});
    if (!inserted) {
      address.fail("PCI address " + spec.address.str() + " is already used by device '" +
                   it->second.name + "' (at " + line_col(it->second.mark) + ")");
    }
    address_values.push_back(address);
    devices.push_back(std::move(spec));
  }

  // PCI Local Bus 3.0: a multi-function device always implements function 0,
  // and enumeration looks for functions 1-7 only after finding function 0
  // (whose Header Type says whether there are more), so a lone function 1-7
  // would never be found.
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const PciAddress& a = devices[i].address;
    if (a.function == 0) continue;
    const PciAddress function0{a.bus, a.device, 0};
    address_values[i].check(placed.contains(function0),
                            "device '" + devices[i].name + "' at " + a.str() + " is function " +
                                std::to_string(a.function) + ", but no device is at " +
                                function0.str() + " (PCI requires function 0)");
  }
  return devices;
}

}  // namespace sim::scenario::detail

namespace sim::scenario {

std::span<const std::string_view> device_types() { return detail::kDeviceTypeNames; }

}  // namespace sim::scenario
