// The pcid ring protocol: what a PCI function driver (nvmed, xhcid, testdev)
// may ask pcid over its user -> user ring (Sys::attach("pcid", ...)).
//
// pcid knows which function a driver serves from the pid the kernel vouches
// for on the connection: pcid spawned that pid for one function. Every request
// applies to that function; a process pcid did not spawn gets EPERM.
//
// Opcodes are the producer's own (from hal::kProducerOpcodeBase = 128).
// Arguments travel in SQE fields; the one buffer (FetchConfig's) lies in the
// ring's shared pool: SQE addr/len are pool offsets. Fields not listed are
// ignored. A CQE status is a value or -errno (drivers/hal/cqe_status.hpp);
// `extra` is 0 unless listed.
//
// | opcode | SQE fields | CQE status | errors |
// |---|---|---|---|
// | 128 FetchConfig         | addr, len: a pool buffer of at least sizeof(FunctionConfig) | bytes written | EFAULT buffer outside the pool; EINVAL len too small |
// | 129 EnableFeature       | offset: a Feature | 0 | EINVAL unknown feature; ENODEV no such capability |
// | 130 DisableFeature      | offset: a Feature | 0 | as EnableFeature |
// | 131 SetMsiMessage       | offset: message address; additional[0]: message data (16 bits); additional[1]: vectors (1, 2, 4 .. 32) | vectors enabled (Multiple Message Enable) | ENODEV no MSI; EINVAL address not dword aligned, above 4 GiB on a 32-bit MSI, data above 0xFFFF or with its low log2(vectors) bits set, vectors not a power of two or above the capable count |
// | 132 SetMsiMask          | offset: Mask Bits | the Mask Bits read back | ENODEV no MSI; EOPNOTSUPP no per-vector masking; EINVAL a bit above the capable count |
// | 133 SetMsixFunctionMask | offset: 1 mask, 0 unmask | 0 | ENODEV no MSI-X; EINVAL other values |
// | 134 ReadConfig          | offset: register offset | the dword | EINVAL offset not dword aligned or >= 4096 |
// | 135 WriteConfig         | offset: register offset; additional[0]: the dword | 0 | EINVAL as ReadConfig or a value above 0xFFFFFFFF; EACCES a register pcid owns (see below) |
//
// Every request: EPERM from a process pcid did not spawn; ENOSYS for an
// unknown opcode; EIO if the configuration access itself failed.
//
// Registers pcid owns (WriteConfig answers EACCES): the six BARs (0x10-0x27),
// the Expansion ROM BAR (0x30), the Capabilities Pointer dword (0x34), and the
// Message Control dwords of the MSI and MSI-X capabilities (use EnableFeature,
// SetMsiMessage and SetMsixFunctionMask: pcid keeps MSI and MSI-X exclusive).
// WriteConfig writes exactly the one dword asked for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "drivers/hal/ring_abi.hpp"

namespace pcid {

enum class Op : std::uint8_t {
  fetch_config = hal::kProducerOpcodeBase,  // 128
  enable_feature = 129,
  disable_feature = 130,
  set_msi_message = 131,
  set_msi_mask = 132,
  set_msix_function_mask = 133,
  read_config = 134,
  write_config = 135,
};

/// EnableFeature / DisableFeature argument (SQE offset).
enum class Feature : std::uint64_t {
  msi = 1,           // MSI Enable; enabling it clears MSI-X Enable
  msix = 2,          // MSI-X Enable; enabling it clears MSI Enable
  intx_disable = 3,  // Command.Interrupt Disable (enable = INTx off)
};

/// Configuration space is 4 KiB per function (PCIe extended space).
inline constexpr std::uint32_t kConfigSpaceSize = 4096;
inline constexpr unsigned kNumBars = 6;
/// Capabilities FetchConfig reports at most (the list walk stops at 48).
inline constexpr unsigned kMaxCapabilities = 16;

/// One Base Address Register as pcid sized and assigned it.
struct BarConfig {
  std::uint64_t phys;         // assigned address; 0 = not implemented or not assigned
  std::uint64_t size;         // bytes; 0 = not implemented (or the upper half of a 64-bit BAR)
  std::uint8_t is64;          // 1: a 64-bit BAR (it also occupies the next slot)
  std::uint8_t prefetchable;  // 1: prefetchable memory
  std::uint8_t reserved[6];
};

struct CapabilityConfig {
  std::uint8_t id;      // PCI Code and ID Assignment: 05h MSI, 10h PCIe, 11h MSI-X, ...
  std::uint8_t offset;  // in configuration space
};

struct MsiConfig {
  std::uint8_t present;
  std::uint8_t multi_message_capable;  // vectors the function can use: 1, 2, 4 .. 32
  std::uint8_t is64;                   // 64 Bit Address Capable
  std::uint8_t per_vector_masking;     // Per-Vector Masking Capable
  std::uint8_t offset;                 // of the capability
  std::uint8_t reserved[3];
};

struct MsixConfig {
  std::uint8_t present;
  std::uint8_t table_bar;  // Table BIR
  std::uint8_t pba_bar;    // PBA BIR
  std::uint8_t offset;     // of the capability
  std::uint16_t table_size;  // entries (Table Size + 1)
  std::uint16_t reserved;
  std::uint32_t table_offset;  // in table_bar
  std::uint32_t pba_offset;    // in pba_bar
};

/// What FetchConfig writes into the pool buffer (little-endian, 224 bytes).
struct FunctionConfig {
  std::uint8_t bus, device, function, header_type;
  std::uint16_t vendor_id, device_id;
  std::uint8_t class_code, subclass, prog_if, revision;
  std::uint16_t subsystem_vendor_id, subsystem_id;
  std::uint8_t interrupt_pin;   // 0 none, 1..4 INTA#..INTD#
  std::uint8_t interrupt_line;  // as firmware left it (pcid does not route INTx)
  std::uint8_t capability_count;
  std::uint8_t pcie_present;
  std::uint16_t max_payload;  // bytes: Max_Payload_Size pcid programmed (PCIe only, else 128)
  std::uint16_t reserved0;
  BarConfig bars[kNumBars];
  CapabilityConfig capabilities[kMaxCapabilities];
  MsiConfig msi;
  MsixConfig msix;
};

// --- The ABI, checked. -------------------------------------------------------

static_assert(sizeof(BarConfig) == 24 && alignof(BarConfig) == 8);
static_assert(offsetof(BarConfig, size) == 8 && offsetof(BarConfig, is64) == 16 &&
              offsetof(BarConfig, prefetchable) == 17);
static_assert(sizeof(CapabilityConfig) == 2);
static_assert(sizeof(MsiConfig) == 8);
static_assert(sizeof(MsixConfig) == 16 && offsetof(MsixConfig, table_size) == 4 &&
              offsetof(MsixConfig, table_offset) == 8 && offsetof(MsixConfig, pba_offset) == 12);
static_assert(offsetof(FunctionConfig, vendor_id) == 4 && offsetof(FunctionConfig, class_code) == 8);
static_assert(offsetof(FunctionConfig, subsystem_vendor_id) == 12 && offsetof(FunctionConfig, interrupt_pin) == 16);
static_assert(offsetof(FunctionConfig, max_payload) == 20);
static_assert(offsetof(FunctionConfig, bars) == 24);
static_assert(offsetof(FunctionConfig, capabilities) == 24 + 6 * 24);
static_assert(offsetof(FunctionConfig, msi) == 200);
static_assert(offsetof(FunctionConfig, msix) == 208);
static_assert(sizeof(FunctionConfig) == 224 && alignof(FunctionConfig) == 8);
static_assert(std::is_trivially_copyable_v<FunctionConfig> && std::is_standard_layout_v<FunctionConfig>);

/// An SQE for a pcid request.
constexpr hal::SqEntry64 make_request(Op op, std::uint64_t offset = 0, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                                      std::uint64_t addr = 0, std::uint64_t len = 0) {
  hal::SqEntry64 s{};
  s.opcode = static_cast<std::uint8_t>(op);
  s.addr = addr;
  s.len = len;
  s.offset = offset;
  s.additional[0] = a0;
  s.additional[1] = a1;
  return s;
}

}  // namespace pcid
