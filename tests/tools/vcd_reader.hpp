// A small VCD reader for the tests: the header (timescale, scopes, variables)
// and the value changes, checked as it reads (IEEE 1364-2005 §18.2), so that
// the VCD check does not depend on GTKWave alone.
#pragma once

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vcdtest {

struct Var {
  std::string type, id, name, scope;
  unsigned width = 0;
};

struct Change {
  std::uint64_t time;
  std::string id;
  std::uint64_t value;
};

struct Vcd {
  std::string timescale;
  std::vector<Var> vars;
  std::vector<Change> changes;  // after the initial values
  std::vector<Change> initial;  // $dumpvars
  std::uint64_t end_time = 0;
  std::string error;  // empty when the file is well formed

  const Var* find(const std::string& scope, const std::string& name) const {
    for (const Var& v : vars)
      if (v.scope == scope && v.name == name) return &v;
    return nullptr;
  }
  std::vector<Change> of(const Var& v) const {
    std::vector<Change> out;
    for (const Change& c : changes)
      if (c.id == v.id) out.push_back(c);
    return out;
  }
};

inline Vcd parse(const std::string& text) {
  Vcd vcd;
  std::istringstream in(text);
  std::vector<std::string> scopes;
  std::map<std::string, unsigned> widths;
  std::string tok;
  auto fail = [&](const std::string& m) {
    if (vcd.error.empty()) vcd.error = m;
  };
  auto skip_to_end = [&](std::string* body) {
    std::string t;
    while (in >> t && t != "$end") {
      if (body) *body += (body->empty() ? "" : " ") + t;
    }
  };
  bool defs_done = false;
  while (!defs_done && in >> tok) {
    if (tok == "$timescale") {
      skip_to_end(&vcd.timescale);
    } else if (tok == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
      skip_to_end(nullptr);
    } else if (tok == "$upscope") {
      if (scopes.empty()) fail("$upscope without $scope");
      else scopes.pop_back();
      skip_to_end(nullptr);
    } else if (tok == "$var") {
      Var v;
      in >> v.type >> v.width >> v.id >> v.name;
      v.scope = scopes.empty() ? "" : scopes.back();
      if (v.type != "wire" && v.type != "reg" && v.type != "integer" && v.type != "event") fail("bad var type " + v.type);
      if (v.width == 0 || v.width > 64) fail("bad width for " + v.name);
      if (widths.count(v.id)) fail("duplicate id " + v.id);
      widths[v.id] = v.width;
      vcd.vars.push_back(v);
      skip_to_end(nullptr);
    } else if (tok == "$enddefinitions") {
      skip_to_end(nullptr);
      defs_done = true;
    } else if (tok == "$comment" || tok == "$version" || tok == "$date") {
      skip_to_end(nullptr);
    } else {
      fail("unexpected '" + tok + "' in the header");
      skip_to_end(nullptr);
    }
  }
  if (!defs_done) fail("no $enddefinitions");
  if (!scopes.empty()) fail("unbalanced $scope");
  std::uint64_t now = 0;
  bool seen_time = false, in_dumpvars = false;
  while (in >> tok) {
    if (tok == "$dumpvars") {
      in_dumpvars = true;
      continue;
    }
    if (tok == "$end") {
      in_dumpvars = false;
      continue;
    }
    if (tok[0] == '#') {
      const std::uint64_t t = std::stoull(tok.substr(1));
      if (seen_time && t <= now) fail("time " + tok + " does not increase");
      now = t;
      seen_time = true;
      vcd.end_time = t;
      continue;
    }
    Change c{now, {}, 0};
    if (tok[0] == 'b') {
      std::string bits = tok.substr(1);
      in >> c.id;
      for (char b : bits) {
        if (b != '0' && b != '1') fail("bad bit in " + tok);
        c.value = c.value * 2 + static_cast<std::uint64_t>(b == '1');
      }
      if (widths.count(c.id) && bits.size() > widths[c.id]) fail("value wider than " + c.id);
    } else if (tok[0] == '0' || tok[0] == '1') {
      c.value = static_cast<std::uint64_t>(tok[0] == '1');
      c.id = tok.substr(1);
      if (widths.count(c.id) && widths[c.id] != 1) fail("scalar change for vector " + c.id);
    } else {
      fail("bad value change '" + tok + "'");
      continue;
    }
    if (!widths.count(c.id)) fail("change for undeclared id " + c.id);
    if (!seen_time) fail("value change before the first time");
    if (in_dumpvars) vcd.initial.push_back(c);
    else vcd.changes.push_back(c);
  }
  return vcd;
}

}  // namespace vcdtest
