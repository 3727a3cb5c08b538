// Interrupts for drivers: vectors come from the kernel's irq scheme
// (irq:cpu-N/VECTOR), messages are built in the x86 MSI format (Intel SDM
// vol. 3 §10.11: address 0xFEE00000 | APIC ID << 12, data = vector, fixed
// delivery, edge triggered). CPU n has APIC ID n.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/hal/ring_abi.hpp"
#include "drivers/hal/sys.hpp"

namespace hal {

constexpr std::uint64_t msi_address(unsigned cpu) { return 0xFEE0'0000ULL | (std::uint64_t{cpu & 0xFF} << 12); }
constexpr std::uint32_t msi_data(unsigned vector) { return vector & 0xFF; }

struct IrqVector {
  Fd fd = 0;
  unsigned cpu = 0;
  unsigned vector = 0;
  std::uint64_t address() const { return msi_address(cpu); }
  std::uint32_t data() const { return msi_data(vector); }
};

/// Allocates a free vector on `cpu` ("irq:cpu-N/new"; the kernel says which
/// in the Open completion's `extra`).
Task<Result<IrqVector>> alloc_irq(Sys& sys, unsigned cpu);
/// Waits for the vector to fire; returns how many times it fired since the
/// last wait (at least 1).
Task<Result<std::uint64_t>> wait_irq(Sys& sys, const IrqVector& irq);

}  // namespace hal
