#include "drivers/nvmed/options.hpp"

#include <charconv>

namespace nvmed {

namespace {

hal::Error bad(std::string_view arg, std::string_view why) {
  return hal::Error(hal::errc::inval, std::string(arg) + ": " + std::string(why));
}

/// The leading decimal number of `text`; the rest in `suffix`.
bool leading_number(std::string_view text, std::uint64_t& v, std::string_view& suffix) {
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (p == text.data() || ec != std::errc{}) return false;
  suffix = std::string_view(p, static_cast<std::size_t>(end - p));
  return true;
}

hal::Result<std::uint64_t> parse_count(std::string_view name, std::string_view text, std::uint64_t lo,
                                       std::uint64_t hi) {
  std::uint64_t v = 0;
  std::string_view suffix;
  if (!leading_number(text, v, suffix) || !suffix.empty()) return bad(name, "not a number: '" + std::string(text) + "'");
  if (v < lo || v > hi) return bad(name, "must be " + std::to_string(lo) + " .. " + std::to_string(hi));
  return v;
}

}  // namespace

hal::Result<std::uint64_t> parse_duration_ns(std::string_view text) {
  std::uint64_t v = 0;
  std::string_view unit;
  if (!leading_number(text, v, unit)) return bad(text, "not a duration");
  std::uint64_t scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1'000;
  else if (unit == "ms") scale = 1'000'000;
  else if (unit == "s") scale = 1'000'000'000;
  else return bad(text, "a duration needs a unit: ns, us, ms or s");
  if (v > ~std::uint64_t{0} / scale / 128) return bad(text, "too long");
  return v * scale;
}

hal::Result<std::uint64_t> parse_bytes(std::string_view text) {
  std::uint64_t v = 0;
  std::string_view unit;
  if (!leading_number(text, v, unit)) return bad(text, "not a size");
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB") scale = 1ULL << 10;
  else if (unit == "M" || unit == "MiB") scale = 1ULL << 20;
  else if (unit == "G" || unit == "GiB") scale = 1ULL << 30;
  else return bad(text, "unknown size suffix (K, KiB, M, MiB, G, GiB)");
  if (v > (1ULL << 50) / scale) return bad(text, "too large");
  return v * scale;
}

hal::Result<Options> parse_options(const std::vector<std::string>& in, std::string_view program) {
  std::vector<std::string> args = in;
  if (!args.empty() && args.front() == program) args.erase(args.begin());
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
    if (name == "--no-msix") {
      if (have_value) return bad(a, "takes no value");
      o.allow_msix = false;
      continue;
    }
    static const char* const known[] = {"--index",  "--queues",  "--queue-entries", "--io-timeout",
                                        "--admin-timeout", "--retries", "--max-transfer", "--bounce"};
    bool is_known = false;
    for (const char* k : known) is_known = is_known || name == k;
    if (!is_known) return bad(a, "unknown argument");
    if (!have_value) {
      if (i + 1 >= args.size()) return bad(a, "needs a value");
      value = args[++i];
    }
    if (name == "--index") {
      const auto v = parse_count(name, value, 0, 99);
      if (!v) return v.error();
      o.index = static_cast<unsigned>(*v);
    } else if (name == "--queues") {
      const auto v = parse_count(name, value, 1, 65535);
      if (!v) return v.error();
      o.max_queues = static_cast<unsigned>(*v);
    } else if (name == "--queue-entries") {
      const auto v = parse_count(name, value, 2, 65536);
      if (!v) return v.error();
      o.queue_entries = static_cast<std::uint32_t>(*v);
    } else if (name == "--retries") {
      const auto v = parse_count(name, value, 0, 100);
      if (!v) return v.error();
      o.timeouts.max_attempts = static_cast<unsigned>(*v) + 1;
    } else if (name == "--io-timeout" || name == "--admin-timeout") {
      const auto v = parse_duration_ns(value);
      if (!v) return v.error().with_context(name);
      if (*v == 0) return bad(name, "must be above 0");
      (name == "--io-timeout" ? o.timeouts.io_timeout_ns : o.timeouts.admin_timeout_ns) = *v;
    } else {
      const auto v = parse_bytes(value);
      if (!v) return v.error().with_context(name);
      if (*v < 4096 || *v % 4096 != 0) return bad(name, "must be a multiple of 4096 bytes");
      (name == "--max-transfer" ? o.max_transfer : o.bounce_bytes) = *v;
    }
  }
  return o;
}

}  // namespace nvmed
