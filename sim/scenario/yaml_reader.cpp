#include "sim/scenario/yaml_reader.hpp"

#include <cstdio>
#include <utility>

#include "sim/scenario/did_you_mean.hpp"
#include "sim/scenario/units.hpp"

namespace sim::scenario::detail {
namespace {

constexpr std::size_t kMaxShownText = 40;

// yaml-cpp's tag for an untagged plain scalar; quoted scalars get "!".
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kIntTag = "tag:yaml.org,2002:int";
constexpr std::string_view kBoolTag = "tag:yaml.org,2002:bool";

std::string shown(const std::string& text) {
  if (text.size() <= kMaxShownText) return "'" + text + "'";
  return "'" + text.substr(0, kMaxShownText) + "...'";
}

bool is_plain(const YAML::Node& node, std::string_view type_tag) {
  return node.Tag() == kPlainTag || node.Tag() == type_tag;
}

// "tag:yaml.org,2002:str" is written "!!str".
std::string short_tag(const std::string& tag) {
  constexpr std::string_view standard = "tag:yaml.org,2002:";
  if (tag.starts_with(standard)) return "!!" + tag.substr(standard.size());
  return tag;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

}  // namespace

Mark to_mark(const YAML::Mark& mark, const std::string& file) {
  return Mark{file, mark.line < 0 ? 1 : mark.line + 1, mark.column < 0 ? 1 : mark.column + 1};
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!") return "the quoted string " + shown(node.Scalar());
      if (node.Tag() != kPlainTag) {
        return shown(node.Scalar()) + " tagged " + short_tag(node.Tag());
      }
      return shown(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing (null)";
}

// ---- Value ---------------------------------------------------------------

Value::Value(YAML::Node node, const std::string& file, std::string path, Mark mark)
    : node_(std::move(node)), file_(&file), path_(std::move(path)), mark_(std::move(mark)) {}

void Value::fail(const std::string& message) const {
  throw ScenarioError(mark_, path_.empty() ? message : path_ + ": " + message);
}

const std::string& Value::text(std::string_view expected) const {
  if (!node_.IsScalar()) fail("expected " + std::string(expected) + ", got " + describe(node_));
  return node_.Scalar();
}

std::string Value::as_string() const { return text("a string"); }

std::uint64_t Value::as_uint(std::uint64_t min, std::uint64_t max) const {
  const std::string& s = text("an integer");
  if (node_.Tag() == "!") {
    fail("expected an integer, got " + describe(node_) + " (write numbers without quotes)");
  }
  if (!is_plain(node_, kIntTag)) fail("expected an integer, got " + describe(node_));
  const Number n = parse_integer(s);
  switch (n.error) {
    case NumberError::none:
      break;
    case NumberError::syntax:
      fail("expected an integer (decimal or 0x hex), got " + shown(s));
    case NumberError::negative:
      fail("must not be negative, got " + s);
    case NumberError::leading_zero:
      fail("leading zeros are not allowed, got " + s + " (write 0x... for hex)");
    case NumberError::overflow:
      fail(s + " does not fit in 64 bits");
  }
  if (n.value < min || n.value > max) {
    const bool in_hex = s.size() > 1 && (s[1] == 'x' || s[1] == 'X');
    auto fmt = [&](std::uint64_t v) { return in_hex ? hex(v) : std::to_string(v); };
    if (min == 0) fail("must be at most " + fmt(max) + ", got " + s);
    fail("must be between " + fmt(min) + " and " + fmt(max) + ", got " + s);
  }
  return n.value;
}

bool Value::as_bool() const {
  const std::string& s = text("true or false");
  if (is_plain(node_, kBoolTag)) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail("expected true or false, got " + describe(node_));
}

namespace {

// The refusal for a size, duration or rate that did not parse.
std::string number_problem(const Number& n, const std::string& s, std::string_view expected) {
  switch (n.error) {
    case NumberError::negative:
      return "must not be negative, got " + s;
    case NumberError::leading_zero:
      return "leading zeros are not allowed, got " + shown(s);
    case NumberError::overflow:
      return shown(s) + " does not fit in 64 bits";
    case NumberError::none:
    case NumberError::syntax:
      break;
  }
  return "expected " + std::string(expected) + ", got " + shown(s);
}

}  // namespace

std::uint64_t Value::as_size() const {
  constexpr std::string_view expected = "a size such as 4096, 4KiB, 256MiB or 1GB";
  const std::string& s = text(expected);
  const Number n = parse_size_text(s);
  if (!n.ok()) fail(number_problem(n, s, expected));
  return n.value;
}

Picos Value::as_duration() const {
  constexpr std::string_view expected = "a duration such as 500ns, 10us, 1ms or 2s";
  const std::string& s = text(expected);
  const Number n = parse_duration_text(s);
  if (!n.ok()) fail(number_problem(n, s, expected));
  return n.value;
}

std::uint64_t Value::as_rate() const {
  constexpr std::string_view expected = "a rate such as 1GB/s, 500MB/s or 2GiB/s";
  const std::string& s = text(expected);
  const Number n = parse_rate_text(s);
  if (!n.ok()) fail(number_problem(n, s, expected));
  return n.value;
}

std::vector<Value> Value::as_list() const {
  if (!node_.IsSequence()) {
    std::string message = "expected a list, got " + describe(node_);
    if (node_.IsNull()) message += " (write [] for an empty list)";
    fail(message);
  }
  std::vector<Value> items;
  std::size_t index = 0;
  for (const YAML::Node& item : node_) {
    items.emplace_back(item, *file_, path_ + "[" + std::to_string(index) + "]",
                       item.IsNull() ? mark_ : to_mark(item.Mark(), *file_));
    ++index;
  }
  return items;
}

// ---- MapReader -----------------------------------------------------------

MapReader::MapReader(const Value& value, std::string what)
    : value_(value), what_(std::move(what)) {
  const YAML::Node& node = value_.node();
  if (!node.IsMap()) {
    std::string message = "expected a map, got " + describe(node);
    if (node.IsNull()) message += " (write {} for an empty map)";
    value_.fail(message);
  }
  for (const auto& pair : node) {
    const Mark key_mark = to_mark(pair.first.Mark(), value_.file());
    if (!pair.first.IsScalar()) {
      throw ScenarioError(key_mark, "a key in " + what_ + " must be a plain string, got " +
                                        describe(pair.first));
    }
    const std::string& key = pair.first.Scalar();
    for (const Entry& seen : entries_) {
      if (seen.key == key) {
        throw ScenarioError(key_mark, "duplicate key '" + key + "' in " + what_ + " (first at " +
                                          std::to_string(seen.key_mark.line) + ":" +
                                          std::to_string(seen.key_mark.column) + ")");
      }
    }
    entries_.push_back(Entry{key, key_mark, pair.second, false});
  }
}

void MapReader::reject_unknown(std::span<const std::string_view> allowed) const {
  for (const Entry& entry : entries_) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == entry.key;
    if (known) continue;
    std::string message = "unknown key '" + entry.key + "' in " + what_;
    if (auto guess = did_you_mean(entry.key, allowed)) {
      message += " (did you mean '" + std::string(*guess) + "'?)";
    } else {
      message += " (allowed keys: " + join(allowed) + ")";
    }
    throw ScenarioError(entry.key_mark, message);
  }
}

bool MapReader::has(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return true;
  }
  return false;
}

std::optional<Value> MapReader::get(std::string_view key) {
  for (Entry& entry : entries_) {
    if (entry.key != key) continue;
    entry.read = true;
    // A null value ("key:" and nothing) carries the mark of whatever follows
    // it; point at the key instead.
    Mark mark = entry.value.IsNull() ? entry.key_mark : to_mark(entry.value.Mark(), value_.file());
    return Value(entry.value, value_.file(), child_path(value_.path(), key), std::move(mark));
  }
  return std::nullopt;
}

Value MapReader::require(std::string_view key) {
  if (auto v = get(key)) return *v;
  value_.fail("missing required key '" + std::string(key) + "' in " + what_);
}

std::vector<MapReader::Key> MapReader::unread() const {
  std::vector<Key> keys;
  for (const Entry& entry : entries_) {
    if (!entry.read) keys.push_back(Key{entry.key, entry.key_mark});
  }
  return keys;
}

}  // namespace sim::scenario::detail
