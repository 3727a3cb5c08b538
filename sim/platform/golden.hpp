// Golden traces: what a scenario's trace looked like when its digest was
// recorded, small enough to keep in git, detailed enough to name the first
// event of a new run that differs (docs/ci.md explains the choice).
//
// `drvsim run --update-golden` writes the digest into the scenario's
// `expect.digest` and this sidecar next to it, scenarios/golden/<stem>.digests:
//
//   drvsim-golden 1
//   scenario quickstart
//   seed 1
//   digest 5f0c...                 (the run's XXH3-128 digest)
//   events 812                     (trace events in the run)
//   window 256                     (events per window)
//   w 0 0 0 9a1b2c3d4e5f6071 sim start
//   f 0 a1b2c3d4...                (a 16-bit fingerprint per event, 4 hex digits each)
//   w 1 256 1234567 ...            (window index, first seq, first time in ps,
//                                   XXH3-64 of the window, its first event's
//                                   component and kind)
//
// Windows and fingerprints hash the same canonical encoding of each event
// as the run's digest (sim/core/trace.cpp). Fingerprints are stored while
// the run has at most kMaxFingerprintEvents events: then a mismatch names the
// exact first event that differs. Longer runs keep window digests only (at
// most kMaxWindows lines: the window doubles until they fit) and a mismatch
// names the first window that differs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/trace.hpp"

namespace sim::platform {

inline constexpr std::uint64_t kBaseWindow = 256;
inline constexpr std::uint64_t kMaxFingerprintEvents = 32768;
inline constexpr std::size_t kMaxWindows = 4096;

struct GoldenWindow {
  std::uint64_t first_seq = 0;
  Picos first_time = 0;
  std::uint64_t hash = 0;
  std::string first_event;   // "component kind"
  std::string fingerprints;  // 4 hex digits per event; empty when not kept
};

struct GoldenFile {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string digest;
  std::uint64_t events = 0;
  std::uint64_t window = kBaseWindow;  // kBaseWindow * 2^k
  std::vector<GoldenWindow> windows;

  bool has_fingerprints() const { return !windows.empty() && !windows.front().fingerprints.empty(); }
  std::string text() const;
  /// Parses text(); nullopt and a reason when it is not a golden file.
  static std::optional<GoldenFile> parse(const std::string& text, std::string* why);
  static std::optional<GoldenFile> load(const std::string& path, std::string* why);
  /// Writes the file, making its directory. Throws std::runtime_error.
  void save(const std::string& path) const;
};

/// <directory of the scenario>/golden/<file name without its last extension>.digests
std::string golden_path(const std::string& scenario_file);

/// The canonical encoding of one event, the same bytes Trace feeds its digest.
using sim::encode_canonical;

/// Where the run first differs from a golden file.
struct GoldenDifference {
  enum class Kind { event, window, run_longer, run_shorter };
  Kind kind = Kind::event;
  std::uint64_t index = 0;       // the first event that differs (event), the window's first event (window)
  std::uint64_t window = 0;      // the golden window it falls in
  std::string event_line;        // this run's event there (or the window's first event), as the text log shows it
  std::string previous_line;     // the event before it, the same in both (event kind only)
  std::uint64_t window_end = 0;  // one past the window's last event
  Picos time = 0;
};

/// A trace sink that hashes the run in windows (for --update-golden) and, given
/// a golden file, finds where the run first departs from it.
class GoldenRecorder final : public TraceSink {
 public:
  /// `compare` may be null (record only). It must outlive the recorder.
  explicit GoldenRecorder(const GoldenFile* compare);
  void write(const TraceEvent& e) override;

  /// The golden file of this run (call after the run).
  GoldenFile result(const std::string& scenario, std::uint64_t seed, const Digest& digest) const;
  /// The first difference from the golden given to the constructor, if any
  /// (call after the run: a shorter run is known only then).
  std::optional<GoldenDifference> difference() const;

 private:
  struct Base {
    std::uint64_t first_seq;
    Picos first_time;
    std::uint64_t hash;
    std::string first_event;
  };
  void close_base();
  void check_window_end(std::uint64_t events_so_far);

  const GoldenFile* golden_;
  std::string canon_;
  std::uint64_t events_ = 0;
  std::vector<Base> bases_;        // one per kBaseWindow events
  struct State;
  std::shared_ptr<State> state_;   // the XXH3 state of the open base window
  Base open_{};
  std::vector<std::uint16_t> fingerprints_;  // while events_ <= kMaxFingerprintEvents
  std::string last_canon_;  // the previous event, encoded
  std::optional<GoldenDifference> diff_;
  std::string window_first_canon_;  // this run's first event of the current golden window
  Picos window_first_time_ = 0;
};

/// The lines a digest mismatch shows under it: the first difference and the
/// commands that show more. `scenario_file` is the path as given.
std::vector<std::string> describe_difference(const std::optional<GoldenDifference>& d, const GoldenFile* golden,
                                             const std::string& golden_file, const std::string& why_no_golden,
                                             const std::string& scenario_file, const std::string& scenario_name);

/// Rewrites `expect.digest` in the scenario text to `hex`, keeping every
/// other byte: replaces the value where it is written, else adds a `digest`
/// key to the `expect` map, else appends an `expect` map at the end.
/// Throws std::runtime_error when the text is not where the marks say.
struct DigestPlace {
  bool has_expect = false;
  bool flow = false, empty = false;
  int expect_line = 0, expect_col = 0;   // the expect map's first key, or its `{` (1-based)
  bool has_digest = false;
  int digest_line = 0, digest_col = 0;   // the digest value (1-based)
  std::string old_hex;
  bool quoted = false;
};
std::string rewrite_digest(const std::string& text, const DigestPlace& place, const std::string& hex);

}  // namespace sim::platform
