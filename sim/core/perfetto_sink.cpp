#include "sim/core/perfetto_sink.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace sim {

std::optional<SpanKind> span_kind(std::string_view kind) {
  static constexpr std::pair<std::string_view, bool> kSuffixes[] = {
      {".begin", true}, {".start", true}, {".end", false}, {".done", false}};
  for (const auto& [suffix, begin] : kSuffixes)
    if (kind.size() > suffix.size() && kind.ends_with(suffix))
      return SpanKind{kind.substr(0, kind.size() - suffix.size()), begin};
  return std::nullopt;
}

namespace {

using json = nlohmann::ordered_json;

// Groups in the order the timeline shows them.
constexpr std::string_view kGroups[] = {"platform", "interrupts", "kernel", "programs", "devices"};

json field_json(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::u64: return v.num;
    case FieldValue::Type::i64: return static_cast<std::int64_t>(v.num);
    case FieldValue::Type::boolean: return v.num != 0;
    case FieldValue::Type::str: return std::string(v.str);
    case FieldValue::Type::hex: {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%" PRIx64, v.num);
      return buf;
    }
  }
  return nullptr;
}

std::string field_text(const FieldValue& v) {
  if (v.type == FieldValue::Type::str) return std::string(v.str);
  const json j = field_json(v);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

json args_of(const TraceEvent& e) {
  json a = json::object();
  for (const Field& f : e.fields) a[std::string(f.key)] = field_json(f.value);
  if (e.severity >= Severity::warn) a["severity"] = std::string(to_string(e.severity));
  a["seq"] = e.seq;
  return a;
}

const FieldValue* find_field(const TraceEvent& e, std::string_view key) {
  for (const Field& f : e.fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

// Picoseconds as microseconds: exact to the picosecond (the division of two
// exactly representable numbers is correctly rounded, and the shortest
// round-trip form of the result is the six-decimal value).
double micros(Picos t) { return static_cast<double>(t) / 1e6; }

class PerfettoSink final : public TraceSink {
 public:
  PerfettoSink(const std::string& path, PerfettoOptions o) : out_(path, std::ios::binary | std::ios::trunc), opts_(std::move(o)) {
    if (!out_) throw std::runtime_error("cannot open timeline file '" + path + "': " + std::strerror(errno));
    out_ << "{\"displayTimeUnit\":\"ns\",";
    if (!opts_.title.empty()) out_ << "\"otherData\":" << json{{"title", opts_.title}}.dump() << ",";
    out_ << "\"traceEvents\":[\n";
  }
  ~PerfettoSink() override { finish(); }

  void write(const TraceEvent& e) override {
    last_time_ = e.time;
    if (e.component == "irqc" && e.kind == "irq") return irq(e);
    if (const auto sk = span_kind(e.kind)) return span(e, *sk);
    if (const FieldValue* depth = find_field(e, "depth")) counter(e, *depth);
    if (e.severity >= Severity::info) instant(e, track(e.component), std::string(e.kind), args_of(e));
  }
  void flush() override { out_.flush(); }

 private:
  struct Track {
    int pid, tid;
  };
  struct Open {
    Picos start;
    json args;
  };

  void emit(const json& j) {
    out_ << (first_ ? "" : ",\n") << j.dump(-1, ' ', false, json::error_handler_t::replace);
    first_ = false;
  }

  int group(std::string_view name) {
    for (const auto& [n, pid] : groups_)
      if (n == name) return pid;
    int order = 0;
    for (std::string_view g : kGroups) {
      if (g == name) break;
      ++order;
    }
    const int pid = static_cast<int>(groups_.size()) + 1;
    groups_.emplace_back(std::string(name), pid);
    emit({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", std::string(name)}}}});
    emit({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid}, {"args", {{"sort_index", order}}}});
    return pid;
  }

  Track track_in(std::string_view group_name, const std::string& thread) {
    const std::string key = std::string(group_name) + "\x1f" + thread;
    if (const auto it = tracks_.find(key); it != tracks_.end()) return it->second;
    const int pid = group(group_name);
    const Track t{pid, static_cast<int>(tracks_.size()) + 1};
    tracks_.emplace(key, t);
    emit({{"name", "thread_name"}, {"ph", "M"}, {"pid", t.pid}, {"tid", t.tid}, {"args", {{"name", thread}}}});
    return t;
  }

  Track track(std::string_view component) {
    std::string_view g = component == "kernel" ? "kernel" : "platform";
    if (const auto it = opts_.group_of.find(component); it != opts_.group_of.end()) g = it->second;
    return track_in(g, std::string(component));
  }

  void instant(const TraceEvent& e, Track t, std::string name, json args) {
    emit({{"name", std::move(name)}, {"cat", std::string(e.component)}, {"ph", "i"}, {"s", "t"},
          {"ts", micros(e.time)}, {"pid", t.pid}, {"tid", t.tid}, {"args", std::move(args)}});
  }

  void irq(const TraceEvent& e) {
    const FieldValue* cpu = find_field(e, "cpu");
    const FieldValue* vector = find_field(e, "vector");
    const FieldValue* source = find_field(e, "source");
    const std::string cpu_text = cpu ? field_text(*cpu) : "?";
    char name[96];
    std::snprintf(name, sizeof name, "irq 0x%" PRIx64 " from %s", vector ? vector->num : 0,
                  source ? std::string(source->str).c_str() : "?");
    instant(e, track_in("interrupts", "cpu " + cpu_text), name, args_of(e));
  }

  void span(const TraceEvent& e, SpanKind sk) {
    const Track t = track(e.component);
    const std::string name(sk.name);
    if (const FieldValue* id = find_field(e, "span")) {
      // Asynchronous: may overlap; matched by (component, name, span).
      emit({{"name", name}, {"cat", std::string(e.component)}, {"ph", sk.begin ? "b" : "e"},
            {"id", std::string(e.component) + ":" + field_text(*id)}, {"ts", micros(e.time)}, {"pid", t.pid},
            {"tid", t.tid}, {"args", args_of(e)}});
      return;
    }
    auto& stack = open_[std::string(e.component) + "\x1f" + name];
    if (sk.begin) {
      stack.push_back(Open{e.time, args_of(e)});
      return;
    }
    if (stack.empty()) return instant(e, t, std::string(e.kind), args_of(e));  // an end without a begin
    Open o = std::move(stack.back());
    stack.pop_back();
    json args = std::move(o.args);
    args["end"] = args_of(e);
    complete(t, std::string(e.component), name, o.start, e.time, std::move(args));
  }

  void complete(Track t, const std::string& cat, const std::string& name, Picos start, Picos end, json args) {
    emit({{"name", name}, {"cat", cat}, {"ph", "X"}, {"ts", micros(start)}, {"dur", micros(end - start)},
          {"pid", t.pid}, {"tid", t.tid}, {"args", std::move(args)}});
  }

  void counter(const TraceEvent& e, const FieldValue& depth) {
    const Track t = track(e.component);
    std::string name = std::string(e.component) + " depth";
    if (const FieldValue* q = find_field(e, "queue")) name = std::string(e.component) + " " + field_text(*q) + " depth";
    emit({{"name", name}, {"ph", "C"}, {"ts", micros(e.time)}, {"pid", t.pid}, {"args", {{"depth", field_json(depth)}}}});
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    // Slices still open at the end of the run end there, marked unfinished.
    for (auto& [key, stack] : open_) {
      const auto sep = key.find('\x1f');
      const std::string component = key.substr(0, sep), name = key.substr(sep + 1);
      for (Open& o : stack) {
        o.args["unfinished"] = true;
        complete(track(component), component, name, o.start, last_time_, std::move(o.args));
      }
    }
    out_ << "\n]}\n";
    out_.flush();
  }

  std::ofstream out_;
  PerfettoOptions opts_;
  bool first_ = true;
  bool finished_ = false;
  Picos last_time_ = 0;
  std::vector<std::pair<std::string, int>> groups_;
  std::map<std::string, Track> tracks_;
  std::map<std::string, std::vector<Open>> open_;
};

}  // namespace

std::unique_ptr<TraceSink> make_perfetto_sink(const std::string& path, PerfettoOptions options) {
  return std::make_unique<PerfettoSink>(path, std::move(options));
}

}  // namespace sim
