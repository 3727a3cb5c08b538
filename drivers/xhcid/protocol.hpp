// The xhcid ring protocol: what a USB class driver (usbscsid, ...) asks
// xhcid over its user -> user ring (Sys::attach(<scheme>, ...)), after the
// Redox xhcid's per-port interface (descriptors, control requests, endpoint
// transfers, state).
//
// One ring = one class driver = one interface of one device. The class driver
// names its port and interface with Attach, first; xhcid checks that it is the
// process it spawned for that port (the kernel vouches for the peer pid).
// Opcodes are the producer's own (from hal::kProducerOpcodeBase = 128).
// Buffers lie in the ring's shared pool (SQE addr/len are pool offsets):
// transfers DMA straight from and into it. The CQE status is a value or
// -errno; `extra` as listed.
//
// | opcode | SQE fields | CQE status | CQE extra |
// |---|---|---|---|
// | 128 Attach          | offset: port (1-based); additional[0]: interface number | 0 | speed (usb::Speed) \| slot << 8 |
// | 129 GetDescriptors  | addr, len: pool buffer | bytes written: the 18-byte device descriptor, then the configuration set (wTotalLength bytes) | bConfigurationValue in use |
// | 130 ControlTransfer | offset: the SETUP packet as a little-endian u64 (SetupPacket::to_u64); addr, len: the data stage (len >= wLength if wLength > 0) | bytes moved in the data stage | completion code |
// | 131 BulkTransfer    | offset: endpoint address (bit 7 = IN); addr, len: pool buffer (len <= kMaxTransfer) | bytes moved (fewer on a short packet) | bytes moved \| completion code << 32 (also on errors) |
// | 132 ClearHalt       | offset: endpoint address | 0 | 0 |
// | 133 GetPortState    | — | a PortState | speed \| PORTSC << 32 |
// | 134 WaitDisconnect  | — | never answered while the device is there: the ring's shutdown when it leaves completes it with ESHUTDOWN | — |
//
// Errors: EPERM before Attach or from a process xhcid did not spawn for the
// port; EBUSY Attach twice; ENOENT no such port / interface; ENOSYS unknown
// opcode; EFAULT a buffer outside the pool; EINVAL bad arguments (an
// endpoint not in the interface, a length above kMaxTransfer); EPIPE (32) the
// endpoint STALLed (it stays halted until ClearHalt); EIO a USB transaction
// error; ENODEV / ESHUTDOWN the device is gone (xhcid then shuts the ring).
#pragma once

#include <cstdint>

#include "drivers/hal/ring_abi.hpp"

namespace xhcid::proto {

enum class Op : std::uint8_t {
  attach = hal::kProducerOpcodeBase,  // 128
  get_descriptors = 129,
  control_transfer = 130,
  bulk_transfer = 131,
  clear_halt = 132,
  get_port_state = 133,
  wait_disconnect = 134,
};

enum class PortState : std::uint64_t {
  disconnected = 0,  // nothing on the port (or the device left)
  enumerating = 1,   // reset, addressing, reading descriptors
  configured = 2,    // ready: class drivers may transfer
  failed = 3,        // enumeration failed
};

/// EPIPE, Linux's number (hal::errc has no name for it): an endpoint halted.
inline constexpr int kEpipe = 32;
/// The largest BulkTransfer / ControlTransfer xhcid takes in one request.
inline constexpr std::uint64_t kMaxTransfer = 4ULL << 20;

/// The outcome of a transfer: bytes moved, and 0 or a positive errno
/// (kEpipe: the endpoint STALLed) with the xHCI completion code.
struct Transfer {
  int error = 0;
  std::uint32_t bytes = 0;
  std::uint8_t completion_code = 0;
  bool ok() const { return error == 0; }
  bool stalled() const { return error == kEpipe; }
};

constexpr hal::SqEntry64 make_request(Op op, std::uint64_t offset = 0, std::uint64_t addr = 0, std::uint64_t len = 0,
                                      std::uint64_t a0 = 0) {
  hal::SqEntry64 s{};
  s.opcode = static_cast<std::uint8_t>(op);
  s.offset = offset;
  s.addr = addr;
  s.len = len;
  s.additional[0] = a0;
  return s;
}

/// BulkTransfer's CQE extra.
constexpr std::uint32_t bulk_bytes(std::uint64_t extra) { return static_cast<std::uint32_t>(extra); }
constexpr std::uint8_t bulk_completion_code(std::uint64_t extra) { return static_cast<std::uint8_t>(extra >> 32); }
constexpr std::uint64_t bulk_extra(std::uint32_t bytes, std::uint8_t cc) { return bytes | (std::uint64_t{cc} << 32); }

}  // namespace xhcid::proto
