#include "drivers/pcid/rules.hpp"

#include <charconv>

namespace pcid {

namespace {

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

hal::Error bad(std::string_view what, std::string_view why) {
  return hal::Error(hal::errc::inval, std::string(what) + ": " + std::string(why));
}

hal::Result<std::uint64_t> parse_hex(std::string_view word, std::string_view digits, std::uint64_t max) {
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.remove_prefix(2);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
  if (digits.empty() || ec == std::errc::invalid_argument || end != digits.data() + digits.size())
    return bad(word, "not a hexadecimal number");
  if (ec == std::errc::result_out_of_range || v > max) return bad(word, max == 0xFF ? "above 0xff" : "above 0xffff");
  return v;
}

template <class T>
hal::Result<void> set_once(std::optional<T>& slot, std::string_view word, std::string_view digits, std::uint64_t max) {
  if (slot) return bad(word, "key given twice");
  const hal::Result<std::uint64_t> v = parse_hex(word, digits, max);
  if (!v) return v.error();
  slot = static_cast<T>(*v);
  return hal::ok();
}

hal::Result<void> parse_condition(MatchRule& r, std::string_view word) {
  const std::size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return bad(word, "expected key=value");
  const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
  if (key == "class") return set_once(r.class_code, word, value, 0xFF);
  if (key == "subclass") return set_once(r.subclass, word, value, 0xFF);
  if (key == "prog_if" || key == "interface") return set_once(r.prog_if, word, value, 0xFF);
  if (key == "vendor") return set_once(r.vendor_id, word, value, 0xFFFF);
  if (key == "device") return set_once(r.device_id, word, value, 0xFFFF);
  return bad(word, "unknown key '" + std::string(key) + "'");
}

bool valid_program(std::string_view p) {
  for (const char c : p) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return !p.empty();
}

}  // namespace

bool MatchRule::matches(const Function& f) const {
  return (!class_code || *class_code == f.class_code) && (!subclass || *subclass == f.subclass) &&
         (!prog_if || *prog_if == f.prog_if) && (!vendor_id || *vendor_id == f.vendor_id) &&
         (!device_id || *device_id == f.device_id);
}

hal::Result<MatchRule> parse_rule(std::string_view text) {
  MatchRule r;
  r.text = std::string(text);
  const std::size_t arrow = text.find("->");
  if (arrow == std::string_view::npos) return bad("rule", "missing '->'");
  const std::vector<std::string_view> conditions = words(text.substr(0, arrow));
  const std::vector<std::string_view> command = words(text.substr(arrow + 2));
  if (conditions.empty()) return bad("rule", "no condition before '->'");
  if (command.empty()) return bad("rule", "no program after '->'");
  for (const std::string_view c : conditions) {
    const hal::Result<void> ok = parse_condition(r, c);
    if (!ok) return ok.error();
  }
  if (!valid_program(command[0])) return bad(command[0], "not a program name");
  r.program = std::string(command[0]);
  for (std::size_t i = 1; i < command.size(); ++i) r.args.emplace_back(command[i]);
  return r;
}

hal::Result<std::vector<MatchRule>> parse_rules(const std::vector<std::string>& args) {
  std::vector<MatchRule> rules;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (words(args[i]).empty()) continue;
    hal::Result<MatchRule> r = parse_rule(args[i]);
    if (!r) return r.error().with_context("rule " + std::to_string(i + 1) + " '" + args[i] + "'");
    rules.push_back(std::move(*r));
  }
  return rules;
}

std::vector<MatchRule> default_rules() {
  std::vector<MatchRule> rules;
  for (const char* text : {"class=01 subclass=08 -> nvmed", "class=0c subclass=03 prog_if=30 -> xhcid",
                           "vendor=1234 device=d51f -> testdev"})
    rules.push_back(parse_rule(text).value());
  return rules;
}

const MatchRule* find_rule(const std::vector<MatchRule>& rules, const Function& f) {
  for (const MatchRule& r : rules)
    if (r.matches(f)) return &r;
  return nullptr;
}

}  // namespace pcid
