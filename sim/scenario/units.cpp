#include "sim/scenario/units.hpp"

#include <array>
#include <limits>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario::detail {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// A unit is compared with the whole text after the digits, so order does not matter.
constexpr std::array<Unit, 9> kSizeUnits{{
    {"B", 1},
    {"KiB", 1ULL << 10},
    {"MiB", 1ULL << 20},
    {"GiB", 1ULL << 30},
    {"TiB", 1ULL << 40},
    {"kB", 1'000ULL},
    {"MB", 1'000'000ULL},
    {"GB", 1'000'000'000ULL},
    {"TB", 1'000'000'000'000ULL},
}};

constexpr std::array<Unit, 5> kTimeUnits{{
    {"ps", 1},
    {"ns", 1'000ULL},
    {"us", 1'000'000ULL},
    {"ms", 1'000'000'000ULL},
    {"s", 1'000'000'000'000ULL},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Number fail(NumberError e) { return Number{0, e}; }

// Decimal digits only, no sign, no leading zero (except "0" itself).
Number parse_decimal(std::string_view s) {
  if (s.empty()) return fail(NumberError::syntax);
  for (char c : s) {
    if (!is_digit(c)) return fail(NumberError::syntax);
  }
  if (s.size() > 1 && s.front() == '0') return fail(NumberError::leading_zero);
  std::uint64_t v = 0;
  for (char c : s) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - digit) / 10) return fail(NumberError::overflow);
    v = v * 10 + digit;
  }
  return Number{v, NumberError::none};
}

Number parse_hex(std::string_view digits) {
  if (digits.empty()) return fail(NumberError::syntax);
  std::uint64_t v = 0;
  for (char c : digits) {
    const int d = hex_value(c);
    if (d < 0) return fail(NumberError::syntax);
    if (v > (kMax >> 4)) return fail(NumberError::overflow);
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return Number{v, NumberError::none};
}

bool looks_negative(std::string_view s) {
  return s.size() >= 2 && s.front() == '-' && is_digit(s[1]);
}

bool has_hex_prefix(std::string_view s) {
  return s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// An integer (decimal or hex), or decimal digits followed by exactly one of `units`.
template <std::size_t N>
Number parse_with_unit(std::string_view s, const std::array<Unit, N>& units) {
  if (looks_negative(s)) return fail(NumberError::negative);
  if (has_hex_prefix(s)) return parse_integer(s);
  std::size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  if (digits == s.size()) return parse_decimal(s);
  if (digits == 0) return fail(NumberError::syntax);
  const std::string_view suffix = s.substr(digits);
  for (const Unit& unit : units) {
    if (suffix != unit.suffix) continue;
    const Number n = parse_decimal(s.substr(0, digits));
    if (!n.ok()) return n;
    if (n.value > kMax / unit.factor) return fail(NumberError::overflow);
    return Number{n.value * unit.factor, NumberError::none};
  }
  return fail(NumberError::syntax);
}

}  // namespace

Number parse_integer(std::string_view s) {
  if (looks_negative(s)) return fail(NumberError::negative);
  if (has_hex_prefix(s)) return parse_hex(s.substr(2));
  return parse_decimal(s);
}

Number parse_size_text(std::string_view s) { return parse_with_unit(s, kSizeUnits); }

Number parse_duration_text(std::string_view s) { return parse_with_unit(s, kTimeUnits); }

Number parse_rate_text(std::string_view s) {
  constexpr std::string_view per_second = "/s";
  if (s.size() > per_second.size() && s.ends_with(per_second)) {
    return parse_size_text(s.substr(0, s.size() - per_second.size()));
  }
  if (looks_negative(s)) return fail(NumberError::negative);
  return parse_integer(s);
}

}  // namespace sim::scenario::detail

namespace sim::scenario {

namespace {
std::optional<std::uint64_t> value_of(detail::Number n) {
  if (!n.ok()) return std::nullopt;
  return n.value;
}
}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view s) {
  return value_of(detail::parse_size_text(s));
}

std::optional<Picos> parse_duration(std::string_view s) {
  return value_of(detail::parse_duration_text(s));
}

std::optional<std::uint64_t> parse_rate(std::string_view s) {
  return value_of(detail::parse_rate_text(s));
}

}  // namespace sim::scenario
