#include "sim/core/vcd_sink.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <vector>

#include "sim/core/perfetto_sink.hpp"

namespace sim {

bool parse_vcd_signals(std::string_view list, VcdSignals& out, std::string* why) {
  out = {};
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (name == "irq") out.irq = true;
    else if (name == "doorbell") out.doorbell = true;
    else if (name == "queue") out.queue = true;
    else if (name == "all") out = VcdSignals{true, true, true};
    else {
      if (why) *why = "unknown signal class '" + std::string(name) + "' (known: irq, doorbell, queue, all)";
      return false;
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (!out.any()) {
    if (why) *why = "no signal class given (known: irq, doorbell, queue, all)";
    return false;
  }
  return true;
}

namespace {

std::string sanitize(std::string_view s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out.empty() ? "_" : out;
}

// Short printable identifiers: "!", "\"", ..., "~", "!!", ...
std::string vcd_id(std::size_t n) {
  std::string id;
  do {
    id += static_cast<char>('!' + n % 94);
    n /= 94;
  } while (n > 0);
  return id;
}

const FieldValue* find_field(const TraceEvent& e, std::string_view key) {
  for (const Field& f : e.fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

std::string text_of(const FieldValue& v) {
  if (v.type == FieldValue::Type::str) return std::string(v.str);
  return std::to_string(v.num);
}

class VcdSink final : public TraceSink {
 public:
  VcdSink(const std::string& path, VcdSignals s, std::string title)
      : out_(path, std::ios::binary | std::ios::trunc), signals_(s), title_(std::move(title)) {
    if (!out_) throw std::runtime_error("cannot open VCD file '" + path + "': " + std::strerror(errno));
  }
  ~VcdSink() override { finish(); }

  void write(const TraceEvent& e) override {
    end_ = e.time;
    if (signals_.irq && e.component == "irqc" && e.kind == "irq") {
      const FieldValue* src = find_field(e, "source");
      const FieldValue* cpu = find_field(e, "cpu");
      const FieldValue* vector = find_field(e, "vector");
      if (src) change(var("irq", std::string(src->str), "wire", 1, true), e.time, 1);
      if (cpu && vector) change(var("irq", "cpu" + text_of(*cpu) + "_vector", "reg", 8, false), e.time, vector->num & 0xFF);
      return;
    }
    if (signals_.doorbell && (e.kind == "doorbell" || e.kind.ends_with(".doorbell"))) {
      if (const FieldValue* v = find_field(e, "value")) {
        const FieldValue* q = find_field(e, "queue");
        if (!q) q = find_field(e, "target");
        change(var("doorbell", std::string(e.component) + (q ? "_" + text_of(*q) : ""), "reg", 64, false), e.time, v->num);
      }
    }
    if (signals_.queue) {
      if (const FieldValue* d = find_field(e, "depth")) {
        const FieldValue* q = find_field(e, "queue");
        change(var("queue", std::string(e.component) + (q ? "_" + text_of(*q) : ""), "integer", 32, false), e.time, d->num);
      }
      if (const auto sk = span_kind(e.kind)) {
        const std::size_t v = var("queue", std::string(e.component) + "_" + std::string(sk->name) + "_inflight", "integer", 32, false);
        std::uint64_t& n = inflight_[v];
        if (sk->begin) ++n;
        else if (n > 0) --n;
        change(v, e.time, n);
      }
    }
  }
  void flush() override { out_.flush(); }

 private:
  struct Var {
    std::string scope, name, type;
    unsigned width;
    bool pulse;
  };
  struct Change {
    Picos time;
    std::size_t var;
    std::uint64_t value;
  };

  std::size_t var(const std::string& scope, const std::string& name, const char* type, unsigned width, bool pulse) {
    const std::string key = scope + "." + name;
    if (const auto it = index_.find(key); it != index_.end()) return it->second;
    vars_.push_back(Var{scope, sanitize(name), type, width, pulse});
    index_.emplace(key, vars_.size() - 1);
    return vars_.size() - 1;
  }

  void change(std::size_t v, Picos t, std::uint64_t value) { changes_.push_back(Change{t, v, value}); }

  std::string value_text(const Var& v, std::uint64_t value) const {
    if (v.width == 1) return std::string(value ? "1" : "0");
    std::string bits;
    for (int i = 63; i >= 0; --i)
      if (!bits.empty() || ((value >> i) & 1) != 0) bits += ((value >> i) & 1) ? '1' : '0';
    return "b" + (bits.empty() ? std::string("0") : bits) + " ";
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    // Pulses: each rise falls kIrqPulse later, or just before the next rise.
    std::vector<Change> all;
    std::map<std::size_t, std::vector<Picos>> rises;
    for (const Change& c : changes_) {
      if (vars_[c.var].pulse) rises[c.var].push_back(c.time);
      else all.push_back(c);
    }
    for (auto& [v, times] : rises) {
      times.erase(std::unique(times.begin(), times.end()), times.end());
      for (std::size_t i = 0; i < times.size(); ++i) {
        Picos fall = times[i] + kIrqPulse;
        if (i + 1 < times.size() && fall >= times[i + 1]) {
          if (times[i + 1] - times[i] < 2) continue;  // merged with the next pulse
          fall = times[i + 1] - 1;
        }
        all.push_back(Change{times[i], v, 1});
        all.push_back(Change{fall, v, 0});
        end_ = std::max(end_, fall);
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const Change& a, const Change& b) { return a.time < b.time; });

    out_ << "$comment\n  drvsim" << (title_.empty() ? "" : ": " + title_) << "\n$end\n";
    out_ << "$version drvsim $end\n$timescale 1ps $end\n";
    out_ << "$scope module drvsim $end\n";
    for (const char* scope : {"irq", "doorbell", "queue"}) {
      bool opened = false;
      for (std::size_t i = 0; i < vars_.size(); ++i) {
        if (vars_[i].scope != scope) continue;
        if (!opened) out_ << "$scope module " << scope << " $end\n";
        opened = true;
        out_ << "$var " << vars_[i].type << " " << vars_[i].width << " " << vcd_id(i) << " " << vars_[i].name << " $end\n";
      }
      if (opened) out_ << "$upscope $end\n";
    }
    out_ << "$upscope $end\n$enddefinitions $end\n";
    out_ << "#0\n$dumpvars\n";
    for (std::size_t i = 0; i < vars_.size(); ++i) out_ << value_text(vars_[i], 0) << vcd_id(i) << "\n";
    out_ << "$end\n";
    Picos current = 0;
    for (const Change& c : all) {
      if (c.time != current) {
        out_ << "#" << c.time << "\n";
        current = c.time;
      }
      out_ << value_text(vars_[c.var], c.value) << vcd_id(c.var) << "\n";
    }
    if (end_ > current) out_ << "#" << end_ << "\n";
    out_.flush();
  }

  std::ofstream out_;
  VcdSignals signals_;
  std::string title_;
  std::vector<Var> vars_;
  std::map<std::string, std::size_t> index_;
  std::vector<Change> changes_;
  std::map<std::size_t, std::uint64_t> inflight_;
  Picos end_ = 0;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<TraceSink> make_vcd_sink(const std::string& path, VcdSignals signals, std::string title) {
  return std::make_unique<VcdSink>(path, signals, std::move(title));
}

}  // namespace sim
