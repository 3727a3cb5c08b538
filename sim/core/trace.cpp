#include "sim/core/trace.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <cinttypes>
#include <cstdio>
#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sim {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::debug: return "debug";
    case Severity::info: return "info";
    case Severity::warn: return "warn";
    case Severity::error: return "error";
  }
  return "?";
}

std::string Digest::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, high, low);
  return buf;
}

namespace {

void append_value(std::string& out, const FieldValue& v) {
  char buf[32];
  switch (v.type) {
    case FieldValue::Type::u64: std::snprintf(buf, sizeof buf, "%" PRIu64, v.num); out += buf; break;
    case FieldValue::Type::i64:
      std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<std::int64_t>(v.num));
      out += buf;
      break;
    case FieldValue::Type::boolean: out += v.num ? "true" : "false"; break;
    case FieldValue::Type::hex: std::snprintf(buf, sizeof buf, "0x%" PRIx64, v.num); out += buf; break;
    case FieldValue::Type::str: {
      const bool quote = v.str.empty() || v.str.find_first_of(" \t\"=") != std::string_view::npos;
      if (quote) out += '"';
      out += v.str;
      if (quote) out += '"';
      break;
    }
  }
}

// Reads what encode_canonical wrote; false past the end.
struct CanonReader {
  std::string_view in;
  bool get_u64(std::uint64_t& v) {
    if (in.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[static_cast<std::size_t>(i)])} << (8 * i);
    in.remove_prefix(8);
    return true;
  }
  bool get_byte(std::uint8_t& b) {
    if (in.empty()) return false;
    b = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    return true;
  }
  bool get_str(std::string_view& s) {
    std::uint64_t n = 0;
    if (!get_u64(n) || n > in.size()) return false;
    s = in.substr(0, n);
    in.remove_prefix(n);
    return true;
  }
};

}  // namespace

std::size_t canonical_size(const TraceEvent& e) {
  std::size_t n = 8 + 8 + 1 + 8 + e.component.size() + 8 + e.kind.size() + 8;
  for (const Field& f : e.fields)
    n += 8 + f.key.size() + 1 + 8 + (f.value.type == FieldValue::Type::str ? f.value.str.size() : 0);
  return n;
}

namespace {

// The encoding's u64s are little-endian; on a little-endian host that is one
// 8-byte store. (Byte by byte through a char pointer, the compiler had to
// assume each store could alias the pointer itself: most of an event's cost.)
static_assert(std::endian::native == std::endian::little, "the canonical encoding stores host u64s as they are");

inline char* put_u64(char* w, std::uint64_t v) {
  std::memcpy(w, &v, 8);
  return w + 8;
}

// Keys, components and kinds are short: copied with two overlapping loads
// and stores instead of a memcpy call (never reading outside `v`).
inline char* put_str(char* w, std::string_view v) {
  w = put_u64(w, v.size());
  const std::size_t n = v.size();
  const char* s = v.data();
  if (n >= 8 && n <= 16) {
    std::uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(w, &a, 8);
    std::memcpy(w + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    std::uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(w, &a, 4);
    std::memcpy(w + n - 4, &b, 4);
  } else if (n > 0 && n < 4) {
    w[0] = s[0];
    w[n / 2] = s[n / 2];
    w[n - 1] = s[n - 1];
  } else if (n > 16) {
    std::memcpy(w, s, n);
  }
  return w + n;
}

}  // namespace

char* encode_canonical(const TraceEvent& e, char* w) {
  w = put_u64(w, e.time);
  w = put_u64(w, e.seq);
  *w++ = static_cast<char>(e.severity);
  w = put_str(w, e.component);
  w = put_str(w, e.kind);
  w = put_u64(w, e.fields.size());
  for (const Field& f : e.fields) {
    w = put_str(w, f.key);
    *w++ = static_cast<char>(f.value.type);
    if (f.value.type == FieldValue::Type::str)
      w = put_str(w, f.value.str);
    else
      w = put_u64(w, f.value.num);
  }
  return w;
}

void encode_canonical(const TraceEvent& e, std::string& out) {
  out.resize(canonical_size(e));
  encode_canonical(e, out.data());
}

std::string format_canonical_line(std::string_view canon) {
  CanonReader r{canon};
  std::uint64_t time = 0, seq = 0, count = 0;
  std::uint8_t sev = 0;
  std::string_view component, kind;
  if (!r.get_u64(time) || !r.get_u64(seq) || !r.get_byte(sev) || sev > 3 || !r.get_str(component) ||
      !r.get_str(kind) || !r.get_u64(count) || count > canon.size())
    return {};
  std::vector<Field> fields;
  fields.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string_view key;
    std::uint8_t type = 0;
    if (!r.get_str(key) || !r.get_byte(type)) return {};
    if (type == static_cast<std::uint8_t>(FieldValue::Type::str)) {
      std::string_view v;
      if (!r.get_str(v)) return {};
      fields.emplace_back(key, v);
    } else {
      std::uint64_t v = 0;
      if (!r.get_u64(v) || type > static_cast<std::uint8_t>(FieldValue::Type::hex)) return {};
      Field f(key, v);
      f.value.type = static_cast<FieldValue::Type>(type);
      fields.push_back(f);
    }
  }
  return format_event_line(TraceEvent{time, seq, static_cast<Severity>(sev), component, kind, fields});
}

std::string format_event_body(const TraceEvent& e) {
  std::string out;
  out.reserve(64);
  out += e.component;
  out += ' ';
  out += e.kind;
  for (const Field& f : e.fields) {
    out += ' ';
    out += f.key;
    out += '=';
    append_value(out, f.value);
  }
  return out;
}

std::string format_event_line(const TraceEvent& e) {
  char head[64];
  std::snprintf(head, sizeof head, "[%18s] %-5s ", format_time(e.time).c_str(),
                std::string(to_string(e.severity)).c_str());
  return head + format_event_body(e);
}

// The digest's input is the concatenation of the events' encodings, and
// XXH3 streaming gives the same hash however that input is split. Events are
// therefore encoded into a batch buffer and hashed a batch at a time: one
// update call per ~40 events instead of one per event (each call copies into
// XXH3's own buffer and has fixed overhead).
struct Trace::HashState {
  static constexpr std::size_t kBatch = 4096;
  XXH3_state_t* state = XXH3_createState();
  std::unique_ptr<char[]> batch{new char[kBatch]};
  std::size_t len = 0;  // bytes in `batch` not yet hashed
  HashState() { XXH3_128bits_reset(state); }
  ~HashState() { XXH3_freeState(state); }
  HashState(const HashState&) = delete;
  HashState& operator=(const HashState&) = delete;

  void drain() {
    if (len) XXH3_128bits_update(state, batch.get(), len);
    len = 0;
  }
  /// Room for `n` more bytes in the batch, or nullptr if `n` exceeds a batch.
  char* room(std::size_t n) {
    if (len + n > kBatch) drain();
    if (n > kBatch) return nullptr;
    char* w = batch.get() + len;
    len += n;
    return w;
  }
};

// Without a clock, events are stamped with sim::now() directly (no
// std::function call per event).
Trace::Trace(Clock clock) : clock_(std::move(clock)), hash_(std::make_unique<HashState>()) {}

Trace::~Trace() { flush(); }

void Trace::emit(Severity sev, std::string_view component, std::string_view kind,
                 std::initializer_list<Field> fields) {
  emit(sev, component, kind, std::span<const Field>(fields.begin(), fields.size()));
}

void Trace::emit(Severity sev, std::string_view component, std::string_view kind, std::span<const Field> fields) {
  const TraceEvent e{clock_ ? clock_() : sim::now(), seq_++, sev, component, kind, fields};
  ++by_severity_[static_cast<int>(sev)];

  // Encoded once, into the hash batch (an event larger than a batch, never
  // seen in practice, goes through canon_ and is hashed on its own).
  const std::size_t n = canonical_size(e);
  char* enc = hash_->room(n);
  if (enc) {
    encode_canonical(e, enc);
  } else {
    if (canon_.buf.size() < n) canon_.buf.resize(n);
    encode_canonical(e, canon_.buf.data());
    XXH3_128bits_update(hash_->state, canon_.buf.data(), n);
    enc = canon_.buf.data();
  }

  for (auto& s : sinks_) s->write(e);
  if (!tail_.empty()) {
    Encoded& slot = tail_[tail_next_];
    if (slot.buf.size() < n) slot.buf.resize(n);  // grows once per slot, then reused
    std::memcpy(slot.buf.data(), enc, n);
    slot.len = n;
    if (++tail_next_ == tail_.size()) tail_next_ = 0;
    if (tail_count_ < tail_.size()) ++tail_count_;
  }
}

void Trace::keep_tail(std::size_t n) {
  tail_.assign(n, Encoded{});
  tail_next_ = 0;
  tail_count_ = 0;
}

std::vector<std::string> Trace::tail() const {
  std::vector<std::string> lines;
  lines.reserve(tail_count_);
  const std::size_t first = (tail_next_ + tail_.size() - tail_count_) % std::max<std::size_t>(tail_.size(), 1);
  for (std::size_t i = 0; i < tail_count_; ++i) lines.push_back(format_canonical_line(tail_[(first + i) % tail_.size()].view()));
  return lines;
}

void Trace::add_sink(std::unique_ptr<TraceSink> sink) { sinks_.push_back(std::move(sink)); }

void Trace::flush() {
  for (auto& s : sinks_) s->flush();
}

Digest Trace::digest() const {
  hash_->drain();  // the hash state is not part of the trace's value: safe in a const call
  const XXH128_hash_t h = XXH3_128bits_digest(hash_->state);
  return Digest{h.high64, h.low64};
}

namespace {

class TextSink final : public TraceSink {
 public:
  explicit TextSink(Severity min) : min_(min) {
    logger_ = spdlog::get("drvsim.trace");
    if (!logger_) {
      logger_ = spdlog::stderr_color_st("drvsim.trace");
      logger_->set_pattern("%v");
      logger_->set_level(spdlog::level::trace);
    }
  }
  void write(const TraceEvent& e) override {
    if (e.severity < min_) return;
    logger_->log(level(e.severity), "{}", format_event_line(e));
  }
  void flush() override { logger_->flush(); }

 private:
  static spdlog::level::level_enum level(Severity s) {
    switch (s) {
      case Severity::debug: return spdlog::level::debug;
      case Severity::info: return spdlog::level::info;
      case Severity::warn: return spdlog::level::warn;
      case Severity::error: return spdlog::level::err;
    }
    return spdlog::level::info;
  }
  Severity min_;
  std::shared_ptr<spdlog::logger> logger_;
};

class JsonSink final : public TraceSink {
 public:
  explicit JsonSink(const std::string& path) : out_(path, std::ios::binary | std::ios::trunc) {
    if (!out_) throw std::runtime_error("cannot open trace file '" + path + "': " + std::strerror(errno));
  }
  void write(const TraceEvent& e) override {
    nlohmann::ordered_json j;
    j["t_ps"] = e.time;
    j["seq"] = e.seq;
    j["sev"] = to_string(e.severity);
    j["comp"] = e.component;
    j["kind"] = e.kind;
    nlohmann::ordered_json f = nlohmann::ordered_json::object();
    for (const Field& fl : e.fields) {
      const std::string key(fl.key);
      switch (fl.value.type) {
        case FieldValue::Type::u64: f[key] = fl.value.num; break;
        case FieldValue::Type::i64: f[key] = static_cast<std::int64_t>(fl.value.num); break;
        case FieldValue::Type::boolean: f[key] = fl.value.num != 0; break;
        case FieldValue::Type::str: f[key] = fl.value.str; break;
        case FieldValue::Type::hex: {
          char buf[24];
          std::snprintf(buf, sizeof buf, "0x%" PRIx64, fl.value.num);
          f[key] = buf;
          break;
        }
      }
    }
    j["f"] = std::move(f);
    out_ << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  }
  void flush() override { out_.flush(); }

 private:
  std::ofstream out_;
};

}  // namespace

std::unique_ptr<TraceSink> make_text_sink(Severity min) { return std::make_unique<TextSink>(min); }
std::unique_ptr<TraceSink> make_json_sink(const std::string& path) { return std::make_unique<JsonSink>(path); }

}  // namespace sim
