// A strict reader over yaml-cpp nodes. Every value knows its path in the
// document ("devices[0].link.lanes") and its mark, so that every refusal can
// name the key and point at file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario::detail {

/// yaml-cpp marks are 0-based (and -1 when unknown); ours are 1-based.
Mark to_mark(const YAML::Mark& mark, const std::string& file);

/// "a map", "a list", "nothing (null)", "'text'" or "the quoted string 'text'".
std::string describe(const YAML::Node& node);

/// One node of the document: a scalar, a list or a map.
class Value {
 public:
  /// `file` must outlive the Value and everything read from it.
  Value(YAML::Node node, const std::string& file, std::string path, Mark mark);

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return *file_; }
  /// Where the value sits in the document, e.g. "machine.cpus"; "" for the top.
  const std::string& path() const { return path_; }
  const Mark& mark() const { return mark_; }

  /// Throws ScenarioError at this value: "path: message".
  [[noreturn]] void fail(const std::string& message) const;
  /// fail() unless `ok`.
  void check(bool ok, const std::string& message) const {
    if (!ok) fail(message);
  }

  /// The scalar text as written (after YAML unquoting); fails unless a scalar.
  const std::string& text(std::string_view expected) const;

  /// Any non-null scalar, quoted or not.
  std::string as_string() const;
  /// A plain (unquoted) decimal or 0x hex integer in [min, max].
  std::uint64_t as_uint(std::uint64_t min, std::uint64_t max) const;
  /// Plain true/false (also True, TRUE, False, FALSE).
  bool as_bool() const;
  /// A size: bytes, or a number with a unit (parse_size).
  std::uint64_t as_size() const;
  /// A duration in picoseconds (parse_duration).
  Picos as_duration() const;
  /// Bytes per second (parse_rate).
  std::uint64_t as_rate() const;
  /// The elements of a list, each with path "path[i]".
  std::vector<Value> as_list() const;

 private:
  YAML::Node node_;
  const std::string* file_;
  std::string path_;
  Mark mark_;
};

/// The keys of a map, read one by one. Duplicate keys and keys that are not
/// plain scalars are refused when it is made.
class MapReader {
 public:
  /// `what` names the map in messages: "unknown key 'x' in <what>".
  MapReader(const Value& value, std::string what);

  const Value& value() const { return value_; }
  const Mark& mark() const { return value_.mark(); }

  /// Refuses the first key (in document order) not in `allowed`, suggesting
  /// the closest allowed key.
  void reject_unknown(std::span<const std::string_view> allowed) const;

  bool has(std::string_view key) const;
  /// The value of `key`, which now counts as read; nullopt when absent.
  std::optional<Value> get(std::string_view key);
  /// get(), refusing a missing key at the map's mark.
  Value require(std::string_view key);

  struct Key {
    std::string name;
    Mark mark;
  };
  /// Keys present but never read by get() or require(), in document order.
  std::vector<Key> unread() const;

 private:
  struct Entry {
    std::string key;
    Mark key_mark;
    YAML::Node value;
    bool read = false;
  };

  Value value_;
  std::string what_;
  std::vector<Entry> entries_;  // document order
};

}  // namespace sim::scenario::detail
