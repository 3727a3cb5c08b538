// Driver match rules, like Redox's pcid-spawner TOML entries, one rule per
// pcid argument:
//
//   rule      = condition { condition } "->" program { argument }
//   condition = key "=" number
//   key       = "class" | "subclass" | "prog_if" | "interface" | "vendor" | "device"
//   number    = hexadecimal digits, with or without a "0x" prefix
//
// Words are separated by blanks. "interface" is another name for prog_if (the
// TOML's name). class, subclass and prog_if take 00..ff; vendor and device
// 0000..ffff. A key may appear once; a rule needs at least one condition and a
// program name ([A-Za-z0-9_.-]+); the words after it are its arguments.
// Examples:
//   class=01 subclass=08 prog_if=02 -> nvmed
//   vendor=0x1234 device=0xd51f -> testdev --copies 4
// A function gets the first rule that matches it; with no rules at all pcid
// uses default_rules().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/hal/result.hpp"
#include "drivers/pcid/function.hpp"

namespace pcid {

struct MatchRule {
  std::optional<std::uint8_t> class_code, subclass, prog_if;
  std::optional<std::uint16_t> vendor_id, device_id;
  std::string program;
  std::vector<std::string> args;
  std::string text;  // as written

  bool matches(const Function& f) const;
};

hal::Result<MatchRule> parse_rule(std::string_view text);
/// One rule per argument; blank arguments are skipped. The error names the
/// rule ("rule 2 'class=zz -> x': class=zz: not a hexadecimal number").
hal::Result<std::vector<MatchRule>> parse_rules(const std::vector<std::string>& args);
/// class 01/08 -> nvmed, class 0c/03/30 -> xhcid, 1234:d51f -> testdev.
std::vector<MatchRule> default_rules();
/// The first rule matching `f`, or nullptr.
const MatchRule* find_rule(const std::vector<MatchRule>& rules, const Function& f);

}  // namespace pcid
