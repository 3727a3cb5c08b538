// The driver rule, checked: code under drivers/ includes only the C++
// standard library and drivers/ itself; never sim/, devices/, kernel-model/
// or SystemC.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::set<std::string>& standard_headers() {
  static const std::set<std::string> headers{
      "algorithm", "any", "array", "atomic", "barrier", "bit", "bitset", "cassert", "cctype", "cerrno",
      "cfenv", "cfloat", "charconv", "chrono", "cinttypes", "climits", "clocale", "cmath", "codecvt",
      "compare", "complex", "concepts", "condition_variable", "coroutine", "csetjmp", "csignal", "cstdarg",
      "cstddef", "cstdint", "cstdio", "cstdlib", "cstring", "ctime", "cuchar", "cwchar", "cwctype", "deque",
      "exception", "execution", "filesystem", "format", "forward_list", "fstream", "functional", "future",
      "initializer_list", "iomanip", "ios", "iosfwd", "iostream", "istream", "iterator", "latch", "limits",
      "list", "locale", "map", "memory", "memory_resource", "mutex", "new", "numbers", "numeric", "optional",
      "ostream", "queue", "random", "ranges", "ratio", "regex", "scoped_allocator", "semaphore", "set",
      "shared_mutex", "source_location", "span", "sstream", "stack", "stdexcept", "stop_token", "streambuf",
      "string", "string_view", "syncstream", "system_error", "thread", "tuple", "type_traits", "typeindex",
      "typeinfo", "unordered_map", "unordered_set", "utility", "valarray", "variant", "vector", "version"};
  return headers;
}

/// The offending include lines of one file, as "file:line: text".
std::vector<std::string> bad_includes(const fs::path& file) {
  std::vector<std::string> bad;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '#') continue;
    const auto inc = line.find("include", first);
    if (inc == std::string::npos) continue;
    const auto open = line.find_first_of("<\"", inc);
    if (open == std::string::npos) continue;
    const char close_char = line[open] == '<' ? '>' : '"';
    const auto close = line.find(close_char, open + 1);
    if (close == std::string::npos) continue;
    const std::string name = line.substr(open + 1, close - open - 1);
    const bool ok = close_char == '>' ? standard_headers().count(name) == 1 : name.rfind("drivers/", 0) == 0;
    if (!ok) bad.push_back(file.string() + ":" + std::to_string(n) + ": " + line);
  }
  return bad;
}

TEST(HalDriverRule, DriversIncludeOnlyTheStandardLibraryAndDrivers) {
  const fs::path drivers = fs::path(DRVSIM_SOURCE_DIR) / "drivers";
  ASSERT_TRUE(fs::is_directory(drivers));
  std::vector<std::string> bad;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(drivers)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".hpp" && ext != ".cpp" && ext != ".h")) continue;
    ++files;
    const std::vector<std::string> b = bad_includes(entry.path());
    bad.insert(bad.end(), b.begin(), b.end());
  }
  EXPECT_GT(files, 0);
  std::sort(bad.begin(), bad.end());
  for (const std::string& b : bad) ADD_FAILURE() << "driver rule broken: " << b;
}

TEST(HalDriverRule, CheckerCatchesForbiddenIncludes) {
  const fs::path tmp = fs::temp_directory_path() / "drvsim_hal_rule_probe.hpp";
  {
    std::ofstream out(tmp);
    out << "#include <vector>\n#include \"drivers/hal/task.hpp\"\n#include <systemc>\n"
           "#include \"sim/core/time.hpp\"\n  #  include \"devices/pci/config.hpp\"\n";
  }
  const std::vector<std::string> bad = bad_includes(tmp);
  fs::remove(tmp);
  EXPECT_EQ(bad.size(), 3u);
}

}  // namespace
