// A scenario: the machine, its devices, the processes that run, and how long.
// Loaded from YAML; every key is documented in docs/scenario-format.md and
// validated. Any error names file:line:col (1-based) and is exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/core/time.hpp"

namespace sim::scenario {

/// Where something was written: file and 1-based line and column.
struct Mark {
  std::string file;
  int line = 0;
  int column = 0;
  std::string str() const;  // "file:line:col"
};

/// A bad scenario. what() is "file:line:col: message".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(Mark mark, const std::string& message);
  const Mark& mark() const { return mark_; }
  const std::string& message() const { return message_; }

 private:
  Mark mark_;
  std::string message_;
};

struct PciAddress {
  std::uint8_t bus = 0;
  std::uint8_t device = 0;    // 0..31
  std::uint8_t function = 0;  // 0..7
  std::string str() const;    // "00:02.0"
  auto operator<=>(const PciAddress&) const = default;
};

/// The PCIe link between the root complex and an endpoint.
struct LinkSpec {
  unsigned generation = 3;        // 1..5 (2.5, 5, 8, 16, 32 GT/s)
  unsigned lanes = 4;             // 1, 2, 4, 8, 16
  unsigned max_payload = 256;     // bytes: 128..4096, power of two
  unsigned max_read_request = 512;
  Picos latency = ns(500);        // one-way, root complex to endpoint, per TLP
};

/// "pci-test": drvsim's DMA test device (in the spirit of QEMU's "edu").
struct PciTestSpec {
  std::uint32_t msi_vectors = 1;     // 0 = no MSI capability; else 1, 2, 4, 8, 16 or 32
  bool msi_per_vector_mask = true;
  std::uint32_t msix_vectors = 4;    // 0 = no MSI-X capability; else 1..2048
  bool bar0_64bit = false;           // BAR0 (registers) 64-bit
  std::uint64_t bar0_size = 4096;    // power of two, >= 4096
  bool bar2_64bit = true;            // BAR2 (MSI-X table and PBA) 64-bit, prefetchable when 64-bit
  std::uint64_t dma_bytes_per_second = 1'000'000'000;  // copy engine speed
  Picos dma_jitter = 0;  // each DMA chunk takes up to this much longer, drawn from the seed
};

struct NvmeNamespaceSpec {
  std::uint32_t nsid = 0;          // 0: the next free ID
  std::uint64_t size = 1ULL << 30;  // bytes
  unsigned lba_size = 512;          // 512 or 4096
  std::string image;                // sparse image file; empty: in memory
};

/// Timing overrides; unset fields keep the model's documented defaults.
struct NvmeTimingSpec {
  std::optional<unsigned> controller_cores, max_fetch_batch, channels, dies_per_channel;
  std::optional<Picos> io_command_overhead, admin_command_overhead, enable_latency, read_latency, program_latency;
  std::optional<std::uint64_t> page_size, program_unit, channel_rate, write_buffer;
};

/// "nvme": an NVMe 1.4 controller (devices/nvme, docs/devices/nvme.md).
struct NvmeSpec {
  std::string serial = "DRVSIM-NVME-0001";
  std::string model = "drvsim NVMe SSD";
  std::string firmware = "1.0";
  std::vector<NvmeNamespaceSpec> namespaces = {NvmeNamespaceSpec{}};
  unsigned msix_vectors = 17;
  unsigned max_io_queues = 64;
  std::uint32_t queue_entries = 4096;
  bool volatile_write_cache = true;
  unsigned mdts = 7;
  NvmeTimingSpec timing;
};

/// A USB mass-storage device plugged into an xHCI port (devices/usb).
struct UsbStorageSpec {
  Mark mark;
  std::string name;
  unsigned port = 0;          // 0: the first free port of the right speed
  bool super_speed = false;   // speed: high (USB 2.0) or super (USB 3)
  std::uint64_t capacity = 64ULL << 20;
  unsigned block_size = 512;
  std::string image;          // sparse image file; empty: in memory
  bool read_only = false;
  std::string vendor = "DRVSIM", product = "USB DISK", serial = "DS0001";
  Picos attach_at = 0;
  Picos detach_at = 0;        // 0: never
  Picos read_latency = us(30), write_latency = us(40);
};

/// "xhci": an xHCI 1.2 host controller (devices/xhci, docs/devices/xhci.md).
struct XhciSpec {
  unsigned usb2_ports = 4, usb3_ports = 4;
  unsigned max_slots = 32, interrupters = 4, msix_vectors = 4;
  unsigned context_size = 32, scratchpad_buffers = 4;
  std::string capture;  // pcap file of the USB traffic (LINKTYPE_USB_LINUX_MMAPPED)
  std::vector<UsbStorageSpec> usb_devices;
};

struct DeviceSpec {
  Mark mark;
  std::string type;  // "pci-test"
  std::string name;  // unique; defaults to "<type><index among that type>"
  PciAddress address;
  std::uint16_t vendor_id = 0;  // 0: the type's default
  std::uint16_t device_id = 0;
  LinkSpec link;
  std::variant<PciTestSpec, NvmeSpec, XhciSpec> config;
};

/// What the kernel model charges simulated CPUs (docs/kernel-model.md).
struct CostSpec {
  Picos syscall = ns(150);
  Picos ring_enter = ns(200);
  Picos ring_entry = ns(60);
  Picos notify = ns(250);
  Picos context_switch = ns(1200);
  Picos interrupt_entry = ns(400);
  Picos interrupt_exit = ns(250);
  Picos mmio_write = ns(10);
  Picos task_switch = ns(40);
};

struct MachineSpec {
  unsigned cpus = 1;                          // 1..64
  std::uint64_t memory = 256ULL << 20;        // bytes; >= 1 MiB, multiple of 4 KiB
  CostSpec cost;
};

struct ProcessSpec {
  Mark mark;
  std::string name;      // unique; defaults to the program's name
  std::string program;   // "pci-probe" (built in) for now
  std::vector<std::string> args;
  int cpu = 0;           // the CPU it runs on (must exist in machine.cpus)
  Mark cpu_mark;         // where cpu was written (the item's mark if not)
};

struct RunSpec {
  Picos duration = ms(10);  // simulated time limit
  /// until: processes (default) — the run ends when every non-daemon process
  /// has exited, and reaching `duration` first is a failure; until: duration —
  /// the run always lasts `duration` (daemons-only machines, hotplug).
  bool full_duration = false;
};

/// `faults`: one fault, applied by the platform at simulated time `at`
/// (sim/scenario/faults.cpp; docs/scenario-format.md#faults).
struct FaultSpec {
  Mark mark;
  Picos at = 0;
  std::string device;        // a PCI device's name or a USB device's name
  std::string kind;          // controller-hang, drop-completion, fatal, stall-next, bad-csw
  Picos duration = 0;        // controller-hang `for`; 0: until the host resets the controller
  std::uint32_t count = 1;   // drop-completion, stall-next, bad-csw
  std::string queue = "io";  // drop-completion: io, admin, any
  std::string pipe = "both"; // stall-next: in, out, both
  std::string field = "signature";  // bad-csw: signature, tag
};

/// How a condition compares (sim/scenario/expect.hpp parses and checks them).
enum class CondOp : std::uint8_t { eq, ne, ge, le, gt, lt, range, approx };

/// A condition on a number, as written in `expect`: "== N", "!= N", ">= N",
/// "<= N", "> N", "< N", "A..B" (both ends included), "A +- D" or "A +- P%",
/// or a bare N (==). T is std::uint64_t for counts and times, double for
/// reported values.
template <class T>
struct Condition {
  CondOp op = CondOp::eq;
  T a{};  // the operand; the low end of a range; the centre of +-
  T b{};  // the high end of a range; the tolerance of +- (absolute)
  std::string text;  // as written, for messages
  Mark mark;         // where it was written
};
using CountCondition = Condition<std::uint64_t>;
using ValueCondition = Condition<double>;

/// `expect`: what a run must show to pass (docs/scenario-format.md#expect).
/// Absent keys check nothing, except exit_ok, finished and errors, which
/// default to true, true and 0. Later issues add keys here and in
/// sim/scenario/expect.cpp; figures that programs measure need no new key:
/// they are `values` (trace events of kind `result`).
struct ExpectSpec {
  struct Flag {
    bool value = true;
    Mark mark;
  };
  struct Named {
    std::string key;  // "component/kind" for events; "name" or "component/name" for values
    Mark key_mark;
  };
  bool present = false;   // the scenario has an `expect` map
  Mark key_mark;          // where `expect` is written
  Mark mark;              // where its map starts (`{` of a flow map, else its first key)
  bool flow = false;      // written as { ... }
  bool empty = false;     // written as {}
  std::optional<Flag> exit_ok;     // every process succeeded
  std::optional<Flag> finished;    // every process ended before run.duration
  std::optional<CountCondition> warnings, errors;
  std::optional<CountCondition> end_time;  // simulated picoseconds at the end of the run
  std::vector<std::pair<Named, CountCondition>> events;  // in the order written
  std::vector<std::pair<Named, ValueCondition>> values;
  struct Digest {
    std::string hex;  // 32 lowercase hex digits
    Mark mark;        // the value (where --update-golden rewrites it)
    bool quoted = false;
  };
  std::optional<Digest> digest;
};

/// `platform`: what stands under the kernel model. sim: drvsim's own SystemC
/// models (deterministic); qemu: QEMU's NVMe and xHCI models over qtest
/// (docs/qemu-platform.md; functional only, not deterministic).
enum class PlatformKind : std::uint8_t { sim, qemu };

struct Scenario {
  std::string file;
  std::string name;         // defaults to the file's stem
  std::string description;
  std::uint64_t seed = 1;
  MachineSpec machine;
  std::vector<DeviceSpec> devices;
  std::vector<ProcessSpec> processes;
  RunSpec run;
  std::vector<FaultSpec> faults;  // in the order written
  ExpectSpec expect;
  PlatformKind platform = PlatformKind::sim;
  Mark platform_mark;  // where `platform` is written (the file's start if not)
};

/// Loads and validates a scenario file. Throws ScenarioError.
Scenario load_file(const std::string& path);
/// The same from text; `file` names it in error messages.
Scenario load_string(std::string_view yaml, const std::string& file);

/// "4096", "4KiB", "256MiB", "1GiB", "2TiB" (also "kB"/"MB"/"GB" as powers of ten).
std::optional<std::uint64_t> parse_size(std::string_view s);
/// "100ps", "10ns", "5us", "1ms", "2s"; a bare number is picoseconds.
std::optional<Picos> parse_duration(std::string_view s);
/// "1GB/s", "500MB/s", "2GiB/s" (a size, then "/s"), or a bare number of bytes per second.
std::optional<std::uint64_t> parse_rate(std::string_view s);

/// The device types a scenario may name in `devices[].type`, in documentation order.
std::span<const std::string_view> device_types();
/// The fault kinds a scenario may name in `faults[].kind`, in documentation order.
std::span<const std::string_view> fault_kinds();
/// The programs a scenario may name in `processes[].program`, in documentation order.
std::span<const std::string_view> programs();

}  // namespace sim::scenario
