#include "drivers/usbscsid/options.hpp"

#include <charconv>

namespace usbscsid {

namespace {
bool parse_u64(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}
}  // namespace

hal::Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.empty()) continue;
    if (a != "--scheme" && a != "--port" && a != "--interface" && a != "--disk" && a != "--max-transfer" &&
        a != "--inject-invalid-cbw")
      return hal::Error(hal::errc::inval, "unknown argument '" + a + "'");
    if (i + 1 >= args.size()) return hal::Error(hal::errc::inval, a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--scheme") {
      if (v.empty() || v.find_first_of(":/") != std::string::npos)
        return hal::Error(hal::errc::inval, "--scheme: bad name '" + v + "'");
      o.scheme = v;
      continue;
    }
    std::uint64_t n = 0;
    if (!parse_u64(v, n)) return hal::Error(hal::errc::inval, a + ": not a number: '" + v + "'");
    if (a == "--port") {
      if (n < 1 || n > 255) return hal::Error(hal::errc::inval, "--port must be 1..255");
      o.port = static_cast<unsigned>(n);
    } else if (a == "--interface") {
      if (n > 255) return hal::Error(hal::errc::inval, "--interface must be 0..255");
      o.interface = static_cast<unsigned>(n);
    } else if (a == "--disk") {
      if (n > 9999) return hal::Error(hal::errc::inval, "--disk must be 0..9999");
      o.disk = static_cast<unsigned>(n);
    } else if (a == "--max-transfer") {
      if (n < 4096 || n > (4u << 20) || n % 4096 != 0)
        return hal::Error(hal::errc::inval, "--max-transfer must be a multiple of 4096 in 4 KiB .. 4 MiB");
      o.max_transfer = static_cast<std::uint32_t>(n);
    } else {
      o.inject_invalid_cbw = n;
    }
  }
  if (o.port == 0) return hal::Error(hal::errc::inval, "--port is required");
  return o;
}

}  // namespace usbscsid
