// What pcid knows about one PCI function: identity, BARs as sized and
// assigned, capabilities, and the driver it spawned for it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/pcid/protocol.hpp"

namespace pcid {

struct Bdf {
  std::uint8_t bus = 0, device = 0, function = 0;
  /// "00:03.1"
  std::string str() const;
  friend bool operator==(const Bdf&, const Bdf&) = default;
};

enum class BarType : std::uint8_t { none, mem32, mem64, io };

struct Bar {
  BarType type = BarType::none;  // none: not implemented, or the upper half of a 64-bit BAR
  bool prefetchable = false;
  std::uint64_t size = 0;
  std::uint64_t address = 0;
  bool assigned = false;
  bool is_memory() const { return type == BarType::mem32 || type == BarType::mem64; }
};

struct Capability {
  std::uint8_t id = 0;
  std::uint16_t offset = 0;
};

struct MsiInfo {
  bool present = false;
  std::uint16_t offset = 0;
  unsigned capable_vectors = 0;  // Multiple Message Capable, as a count
  bool is64 = false;
  bool per_vector_mask = false;
  std::uint16_t data_offset() const;
  std::uint16_t mask_offset() const;
};

struct MsixInfo {
  bool present = false;
  std::uint16_t offset = 0;
  unsigned table_size = 0;  // entries
  unsigned table_bar = 0;
  std::uint32_t table_offset = 0;
  unsigned pba_bar = 0;
  std::uint32_t pba_offset = 0;
};

struct PcieInfo {
  bool present = false;
  std::uint16_t offset = 0;
  unsigned max_payload_supported = 128;  // bytes
  unsigned max_payload = 128;            // bytes, as pcid programmed it
};

struct Function {
  Bdf bdf;
  std::uint16_t vendor_id = 0, device_id = 0;
  std::uint8_t class_code = 0, subclass = 0, prog_if = 0, revision = 0;
  std::uint8_t header_type = 0;  // without the multi-function bit
  std::uint16_t subsystem_vendor_id = 0, subsystem_id = 0;
  std::uint8_t interrupt_pin = 0, interrupt_line = 0;
  std::array<Bar, kNumBars> bars{};
  std::vector<Capability> capabilities;
  bool capability_list_broken = false;  // a loop or a pointer into the header: the walk stopped
  MsiInfo msi;
  MsixInfo msix;
  PcieInfo pcie;
  bool enabled = false;  // Memory Space + Bus Master set
  // The driver pcid spawned for it.
  std::optional<hal::Pid> driver_pid;
  std::string driver;

  bool is_endpoint() const { return header_type == 0; }
  /// True if every implemented memory BAR got an address.
  bool all_bars_assigned() const;
  /// The FetchConfig answer.
  FunctionConfig config() const;
};

}  // namespace pcid
