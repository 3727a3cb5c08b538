// Differential comparison of two runs of one scenario, one on drvsim's own
// models and one on QEMU's: what the drivers printed, with the fields that
// are the models' own (IDs, model strings, firmware, BAR layout, timing)
// taken out and listed, the rest compared line by line.
#pragma once

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace qemutest {

/// A field that may differ between the models, and why.
struct OwnField {
  std::string name;   // "nvme identify model"
  std::string value;  // as printed
};

/// One printed line with the models' own fields replaced by <name>.
struct Normalised {
  std::string line;
  std::vector<OwnField> own;
};

struct Rule {
  std::regex pattern;
  std::vector<std::string> groups;  // for each capture group: the field's name, or "" to keep it
};

inline const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = {
      // pcid: IDs and revision are the model's; the class code is not.
      {std::regex(R"(^(pcid: \S+ )([0-9a-f]{4}:[0-9a-f]{4})( class \S+ rev )(\S+)$)"), {"", "pci vendor:device", "", "pci revision"}},
      // BAR layout and the interrupt capabilities (sizes, vector counts, payload) are the model's.
      {std::regex(R"(^(pcid: \S+ BAR\d )(.*)$)"), {"", "pci BAR"}},
      {std::regex(R"(^(pcid: \S+ )(.*MSI.*)$)"), {"", "pci MSI/MSI-X/PCIe capabilities"}},
      // nvmed's Identify Controller line: MN, FR and NN are the model's; SN, version and MDTS are compared.
      {std::regex(R"(^(nvmed \S+: )("[^"]*")( serial \S+ firmware )(\S+)(, NVMe \S+, MDTS [^,]+, )(\d+ namespaces?)$)"),
       {"", "nvme Identify MN", "", "nvme Identify FR", "", "nvme Identify NN"}},
      // xhcid: the device's idVendor:idProduct is the model's.
      // xhcid: the device's bcdUSB (drvsim's says 2.1 and has a BOS descriptor, QEMU's 2.0 has none: both
      // valid for a high-speed device) and idVendor:idProduct are the model's; port, slot, speed,
      // configuration and interfaces are not.
      {std::regex(R"(^(xhcid: port <usb port>: )(USB \S+)( port <usb port> slot \d+ \S+ speed )([0-9a-f]{4}:[0-9a-f]{4})( .*)$)"),
       {"", "usb bcdUSB", "", "usb idVendor:idProduct", ""}},
      // usbscsid: INQUIRY vendor, product and revision are the model's; the capacity is not.
      {std::regex(R"(^(usbscsid: port <usb port> LUN \d+: )([^,]*)(, \d+ blocks of .*)$)"), {"", "scsi INQUIRY vendor product revision", ""}},
      // What the drivers traced (kind, then message; differential_test.cpp collects them).
      // nvmed: IDs, CAP.MQES and CAP.TO, MN/FR/NN and the queues Set Features granted are the model's.
      {std::regex(R"(^(nvmed\.config bdf=\S+ )(vendor=\d+ device=\d+)( class=.*)$)"), {"", "nvme PCI IDs", ""}},
      {std::regex(R"(^(nvmed\.cap bdf=\S+ )(mqes=\d+ to_ms=\d+)( dstrd=.*)$)"), {"", "nvme CAP.MQES CAP.TO", ""}},
      {std::regex(R"(^(nvmed\.identify bdf=\S+ )(model="[^"]*")( serial=\S+ )(firmware=\S+)( mdts=\d+ )(nn=\d+)( acl=.*)$)"),
       {"", "nvme Identify MN", "", "nvme Identify FR", "", "nvme Identify NN", ""}},
      {std::regex(R"(^(nvmed\.queues bdf=\S+ wanted=\d+ )(nsqa=\d+ ncqa=\d+)( creating=.*)$)"),
       {"", "nvme Number of Queues granted", ""}},
      // xhcid: HCIVERSION (1.20 on ours, 1.00 on QEMU) and MaxSlots are the model's.
      {std::regex(R"(^(xhcid\.controller \S+ )(xHCI \S+, \d+ slots)(, .*)$)"), {"", "xhci HCIVERSION MaxSlots", ""}},
      // QEMU's qemu-xhci with p3=0 still lists a USB 3 Supported Protocol capability, with no ports.
      {std::regex(R"(^()(xhcid\.protocol USB 3\.\d ports 1\.\.0 .*)$)"), {"", "xhci empty USB 3 protocol capability"}},
      // Which ports speak which protocol, and the USB 3 minor revision (drvsim 3.2, QEMU 3.0), are the layout's.
      {std::regex(R"(^(xhcid\.protocol USB \d)(\.\d ports \d+\.\.\d+)( slot type \d+)$)"), {"", "xhci protocol revision and ports", ""}},
      {std::regex(R"(^(xhcid\.configured port <usb port> slot \d+ \S+ speed )([0-9a-f]{4}:[0-9a-f]{4})$)"),
       {"", "usb idVendor:idProduct"}},
      // blockbench: timing is the model's; counts, errors and verification are not.
      {std::regex(R"(^(blockbench \S+: \S+ bs=\d+ qd=\d+: \d+ ops in )([^;]*; latency [^;]*)(; errors .*)$)"),
       {"", "blockbench timing", ""}},
  };
  return r;
}

/// Root-hub port numbers are the controller's layout (drvsim numbers its USB 2
/// ports first, qemu-xhci its USB 3 ports): taken out of every line.
inline std::string without_port_numbers(const std::string& line, std::vector<OwnField>& own) {
  static const std::regex port(R"((--port |port )(\d+)\b)");
  std::string out;
  auto it = std::sregex_iterator(line.begin(), line.end(), port);
  std::size_t at = 0;
  for (; it != std::sregex_iterator(); ++it) {
    out += line.substr(at, static_cast<std::size_t>(it->position()) - at) + (*it)[1].str() + "<usb port>";
    own.push_back({"usb root-hub port number", (*it)[2].str()});
    at = static_cast<std::size_t>(it->position() + it->length());
  }
  return out + line.substr(at);
}

inline Normalised normalise(const std::string& raw) {
  Normalised n{raw, {}};
  const std::string line = raw.rfind("xhcid.protocol", 0) == 0 ? raw : without_port_numbers(raw, n.own);
  n.line = line;
  for (const Rule& r : rules()) {
    std::smatch m;
    if (!std::regex_match(line, m, r.pattern)) continue;
    std::string out;
    for (std::size_t g = 1; g < m.size(); ++g) {
      const std::string& field = r.groups[g - 1];
      if (field.empty()) {
        out += m[g].str();
      } else {
        out += "<" + field + ">";
        n.own.push_back({field, m[g].str()});
      }
    }
    n.line = out;
    return n;
  }
  return n;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) v.push_back(l);
  return v;
}

struct Comparison {
  std::vector<std::string> matched;          // normalised lines both runs printed
  std::vector<std::string> only_sim, only_qemu;  // normalised lines one run printed (disagreements)
  std::map<std::string, std::pair<std::string, std::string>> own;  // field -> (sim, qemu), where they differ
  std::string report() const {
    std::string s = "matched (" + std::to_string(matched.size()) + "):\n";
    for (const auto& l : matched) s += "  = " + l + "\n";
    s += "the models' own (listed, not compared):\n";
    for (const auto& [f, v] : own) s += "  " + f + ": drvsim " + v.first + " | QEMU " + v.second + "\n";
    if (!only_sim.empty() || !only_qemu.empty()) {
      s += "DISAGREEMENTS:\n";
      for (const auto& l : only_sim) s += "  drvsim only: " + l + "\n";
      for (const auto& l : only_qemu) s += "  QEMU only:   " + l + "\n";
    }
    return s;
  }
};

/// A line that is one of the models' own fields as a whole (a capability or
/// condition only one model has): listed, not compared.
inline bool whole_line_own(const Normalised& n) { return n.own.size() == 1 && n.line == "<" + n.own.front().name + ">"; }

/// Compares the printed output of the two runs as multisets of normalised
/// lines (the order of lines from different processes depends on timing).
inline Comparison compare(const std::string& sim_out, const std::string& qemu_out) {
  Comparison c;
  std::multiset<std::string> q;
  std::map<std::string, std::string> sim_own, qemu_own;
  for (const std::string& l : lines_of(qemu_out)) {
    const Normalised n = normalise(l);
    for (const OwnField& f : n.own) qemu_own[f.name] += (qemu_own[f.name].empty() ? "" : " / ") + f.value;
    if (!whole_line_own(n)) q.insert(n.line);
  }
  for (const std::string& l : lines_of(sim_out)) {
    const Normalised n = normalise(l);
    for (const OwnField& f : n.own) sim_own[f.name] += (sim_own[f.name].empty() ? "" : " / ") + f.value;
    if (whole_line_own(n)) continue;
    const auto it = q.find(n.line);
    if (it == q.end()) {
      c.only_sim.push_back(n.line);
    } else {
      c.matched.push_back(n.line);
      q.erase(it);
    }
  }
  c.only_qemu.assign(q.begin(), q.end());
  for (const auto& [f, v] : sim_own)
    if (qemu_own[f] != v) c.own[f] = {v, qemu_own[f]};
  for (const auto& [f, v] : qemu_own)
    if (!sim_own.count(f)) c.own[f] = {"", v};
  return c;
}

}  // namespace qemutest
