// `expect`: comparing a finished run with the scenario (see expect.hpp).
#include <algorithm>
#include <string>
#include <utility>

#include "sim/scenario/expect.hpp"

namespace sim::scenario {
namespace {

std::string quoted_key(const std::string& parent, const std::string& key) {
  return parent + "[\"" + key + "\"]";
}

// Where a default expectation "is written": the expect map, or the file.
Mark default_mark(const Scenario& sc) {
  if (sc.expect.present) return sc.expect.key_mark;
  return Mark{sc.file, 0, 0};
}

class Checker {
 public:
  Checker(const Scenario& sc, const Observed& run) : sc_(sc), run_(run) {}

  Evaluation operator()() {
    const ExpectSpec& e = sc_.expect;
    flag("exit_ok", e.exit_ok, run_.exit_ok, run_.failures);
    flag("finished", e.finished, run_.finished,
         run_.not_finished.empty() ? std::vector<std::string>{} : std::vector<std::string>{run_.not_finished});
    if (e.warnings) count("expect.warnings", *e.warnings, run_.warnings, false, run_.first_warnings);
    if (e.errors) {
      count("expect.errors", *e.errors, run_.errors, false, run_.first_errors);
    } else {
      CountCondition zero;
      zero.text = "0";
      zero.mark = default_mark(sc_);
      count("expect.errors", zero, run_.errors, false, run_.first_errors, " (the default)");
    }
    if (e.end_time) count("expect.end_time", *e.end_time, run_.end_time, true, {});
    for (const auto& [key, cond] : e.events) {
      const auto it = run_.events.find(key.key);
      count(quoted_key("expect.events", key.key), cond, it == run_.events.end() ? 0 : it->second, false, {});
    }
    for (const auto& [key, cond] : e.values) value(key, cond);
    if (e.digest) digest(*e.digest);
    // In the order they are written (defaults, which have no line, first).
    std::stable_sort(out_.failures.begin(), out_.failures.end(), [](const ExpectFailure& a, const ExpectFailure& b) {
      return std::pair(a.mark.line, a.mark.column) < std::pair(b.mark.line, b.mark.column);
    });
    return std::move(out_);
  }

 private:
  void flag(const char* name, const std::optional<ExpectSpec::Flag>& f, bool actual,
            const std::vector<std::string>& why) {
    ++out_.checked;
    const bool want = f ? f->value : true;
    if (actual == want) return;
    ExpectFailure x;
    x.mark = f ? f->mark : default_mark(sc_);
    x.what = std::string("expect.") + name;
    x.expected = want ? "true" : "false";
    if (!f) x.expected += " (the default)";
    x.actual = actual ? "true" : "false";
    x.detail = why;
    out_.failures.push_back(std::move(x));
  }

  void count(const std::string& what, const CountCondition& c, std::uint64_t actual, bool durations,
             const std::vector<std::string>& detail, const char* note = "") {
    ++out_.checked;
    if (holds(c, actual)) return;
    ExpectFailure x;
    x.mark = c.mark;
    x.what = what;
    x.expected = describe(c, durations) + note;
    x.actual = durations ? format_time(actual) : std::to_string(actual);
    x.detail = detail;
    out_.failures.push_back(std::move(x));
  }

  void value(const ExpectSpec::Named& key, const ValueCondition& c) {
    ++out_.checked;
    ExpectFailure x;
    x.mark = c.mark;
    x.what = quoted_key("expect.values", key.key);
    x.expected = describe(c);
    const auto it = run_.values.find(key.key);
    if (it == run_.values.end()) {
      x.actual = "nothing: no `result` event reported '" + key.key + "'";
    } else if (it->second.ambiguous) {
      x.actual = "an ambiguous name: several components reported '" + key.key + "'; write component/" + key.key;
    } else if (holds(c, it->second.value)) {
      return;
    } else {
      x.actual = format_value(it->second.value);
      if (it->second.text != x.actual) x.actual += " ('" + it->second.text + "')";
      x.actual += " from " + it->second.component;
    }
    out_.failures.push_back(std::move(x));
  }

  void digest(const ExpectSpec::Digest& d) {
    if (run_.digest_skipped) return;
    ++out_.checked;
    if (run_.digest == d.hex) return;
    ExpectFailure x;
    x.mark = d.mark;
    x.what = "expect.digest";
    x.expected = d.hex;
    x.actual = run_.digest;
    x.detail = run_.digest_detail;
    out_.failures.push_back(std::move(x));
  }

  const Scenario& sc_;
  const Observed& run_;
  Evaluation out_;
};

}  // namespace

std::string ExpectFailure::str() const {
  std::string s = mark.line > 0 ? mark.str() : mark.file;
  s += ": " + what + ": expected " + expected + ", got " + actual;
  for (const std::string& d : detail) s += "\n    " + d;
  return s;
}

Evaluation evaluate(const Scenario& sc, const Observed& run) { return Checker(sc, run)(); }

}  // namespace sim::scenario
