#include "drivers/pcid/report.hpp"

#include <cinttypes>
#include <cstdio>

namespace pcid {

std::string hex(std::uint64_t v, int digits) {
  char b[24];
  if (digits > 0)
    std::snprintf(b, sizeof b, "%0*" PRIx64, digits, v);
  else
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

std::string human_size(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && n >= 1024 && n % 1024 == 0) {
    n /= 1024;
    ++u;
  }
  return std::to_string(n) + " " + units[u];
}

namespace {

const char* bar_type_name(BarType t) {
  switch (t) {
    case BarType::mem32: return "mem32";
    case BarType::mem64: return "mem64";
    case BarType::io: return "io";
    case BarType::none: break;
  }
  return "none";
}

std::string interrupts_line(const Function& f) {
  std::string s;
  if (f.msi.present) {
    s += "MSI " + std::to_string(f.msi.capable_vectors) + (f.msi.capable_vectors == 1 ? " vector" : " vectors");
    s += f.msi.is64 ? " 64-bit" : " 32-bit";
    if (f.msi.per_vector_mask) s += " per-vector masking";
  } else {
    s += "no MSI";
  }
  s += "; ";
  if (f.msix.present) {
    s += "MSI-X " + std::to_string(f.msix.table_size) + (f.msix.table_size == 1 ? " vector" : " vectors");
    s += " table BAR" + std::to_string(f.msix.table_bar) + "+" + hex(f.msix.table_offset);
    s += " PBA BAR" + std::to_string(f.msix.pba_bar) + "+" + hex(f.msix.pba_offset);
  } else {
    s += "no MSI-X";
  }
  if (f.pcie.present)
    s += "; PCIe Max_Payload_Size " + std::to_string(f.pcie.max_payload) + " B (supports " +
         std::to_string(f.pcie.max_payload_supported) + " B)";
  return s;
}

}  // namespace

std::vector<std::string> describe_function(const Function& f) {
  const std::string who = "pcid: " + f.bdf.str() + " ";
  std::vector<std::string> lines;
  std::string id = who + hex(f.vendor_id, 4) + ":" + hex(f.device_id, 4) + " class " + hex(f.class_code, 2) + "/" +
                   hex(f.subclass, 2) + "/" + hex(f.prog_if, 2) + " rev " + hex(f.revision, 2);
  if (!f.is_endpoint()) id += " header type " + std::to_string(f.header_type) + ": not configured";
  lines.push_back(id);
  for (unsigned i = 0; i < kNumBars; ++i) {
    const Bar& b = f.bars[i];
    if (b.type == BarType::none) continue;
    std::string l = who + "BAR" + std::to_string(i) + " " + bar_type_name(b.type);
    if (b.prefetchable) l += " prefetchable";
    l += " " + human_size(b.size);
    if (b.type == BarType::io)
      l += " not assigned (no I/O space)";
    else if (b.assigned)
      l += " at " + hex(b.address);
    else
      l += " NOT ASSIGNED (no room in the MMIO windows)";
    lines.push_back(l);
  }
  if (f.is_endpoint()) lines.push_back(who + interrupts_line(f));
  if (f.capability_list_broken) lines.push_back(who + "capability list broken: walk stopped");
  return lines;
}

void report_function(hal::Sys& sys, const Function& f) {
  for (const std::string& l : describe_function(f)) sys.print(l);
  const std::string bdf = "bdf=" + f.bdf.str();
  sys.log(hal::LogLevel::info, "pcid.function",
          bdf + " vendor=" + hex(f.vendor_id) + " device=" + hex(f.device_id) + " class=" +
              hex((std::uint64_t{f.class_code} << 16) | (std::uint64_t{f.subclass} << 8) | f.prog_if));
  for (unsigned i = 0; i < kNumBars; ++i) {
    const Bar& b = f.bars[i];
    if (b.type == BarType::none) continue;
    sys.log(b.assigned || b.type == BarType::io ? hal::LogLevel::info : hal::LogLevel::error, "pcid.bar",
            bdf + " bar=" + std::to_string(i) + " type=" + bar_type_name(b.type) +
                " prefetchable=" + (b.prefetchable ? "1" : "0") + " size=" + hex(b.size) +
                " address=" + hex(b.address) + " assigned=" + (b.assigned ? "1" : "0"));
  }
  for (const Capability& c : f.capabilities)
    sys.log(hal::LogLevel::debug, "pcid.capability", bdf + " id=" + hex(c.id) + " offset=" + hex(c.offset));
  if (f.capability_list_broken) sys.log(hal::LogLevel::warn, "pcid.capability.broken", bdf);
  if (f.is_endpoint())
    sys.log(f.enabled ? hal::LogLevel::info : hal::LogLevel::warn, "pcid.enable",
            bdf + " memory_space=" + (f.enabled ? "1" : "0") + " bus_master=1 msi=off msix=off max_payload=" +
                std::to_string(f.pcie.max_payload));
}

}  // namespace pcid
