#include <string>

#include "sim/scenario/schema.hpp"

namespace sim::scenario::detail {
namespace {

constexpr std::size_t kMaxNameLength = 63;

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_letter(c) || (c >= '0' && c <= '9') || c == '-' || c == '_'; }

}  // namespace

std::string line_col(const Mark& mark) {
  return std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

void check_name(const Value& value, const std::string& name) {
  value.check(!name.empty(), "a name must not be empty");
  value.check(name.size() <= kMaxNameLength,
              "a name has at most " + std::to_string(kMaxNameLength) + " characters, got " +
                  std::to_string(name.size()));
  value.check(is_letter(name.front()), "a name must start with a letter, got '" + name + "'");
  for (char c : name) {
    value.check(is_name_char(c),
                "a name may hold only letters, digits, '-' and '_', got '" + name + "'");
  }
}

std::string read_name(const Value& value) {
  std::string name = value.as_string();
  check_name(value, name);
  return name;
}

void UniqueNames::add(const std::string& name, const Value& where, bool defaulted) {
  const auto [it, inserted] = seen_.emplace(name, where.mark());
  if (inserted) return;
  if (defaulted) {
    where.fail(what_ + " name '" + name + "' (the default for this " + what_ +
               ") is already used at " + line_col(it->second) + "; give this " + what_ +
               " a 'name'");
  }
  where.fail("duplicate " + what_ + " name '" + name + "' (first used at " +
             line_col(it->second) + ")");
}

}  // namespace sim::scenario::detail
