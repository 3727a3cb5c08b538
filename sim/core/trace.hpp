// The structured trace: one stream of events (time, sequence, severity,
// component, kind, fields). Every event feeds the running digest (XXH3-128 of a
// canonical binary encoding), whatever the log level; sinks (text log, JSON
// Lines, ...) only choose what they show. Equal digests mean identical runs.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"

namespace sim {

enum class Severity : std::uint8_t { debug = 0, info = 1, warn = 2, error = 3 };
std::string_view to_string(Severity s);

/// One field value. Hex is an unsigned number meant to be read in hex
/// (addresses, register values); JSON shows it as a "0x..." string.
struct FieldValue {
  enum class Type : std::uint8_t { u64, i64, boolean, str, hex };
  Type type;
  std::uint64_t num = 0;
  std::string_view str;
};

struct Hex {
  std::uint64_t v;
};

struct Field {
  std::string_view key;
  FieldValue value;

  Field(std::string_view k, std::uint64_t v) : key(k), value{FieldValue::Type::u64, v, {}} {}
  Field(std::string_view k, std::uint32_t v) : Field(k, std::uint64_t{v}) {}
  Field(std::string_view k, std::uint16_t v) : Field(k, std::uint64_t{v}) {}
  Field(std::string_view k, std::uint8_t v) : Field(k, std::uint64_t{v}) {}
  Field(std::string_view k, std::int64_t v)
      : key(k), value{FieldValue::Type::i64, static_cast<std::uint64_t>(v), {}} {}
  Field(std::string_view k, int v) : Field(k, std::int64_t{v}) {}
  Field(std::string_view k, bool v) : key(k), value{FieldValue::Type::boolean, v ? 1u : 0u, {}} {}
  Field(std::string_view k, Hex v) : key(k), value{FieldValue::Type::hex, v.v, {}} {}
  Field(std::string_view k, std::string_view v) : key(k), value{FieldValue::Type::str, 0, v} {}
  Field(std::string_view k, const char* v) : Field(k, std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : Field(k, std::string_view(v)) {}
};

struct TraceEvent {
  Picos time;
  std::uint64_t seq;
  Severity severity;
  std::string_view component;
  std::string_view kind;
  std::span<const Field> fields;
};

/// "component kind k=v k=v" (no time), as the text log and error messages show it.
std::string format_event_body(const TraceEvent& e);
/// "[time] sev component kind k=v ..." in one line.
std::string format_event_line(const TraceEvent& e);

/// The canonical encoding of one event: the bytes the digest covers
/// (little-endian u64s, length-prefixed strings). Overwrites `out`.
void encode_canonical(const TraceEvent& e, std::string& out);
/// The size of `e`'s canonical encoding.
std::size_t canonical_size(const TraceEvent& e);
/// Writes the canonical_size(e) bytes of `e`'s encoding at `out`; returns
/// the end. What encode_canonical() does without a std::string in between.
char* encode_canonical(const TraceEvent& e, char* out);
/// format_event_line() of an event given by its canonical encoding; "" if
/// `canon` is not one.
std::string format_canonical_line(std::string_view canon);

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void write(const TraceEvent& e) = 0;
  virtual void flush() {}
};

/// 128-bit digest, printed as 32 lowercase hex digits (high half first).
struct Digest {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::string hex() const;
  bool operator==(const Digest&) const = default;
};

class Trace {
 public:
  using Clock = std::function<Picos()>;

  /// `clock` gives the time stamped on events; the default is SystemC's.
  explicit Trace(Clock clock = {});
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  void emit(Severity sev, std::string_view component, std::string_view kind,
            std::initializer_list<Field> fields = {});
  void emit(Severity sev, std::string_view component, std::string_view kind, std::span<const Field> fields);

  void debug(std::string_view c, std::string_view k, std::initializer_list<Field> f = {}) { emit(Severity::debug, c, k, f); }
  void info(std::string_view c, std::string_view k, std::initializer_list<Field> f = {}) { emit(Severity::info, c, k, f); }
  void warn(std::string_view c, std::string_view k, std::initializer_list<Field> f = {}) { emit(Severity::warn, c, k, f); }
  void error(std::string_view c, std::string_view k, std::initializer_list<Field> f = {}) { emit(Severity::error, c, k, f); }

  void add_sink(std::unique_ptr<TraceSink> sink);
  void flush();

  Digest digest() const;
  std::uint64_t event_count() const { return seq_; }
  std::uint64_t count(Severity s) const { return by_severity_[static_cast<int>(s)]; }

  /// Keeps the last `n` events (0 turns it off), for failure reports and the
  /// debugger. They are kept encoded and formatted only when asked for.
  void keep_tail(std::size_t n);
  /// The kept events as text lines, oldest first.
  std::vector<std::string> tail() const;

 private:
  Clock clock_;
  std::uint64_t seq_ = 0;
  std::array<std::uint64_t, 4> by_severity_{};
  std::vector<std::unique_ptr<TraceSink>> sinks_;
  // A canonical encoding in a buffer that only grows: events are encoded in
  // place, without the zero fill of std::string::resize or a second copy.
  struct Encoded {
    std::string buf;
    std::size_t len = 0;
    std::string_view view() const { return {buf.data(), len}; }
  };
  Encoded canon_;  // an event too large for the hash batch
  struct HashState;
  std::unique_ptr<HashState> hash_;
  std::vector<Encoded> tail_;  // a ring of canonical encodings
  std::size_t tail_next_ = 0;      // the slot the next event goes to
  std::size_t tail_count_ = 0;     // slots in use
};

/// Text sink: one line per event at or above `min`, through spdlog to stderr.
std::unique_ptr<TraceSink> make_text_sink(Severity min);
/// JSON Lines sink: one object per event, all severities. Throws
/// std::runtime_error if the file cannot be opened.
std::unique_ptr<TraceSink> make_json_sink(const std::string& path);

}  // namespace sim
