#include "drivers/testdev/options.hpp"

#include <charconv>
#include <string_view>

#include "drivers/testdev/regs.hpp"

namespace testdev {

namespace {

hal::Error bad(std::string_view arg, std::string_view why) {
  return hal::Error(hal::errc::inval, std::string(arg) + ": " + std::string(why));
}

hal::Result<std::uint64_t> parse_number(std::string_view name, std::string_view text, bool allow_suffix) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (p == text.data() || ec != std::errc{}) return bad(name, "not a number: '" + std::string(text) + "'");
  const std::string_view suffix(p, static_cast<std::size_t>(end - p));
  std::uint64_t scale = 1;
  if (allow_suffix && (suffix == "K" || suffix == "k" || suffix == "KiB"))
    scale = 1024;
  else if (allow_suffix && (suffix == "M" || suffix == "MiB"))
    scale = 1024 * 1024;
  else if (!suffix.empty())
    return bad(name, "not a number: '" + std::string(text) + "'");
  if (v > (std::uint64_t{1} << 40)) return bad(name, "too large");
  return v * scale;
}

}  // namespace

hal::Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.empty()) continue;
    std::string_view name = a, value;
    bool have_value = false;
    if (const std::size_t eq = a.find('='); eq != std::string_view::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      have_value = true;
    }
    if (name != "--copies" && name != "--size") return bad(a, "unknown argument (expected --copies N or --size BYTES)");
    if (!have_value) {
      if (i + 1 >= args.size()) return bad(a, "needs a value");
      value = args[++i];
    }
    const hal::Result<std::uint64_t> v = parse_number(name, value, name == "--size");
    if (!v) return v.error();
    if (name == "--copies") {
      if (*v < 1 || *v > 1'000'000) return bad(name, "must be 1 .. 1000000");
      o.copies = static_cast<unsigned>(*v);
    } else {
      if (*v < 1 || *v > regs::kMaxDmaLen) return bad(name, "must be 1 .. 1048576 bytes");
      o.size = static_cast<std::uint32_t>(*v);
    }
  }
  return o;
}

}  // namespace testdev
