#include "drivers/xhcid/options.hpp"

#include <charconv>

namespace xhcid {

namespace {
bool parse_u64(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}
bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
          c == '.'))
      return false;
  return true;
}
}  // namespace

hal::Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty()) continue;
    if (a == "--no-class-drivers") {
      o.spawn_class_drivers = false;
      continue;
    }
    if (a == "--storage-arg") {
      if (i + 1 >= args.size()) return hal::Error(hal::errc::inval, a + " needs a value");
      o.storage_args.push_back(args[++i]);
      continue;
    }
    if (a != "--scheme" && a != "--imod-ns" && a != "--storage-driver" && a != "--disk-base")
      return hal::Error(hal::errc::inval, "unknown argument '" + a + "'");
    if (i + 1 >= args.size()) return hal::Error(hal::errc::inval, a + " needs a value");
    const std::string& v = args[++i];
    std::uint64_t n = 0;
    if (a == "--scheme" || a == "--storage-driver") {
      if (!valid_name(v)) return hal::Error(hal::errc::inval, a + ": bad name '" + v + "'");
      (a == "--scheme" ? o.scheme : o.storage_driver) = v;
    } else if (!parse_u64(v, n)) {
      return hal::Error(hal::errc::inval, a + ": not a number: '" + v + "'");
    } else if (a == "--imod-ns") {
      if (n > 0xFFFF * 250ULL) return hal::Error(hal::errc::inval, "--imod-ns above 16383750");
      o.imod_ns = n;
    } else {
      if (n > 1000) return hal::Error(hal::errc::inval, "--disk-base above 1000");
      o.disk_base = static_cast<unsigned>(n);
    }
  }
  return o;
}

}  // namespace xhcid
