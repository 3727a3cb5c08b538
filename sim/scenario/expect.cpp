// `expect`: reading the map and its conditions (see expect.hpp).
#include "sim/scenario/expect.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "sim/scenario/schema.hpp"
#include "sim/scenario/units.hpp"
#include "sim/scenario/yaml_reader.hpp"

namespace sim::scenario {
namespace {

constexpr std::array<std::string_view, 8> kExpectKeys{
    "exit_ok", "finished", "warnings", "errors", "end_time", "events", "values", "digest",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void set_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
}

// The operator at the front of a condition, and the rest.
struct Split {
  CondOp op = CondOp::eq;
  std::string_view rest;
  bool explicit_op = false;
};

Split split_operator(std::string_view t) {
  static constexpr std::array<std::pair<std::string_view, CondOp>, 6> ops{{
      {"==", CondOp::eq}, {"!=", CondOp::ne}, {">=", CondOp::ge}, {"<=", CondOp::le}, {">", CondOp::gt}, {"<", CondOp::lt},
  }};
  for (const auto& [sym, op] : ops)
    if (t.starts_with(sym)) return Split{op, trim(t.substr(sym.size())), true};
  return Split{CondOp::eq, t, false};
}

// A condition's shape, before its operands are read: op, a, b (b for ranges
// and tolerances), and whether the tolerance is a percentage.
struct Shape {
  CondOp op = CondOp::eq;
  std::string_view a, b;
  bool percent = false;
};

std::optional<Shape> shape_of(std::string_view text, std::string* why) {
  const std::string_view t = trim(text);
  if (t.empty()) {
    set_why(why, "an empty condition");
    return std::nullopt;
  }
  const Split s = split_operator(t);
  if (s.explicit_op) {
    if (s.rest.empty()) {
      set_why(why, "a number must follow the operator");
      return std::nullopt;
    }
    return Shape{s.op, s.rest, {}, false};
  }
  if (const auto dots = t.find(".."); dots != std::string_view::npos)
    return Shape{CondOp::range, trim(t.substr(0, dots)), trim(t.substr(dots + 2)), false};
  std::size_t pm = t.find("+-");
  std::size_t pm_len = 2;
  if (pm == std::string_view::npos) {
    pm = t.find("\xC2\xB1");  // ±
    pm_len = 2;
  }
  if (pm != std::string_view::npos) {
    std::string_view tol = trim(t.substr(pm + pm_len));
    const bool percent = tol.ends_with('%');
    if (percent) tol = trim(tol.substr(0, tol.size() - 1));
    return Shape{CondOp::approx, trim(t.substr(0, pm)), tol, percent};
  }
  return Shape{CondOp::eq, t, {}, false};
}

std::optional<std::uint64_t> read_uint(std::string_view s, bool durations, std::string* why) {
  const detail::Number n = durations ? detail::parse_duration_text(s) : detail::parse_integer(s);
  if (n.ok()) return n.value;
  std::string text(s);
  switch (n.error) {
    case detail::NumberError::negative: set_why(why, "must not be negative, got '" + text + "'"); break;
    case detail::NumberError::leading_zero: set_why(why, "leading zeros are not allowed, got '" + text + "'"); break;
    case detail::NumberError::overflow: set_why(why, "'" + text + "' does not fit in 64 bits"); break;
    case detail::NumberError::none:
    case detail::NumberError::syntax:
      set_why(why, durations ? "expected a duration such as 10us, got '" + text + "'"
                             : "expected a whole number, got '" + text + "'");
      break;
  }
  return std::nullopt;
}

std::optional<double> read_double(std::string_view s, std::string* why) {
  double v = 0;
  const char* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v);
  if (s.empty() || r.ec != std::errc() || r.ptr != end || !std::isfinite(v)) {
    set_why(why, "expected a number such as 12, 0.5 or 1e6, got '" + std::string(s) + "'");
    return std::nullopt;
  }
  return v;
}

std::string format_uint(std::uint64_t v, bool durations) {
  return durations ? format_time(v) : std::to_string(v);
}

std::string op_symbol(CondOp op) {
  switch (op) {
    case CondOp::eq: return "==";
    case CondOp::ne: return "!=";
    case CondOp::ge: return ">=";
    case CondOp::le: return "<=";
    case CondOp::gt: return ">";
    case CondOp::lt: return "<";
    case CondOp::range:
    case CondOp::approx: break;
  }
  return "";
}

template <class T>
bool holds_impl(const Condition<T>& c, T v) {
  switch (c.op) {
    case CondOp::eq: return v == c.a;
    case CondOp::ne: return v != c.a;
    case CondOp::ge: return v >= c.a;
    case CondOp::le: return v <= c.a;
    case CondOp::gt: return v > c.a;
    case CondOp::lt: return v < c.a;
    case CondOp::range: return v >= c.a && v <= c.b;
    case CondOp::approx: return (v >= c.a ? v - c.a : c.a - v) <= c.b;
  }
  return false;
}

using detail::MapReader;
using detail::Value;

// A condition written as a YAML scalar: a plain number or a quoted text.
std::string condition_text(const Value& v) {
  return v.text("a number or a condition such as \">= 1\", \"10..20\" or \"100 +- 5%\"");
}

CountCondition read_count(const Value& v, bool durations) {
  std::string why;
  auto c = parse_count_condition(condition_text(v), durations, &why);
  if (!c) v.fail(why);
  c->mark = v.mark();
  return *c;
}

ValueCondition read_value(const Value& v) {
  std::string why;
  auto c = parse_value_condition(condition_text(v), &why);
  if (!c) v.fail(why);
  c->mark = v.mark();
  return *c;
}

ExpectSpec::Flag read_flag(const Value& v) { return ExpectSpec::Flag{v.as_bool(), v.mark()}; }

bool is_hex_digest(const std::string& s) {
  if (s.size() != 32) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

}  // namespace

std::optional<CountCondition> parse_count_condition(std::string_view text, bool durations, std::string* why) {
  const auto shape = shape_of(text, why);
  if (!shape) return std::nullopt;
  CountCondition c;
  c.op = shape->op;
  c.text = std::string(trim(text));
  const auto a = read_uint(shape->a, durations, why);
  if (!a) return std::nullopt;
  c.a = *a;
  if (shape->op == CondOp::range) {
    const auto b = read_uint(shape->b, durations, why);
    if (!b) return std::nullopt;
    if (*b < *a) {
      set_why(why, "the range " + c.text + " is empty (the low end comes first)");
      return std::nullopt;
    }
    c.b = *b;
  } else if (shape->op == CondOp::approx) {
    if (shape->percent) {
      const auto p = read_uint(shape->b, false, why);
      if (!p) return std::nullopt;
      // Rounded up, so that "100 +- 5%" allows 95 to 105.
      const long double tol = static_cast<long double>(*a) * static_cast<long double>(*p) / 100.0L;
      c.b = static_cast<std::uint64_t>(std::ceil(tol));
    } else {
      const auto b = read_uint(shape->b, durations, why);
      if (!b) return std::nullopt;
      c.b = *b;
    }
  }
  return c;
}

std::optional<ValueCondition> parse_value_condition(std::string_view text, std::string* why) {
  const auto shape = shape_of(text, why);
  if (!shape) return std::nullopt;
  ValueCondition c;
  c.op = shape->op;
  c.text = std::string(trim(text));
  // A range of negative numbers ("-5..-1") reads fine: ".." is found first.
  const auto a = read_double(shape->a, why);
  if (!a) return std::nullopt;
  c.a = *a;
  if (shape->op == CondOp::range) {
    const auto b = read_double(shape->b, why);
    if (!b) return std::nullopt;
    if (*b < *a) {
      set_why(why, "the range " + c.text + " is empty (the low end comes first)");
      return std::nullopt;
    }
    c.b = *b;
  } else if (shape->op == CondOp::approx) {
    const auto b = read_double(shape->b, why);
    if (!b) return std::nullopt;
    if (*b < 0) {
      set_why(why, "the tolerance must not be negative");
      return std::nullopt;
    }
    c.b = shape->percent ? std::fabs(*a) * *b / 100.0 : *b;
  }
  return c;
}

bool holds(const CountCondition& c, std::uint64_t v) { return holds_impl(c, v); }
bool holds(const ValueCondition& c, double v) { return holds_impl(c, v); }

std::string format_value(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string describe(const CountCondition& c, bool durations) {
  switch (c.op) {
    case CondOp::range: return format_uint(c.a, durations) + ".." + format_uint(c.b, durations);
    case CondOp::approx: return format_uint(c.a, durations) + " +- " + format_uint(c.b, durations);
    default: return op_symbol(c.op) + " " + format_uint(c.a, durations);
  }
}

std::string describe(const ValueCondition& c) {
  switch (c.op) {
    case CondOp::range: return format_value(c.a) + ".." + format_value(c.b);
    case CondOp::approx: return format_value(c.a) + " +- " + format_value(c.b);
    default: return op_symbol(c.op) + " " + format_value(c.a);
  }
}

std::optional<EventPattern> parse_event_pattern(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return std::nullopt;
  return EventPattern{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

namespace detail {

ExpectSpec read_expect(const Value& value, const Mark& key_mark) {
  MapReader map(value, "expect");
  map.reject_unknown(kExpectKeys);
  ExpectSpec e;
  e.present = true;
  e.key_mark = key_mark;
  e.mark = value.mark();
  e.flow = value.node().Style() == YAML::EmitterStyle::Flow;
  e.empty = value.node().size() == 0;
  if (auto v = map.get("exit_ok")) e.exit_ok = read_flag(*v);
  if (auto v = map.get("finished")) e.finished = read_flag(*v);
  if (auto v = map.get("warnings")) e.warnings = read_count(*v, false);
  if (auto v = map.get("errors")) e.errors = read_count(*v, false);
  if (auto v = map.get("end_time")) e.end_time = read_count(*v, true);
  if (auto v = map.get("events")) {
    MapReader events(*v, "expect.events");
    for (const MapReader::Key& k : events.unread()) {
      const Value item = *events.get(k.name);
      if (!parse_event_pattern(k.name))
        throw ScenarioError(k.mark, "expect.events: '" + k.name +
                                        "' is not an event key; write component/kind, e.g. \"irqc/irq\" "
                                        "(either part may be *)");
      e.events.emplace_back(ExpectSpec::Named{k.name, k.mark}, read_count(item, false));
    }
  }
  if (auto v = map.get("values")) {
    MapReader values(*v, "expect.values");
    for (const MapReader::Key& k : values.unread()) {
      const Value item = *values.get(k.name);
      const auto slash = k.name.find('/');
      if (k.name.empty() || slash == 0 || (slash != std::string::npos && slash + 1 == k.name.size()))
        throw ScenarioError(k.mark, "expect.values: '" + k.name + "' is not a value name; write name or component/name");
      e.values.emplace_back(ExpectSpec::Named{k.name, k.mark}, read_value(item));
    }
  }
  if (auto v = map.get("digest")) {
    const std::string& s = v->text("a trace digest of 32 hex digits");
    v->check(is_hex_digest(s), "expected a trace digest of 32 lowercase hex digits, got '" + s +
                                   "' (drvsim run --update-golden writes it)");
    e.digest = ExpectSpec::Digest{s, v->mark(), v->node().Tag() == "!"};
  }
  return e;
}

}  // namespace detail

}  // namespace sim::scenario
