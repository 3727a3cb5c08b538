// Simulated time: integer picoseconds, the SystemC time resolution.
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/uint128.hpp"

namespace sc_core {
class sc_time;
}

namespace sim {

/// A point in, or a span of, simulated time in picoseconds. 2^64 ps is 213 days.
using Picos = std::uint64_t;

constexpr Picos ps(std::uint64_t v) { return v; }
constexpr Picos ns(std::uint64_t v) { return v * Picos{1'000}; }
constexpr Picos us(std::uint64_t v) { return v * Picos{1'000'000}; }
constexpr Picos ms(std::uint64_t v) { return v * Picos{1'000'000'000}; }
constexpr Picos sec(std::uint64_t v) { return v * Picos{1'000'000'000'000}; }

/// Time to move `bytes` at `bytes_per_second`, rounded up to a whole picosecond.
constexpr Picos transfer_time(std::uint64_t bytes, std::uint64_t bytes_per_second) {
  if (bytes_per_second == 0) return 0;
  // The same quotient in 64 bits when it fits (every transfer below ~18 MB):
  // a 128-bit division is a library call.
  std::uint64_t num64 = 0;
  if (!__builtin_mul_overflow(bytes, Picos{1'000'000'000'000}, &num64) &&
      !__builtin_add_overflow(num64, bytes_per_second - 1, &num64))
    return num64 / bytes_per_second;
  const uint128 num = static_cast<uint128>(bytes) * Picos{1'000'000'000'000};
  return static_cast<Picos>((num + bytes_per_second - 1) / bytes_per_second);
}

/// "12.345678us": microseconds with all six picosecond digits, for logs.
std::string format_time(Picos t);

/// The same span as a SystemC time (exact: the resolution is 1 ps).
sc_core::sc_time to_sc(Picos t);

/// Current SystemC time in picoseconds (the resolution is set to 1 ps).
Picos now();

/// Starts a fresh SystemC kernel (a new simulation context) with a time
/// resolution of 1 ps. Everything made before belongs to the old context and
/// must not be used again. Call it before building a machine; tests call it
/// once per test so that each test gets its own simulation.
void fresh_kernel();

}  // namespace sim
