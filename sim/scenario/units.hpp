// Number, size, duration and rate parsing with the reason a text was refused,
// so that the loader can say more than "bad value". The public parse_size(),
// parse_duration() and parse_rate() in scenario.hpp wrap these.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim::scenario::detail {

enum class NumberError {
  none,
  syntax,        // not a number of the expected form
  negative,      // starts with '-'
  leading_zero,  // "010": refused, YAML 1.1 would read it as octal
  overflow,      // does not fit in 64 bits
};

struct Number {
  std::uint64_t value = 0;
  NumberError error = NumberError::none;
  bool ok() const { return error == NumberError::none; }
};

/// "0", "4096", "0x1000" (hex digits in either case, "0x" or "0X").
Number parse_integer(std::string_view s);
/// An integer number of bytes, or a decimal number followed by a unit:
/// B, KiB, MiB, GiB, TiB (powers of two) or kB, MB, GB, TB (powers of ten).
Number parse_size_text(std::string_view s);
/// An integer number of picoseconds, or a decimal number followed by
/// ps, ns, us, ms or s.
Number parse_duration_text(std::string_view s);
/// An integer number of bytes per second, or a size with a unit followed by "/s".
Number parse_rate_text(std::string_view s);

}  // namespace sim::scenario::detail
