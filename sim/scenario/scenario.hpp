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

struct DeviceSpec {
  Mark mark;
  std::string type;  // "pci-test"
  std::string name;  // unique; defaults to "<type><index among that type>"
  PciAddress address;
  std::uint16_t vendor_id = 0;  // 0: the type's default
  std::uint16_t device_id = 0;
  LinkSpec link;
  std::variant<PciTestSpec> config;
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
};

struct Scenario {
  std::string file;
  std::string name;         // defaults to the file's stem
  std::string description;
  std::uint64_t seed = 1;
  MachineSpec machine;
  std::vector<DeviceSpec> devices;
  std::vector<ProcessSpec> processes;
  RunSpec run;
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
/// The programs a scenario may name in `processes[].program`, in documentation order.
std::span<const std::string_view> programs();

}  // namespace sim::scenario
