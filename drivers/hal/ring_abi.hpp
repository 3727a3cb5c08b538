// The ring ABI, after the Redox io_uring RFC: submission and completion
// entries, opcodes, flags and the ring header. Every size and offset is
// static_asserted: both sides of a ring (possibly different programs) rely on
// them. See docs/hal.md for the table.
//
// Naming (the RFC's): the *consumer* makes requests (pushes SQEs, pops CQEs);
// the *producer* serves them (pops SQEs, pushes CQEs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace hal {

/// Standard opcodes. 0 is a no-op so that a zero-filled entry does nothing.
/// Opcodes from kProducerOpcodeBase up belong to the producer serving the ring
/// (pcid's, xhcid's, ...).
enum class Opcode : std::uint8_t {
  no_op = 0,
  open = 1,
  close = 2,
  read = 3,
  write = 4,
  pread = 5,
  pwrite = 6,
  fsync = 7,
  fstat = 8,
  dup = 9,
  mmap = 10,
  register_events = 11,
};
inline constexpr std::uint8_t kProducerOpcodeBase = 128;

constexpr bool is_producer_opcode(std::uint8_t op) { return op >= kProducerOpcodeBase; }

/// SqEntry64::flags bits.
inline constexpr std::uint8_t kSqeSubscribe = 1u << 0;  // keep completing on each event (RegisterEvents)
inline constexpr std::uint8_t kSqeDrain = 1u << 1;      // start only after all earlier entries completed
inline constexpr std::uint8_t kSqeChain = 1u << 2;      // the next entry starts only after this one
inline constexpr std::uint8_t kSqeKnownFlags = kSqeSubscribe | kSqeDrain | kSqeChain;

/// CqEntry64::flags bits.
inline constexpr std::uint64_t kCqeEvent = 1u << 0;       // an event of a subscription, not a one-off result
inline constexpr std::uint64_t kCqeLastUpdate = 1u << 1;  // the subscription ends with this entry

struct SqEntry64 {
  std::uint8_t opcode;
  std::uint8_t flags;
  std::uint16_t priority;
  std::uint32_t syscall_flags;
  std::uint64_t fd;
  std::uint64_t len;
  std::uint64_t user_data;
  std::uint64_t addr;
  std::uint64_t offset;
  std::uint64_t additional[2];
};

struct CqEntry64 {
  std::uint64_t user_data;
  /// A value, or a negative errno as two's complement (see cqe_status.hpp).
  std::uint64_t status;
  std::uint64_t flags;
  std::uint64_t extra;
};

/// RingHeader::status values.
inline constexpr std::uint32_t kRingRunning = 0;
inline constexpr std::uint32_t kRingShutDown = 1;

/// One ring's header, in memory shared by both sides. head and tail are
/// indices modulo 2 × entry_count: empty is head == tail, full is
/// tail - head == entry_count (mod 2 × entry_count). The side that pushes
/// writes only tail; the side that pops writes only head; either may write
/// status to shut the ring down. Plain fields: RingView accesses them through
/// std::atomic_ref with acquire/release ordering.
struct RingHeader {
  std::uint32_t entry_count;
  std::uint32_t reserved0;
  std::uint64_t head;
  std::uint64_t tail;
  std::uint32_t status;
  std::uint32_t reserved1;
};

// --- The ABI, checked. -------------------------------------------------------

static_assert(sizeof(SqEntry64) == 64);
static_assert(alignof(SqEntry64) == 8);
static_assert(offsetof(SqEntry64, opcode) == 0);
static_assert(offsetof(SqEntry64, flags) == 1);
static_assert(offsetof(SqEntry64, priority) == 2);
static_assert(offsetof(SqEntry64, syscall_flags) == 4);
static_assert(offsetof(SqEntry64, fd) == 8);
static_assert(offsetof(SqEntry64, len) == 16);
static_assert(offsetof(SqEntry64, user_data) == 24);
static_assert(offsetof(SqEntry64, addr) == 32);
static_assert(offsetof(SqEntry64, offset) == 40);
static_assert(offsetof(SqEntry64, additional) == 48);

static_assert(sizeof(CqEntry64) == 32);
static_assert(alignof(CqEntry64) == 8);
static_assert(offsetof(CqEntry64, user_data) == 0);
static_assert(offsetof(CqEntry64, status) == 8);
static_assert(offsetof(CqEntry64, flags) == 16);
static_assert(offsetof(CqEntry64, extra) == 24);

static_assert(sizeof(RingHeader) == 32);
static_assert(alignof(RingHeader) == 8);
static_assert(offsetof(RingHeader, entry_count) == 0);
static_assert(offsetof(RingHeader, reserved0) == 4);
static_assert(offsetof(RingHeader, head) == 8);
static_assert(offsetof(RingHeader, tail) == 16);
static_assert(offsetof(RingHeader, status) == 24);
static_assert(offsetof(RingHeader, reserved1) == 28);

// Shared memory is copied byte-wise and may be zero-filled by the other side.
static_assert(std::is_trivially_copyable_v<SqEntry64> && std::is_standard_layout_v<SqEntry64>);
static_assert(std::is_trivially_copyable_v<CqEntry64> && std::is_standard_layout_v<CqEntry64>);
static_assert(std::is_trivially_copyable_v<RingHeader> && std::is_standard_layout_v<RingHeader>);

}  // namespace hal
