#include "sim/core/break_sink.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

extern "C" {

drvsim_break_info drvsim_last_break{};

// Never inlined, never dropped: gdb needs a real function to stop in. The
// local copy keeps the event in this frame even in an optimised build
// (`print event` after `finish`-free stepping, or `print *info` on entry).
__attribute__((noinline, used)) void drvsim_break(const drvsim_break_info* info) {
  volatile drvsim_break_info event = *info;
  asm volatile("" : : "r"(&event) : "memory");
}
}

namespace sim {

namespace {

std::string fields_text(const TraceEvent& e) {
  const std::string body = format_event_body(e);
  // format_event_body is "component kind fields...".
  const std::size_t skip = e.component.size() + 1 + e.kind.size();
  return body.size() > skip + 1 ? body.substr(skip + 1) : std::string();
}

std::optional<std::uint64_t> field_uint(const TraceEvent& e, std::string_view key) {
  for (const Field& f : e.fields)
    if (f.key == key && f.value.type != FieldValue::Type::str && f.value.type != FieldValue::Type::boolean)
      return f.value.num;
  return std::nullopt;
}

std::string_view field_str(const TraceEvent& e, std::string_view key) {
  for (const Field& f : e.fields)
    if (f.key == key && f.value.type == FieldValue::Type::str) return f.value.str;
  return {};
}

std::optional<unsigned> parse_vector(std::string_view s) {
  unsigned v = 0;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || v > 255) return std::nullopt;
  return v;
}

bool is_irq(const TraceEvent& e) { return e.component == "irqc" && e.kind == "irq"; }

}  // namespace

bool BreakSpec::matches(const TraceEvent& e) const {
  switch (type) {
    case Type::irq: {
      if (!is_irq(e)) return false;
      if (!device.empty() && device != "*" && field_str(e, "source") != device) return false;
      if (vector && field_uint(e, "vector") != std::optional<std::uint64_t>(*vector)) return false;
      return true;
    }
    case Type::event:
      return e.kind == kind && (component.empty() || component == "*" || e.component == component);
    case Type::time:
      return false;
  }
  return false;
}

std::optional<BreakSpec> parse_break_spec(std::string_view text, std::string* why,
                                          std::optional<Picos> (*parse_duration)(std::string_view)) {
  auto fail = [&](std::string m) -> std::optional<BreakSpec> {
    if (why) *why = std::move(m);
    return std::nullopt;
  };
  BreakSpec s;
  s.text = std::string(text);
  if (text == "irq" || text.starts_with("irq:")) {
    s.type = BreakSpec::Type::irq;
    if (text.size() > 4) {
      std::string_view rest = text.substr(4);
      const auto colon = rest.find(':');
      s.device = std::string(rest.substr(0, colon));
      if (s.device.empty()) return fail("irq: the device is empty (write irq:DEVICE or irq:*:VECTOR)");
      if (colon != std::string_view::npos) {
        s.vector = parse_vector(rest.substr(colon + 1));
        if (!s.vector) return fail("irq: '" + std::string(rest.substr(colon + 1)) + "' is not a vector (0 to 255)");
      }
    }
    return s;
  }
  if (text.starts_with("event:")) {
    s.type = BreakSpec::Type::event;
    const std::string_view rest = text.substr(6);
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos) {
      s.component = std::string(rest.substr(0, slash));
      s.kind = std::string(rest.substr(slash + 1));
    } else {
      s.kind = std::string(rest);
    }
    if (s.kind.empty()) return fail("event: the kind is empty (write event:KIND or event:COMPONENT/KIND)");
    return s;
  }
  if (text.starts_with("time:")) {
    s.type = BreakSpec::Type::time;
    const auto t = parse_duration ? parse_duration(text.substr(5)) : std::nullopt;
    if (!t) return fail("time: '" + std::string(text.substr(5)) + "' is not a duration such as 15us");
    s.time = *t;
    return s;
  }
  return fail("'" + std::string(text) + "' is not a break condition: write irq[:DEVICE[:VECTOR]], event:KIND or time:T");
}

Breaker::Breaker(std::vector<BreakSpec> specs, std::uint64_t skip) : specs_(std::move(specs)), skip_(skip) {
  for (const BreakSpec& s : specs_) any_event_specs_ = any_event_specs_ || s.type != BreakSpec::Type::time;
}

void Breaker::on_event(const TraceEvent& e) {
  if (!any_event_specs_) return;
  for (const BreakSpec& s : specs_) {
    if (!s.matches(e)) continue;
    if (++matches_ <= skip_) return;
    const std::string fields = fields_text(e), line = format_event_line(e);
    const std::string component(e.component), kind(e.kind), source(field_str(e, "source"));
    drvsim_break_info info{};
    info.reason = s.type == BreakSpec::Type::irq ? "irq" : "event";
    info.spec = s.text.c_str();
    info.time_ps = e.time;
    info.seq = e.seq;
    info.component = component.c_str();
    info.kind = kind.c_str();
    info.fields = fields.c_str();
    info.line = line.c_str();
    info.cpu = -1;
    info.vector = -1;
    info.source = source.c_str();
    if (is_irq(e)) {
      info.cpu = static_cast<int>(field_uint(e, "cpu").value_or(0));
      info.vector = static_cast<int>(field_uint(e, "vector").value_or(0));
    }
    fire(info);
    return;  // one stop per event, whichever conditions match
  }
}

void Breaker::on_time(const BreakSpec& spec, Picos now) {
  if (++matches_ <= skip_) return;
  const std::string line = "[" + format_time(now) + "] simulated time reached (" + spec.text + ")";
  drvsim_break_info info{};
  info.reason = "time";
  info.spec = spec.text.c_str();
  info.time_ps = now;
  info.seq = std::numeric_limits<std::uint64_t>::max();
  info.component = "";
  info.kind = "";
  info.fields = "";
  info.line = line.c_str();
  info.cpu = -1;
  info.vector = -1;
  info.source = "";
  fire(info);
}

void Breaker::fire(drvsim_break_info& info) {
  ++hits_;
  info.hit = matches_;
  const bool traced = debugger_attached();
  std::fprintf(stderr, "drvsim: break on match %llu of %s at %s: %s%s\n", static_cast<unsigned long long>(info.hit), info.spec,
               format_time(info.time_ps).c_str(), info.line,
               traced ? "" : "  [no debugger attached: going on; see docs/debugging.md]");
  std::fflush(stderr);
  // drvsim_last_break outlives this stop: its strings are copies it owns
  // (`info`'s point into the caller's frame).
  static std::string owned[7];
  const char* const* from[7] = {&info.reason, &info.spec, &info.component, &info.kind, &info.fields, &info.line, &info.source};
  drvsim_last_break = info;
  const char** to[7] = {&drvsim_last_break.reason, &drvsim_last_break.spec, &drvsim_last_break.component,
                        &drvsim_last_break.kind, &drvsim_last_break.fields, &drvsim_last_break.line,
                        &drvsim_last_break.source};
  for (int i = 0; i < 7; ++i) {
    owned[i] = *from[i] ? *from[i] : "";
    *to[i] = owned[i].c_str();
  }
  drvsim_break(&info);
}

bool debugger_attached() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("TracerPid:", 0) == 0) {
      const auto pos = line.find_first_not_of(" \t", 10);
      return pos != std::string::npos && line.compare(pos, std::string::npos, "0") != 0;
    }
  }
  return false;
}

namespace {

class BreakSink final : public TraceSink {
 public:
  explicit BreakSink(Breaker& b) : b_(b) {}
  void write(const TraceEvent& e) override { b_.on_event(e); }

 private:
  Breaker& b_;
};

}  // namespace

std::unique_ptr<TraceSink> make_break_sink(Breaker& breaker) { return std::make_unique<BreakSink>(breaker); }

}  // namespace sim
