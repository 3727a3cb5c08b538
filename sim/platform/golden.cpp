#include "sim/platform/golden.hpp"

#include <xxhash.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sim::platform {

namespace {

void put_u64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out.append(b, 8);
}

std::string hex64(std::uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016" PRIx64, v);
  return b;
}

std::string hex16(std::uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", static_cast<unsigned>(v));
  return b;
}

std::optional<std::uint64_t> parse_u64(const std::string& s, int base = 10) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, base);
  if (errno != 0 || end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// The window hash at `bases_per_window` base windows per window: the base
// hash itself, or XXH3-64 of the base hashes (little-endian) in order.
std::uint64_t combine(const std::vector<std::uint64_t>& hashes) {
  if (hashes.size() == 1) return hashes.front();
  std::string bytes;
  for (std::uint64_t h : hashes) put_u64(bytes, h);
  return XXH3_64bits(bytes.data(), bytes.size());
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

// ---- GoldenFile -------------------------------------------------------------

std::string GoldenFile::text() const {
  std::ostringstream o;
  o << "drvsim-golden 1\n"
    << "# Written by `drvsim run --update-golden`; compared when the trace digest differs. Do not edit.\n"
    << "# w <window> <first seq> <first time ps> <xxh3-64 of the window> <first event>\n"
    << "# f <window> <16-bit fingerprint of each event, 4 hex digits each>\n";
  o << "scenario " << scenario << "\nseed " << seed << "\ndigest " << digest << "\nevents " << events << "\nwindow "
    << window << "\n";
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const GoldenWindow& w = windows[i];
    o << "w " << i << " " << w.first_seq << " " << w.first_time << " " << hex64(w.hash) << " " << w.first_event << "\n";
    if (!w.fingerprints.empty()) o << "f " << i << " " << w.fingerprints << "\n";
  }
  return o.str();
}

std::optional<GoldenFile> GoldenFile::parse(const std::string& text, std::string* why) {
  auto fail = [&](std::size_t line, const std::string& m) -> std::optional<GoldenFile> {
    if (why) *why = "line " + std::to_string(line) + ": " + m;
    return std::nullopt;
  };
  GoldenFile g;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string tag;
    ls >> tag;
    if (!header) {
      std::string version;
      ls >> version;
      if (tag != "drvsim-golden" || version != "1") return fail(n, "not a drvsim golden file (version 1)");
      header = true;
      continue;
    }
    std::string a, b, c, d;
    if (tag == "scenario") {
      std::getline(ls >> std::ws, g.scenario);
    } else if (tag == "seed" || tag == "events" || tag == "window") {
      ls >> a;
      const auto v = parse_u64(a);
      if (!v) return fail(n, tag + ": not a number");
      (tag == "seed" ? g.seed : tag == "events" ? g.events : g.window) = *v;
    } else if (tag == "digest") {
      ls >> g.digest;
    } else if (tag == "w") {
      ls >> a >> b >> c >> d;
      const auto idx = parse_u64(a), seq = parse_u64(b), t = parse_u64(c), h = parse_u64(d, 16);
      if (!idx || !seq || !t || !h || *idx != g.windows.size()) return fail(n, "bad window line");
      GoldenWindow w;
      w.first_seq = *seq;
      w.first_time = *t;
      w.hash = *h;
      std::getline(ls >> std::ws, w.first_event);
      g.windows.push_back(std::move(w));
    } else if (tag == "f") {
      ls >> a >> b;
      const auto idx = parse_u64(a);
      if (!idx || g.windows.empty() || *idx != g.windows.size() - 1 || b.size() % 4 != 0)
        return fail(n, "bad fingerprint line");
      g.windows.back().fingerprints = b;
    } else {
      return fail(n, "unknown line '" + tag + "'");
    }
  }
  if (!header) return fail(n, "empty file");
  if (g.window == 0 || g.window % kBaseWindow != 0) return fail(n, "bad window size");
  return g;
}

std::optional<GoldenFile> GoldenFile::load(const std::string& path, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (why) *why = "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream s;
  s << in.rdbuf();
  std::string reason;
  auto g = parse(s.str(), &reason);
  if (!g && why) *why = path + ": " + reason;
  return g;
}

void GoldenFile::save(const std::string& path) const {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  out << text();
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::string golden_path(const std::string& scenario_file) {
  const std::filesystem::path p(scenario_file);
  return (p.parent_path() / "golden" / (p.stem().string() + ".digests")).string();
}

// ---- GoldenRecorder ---------------------------------------------------------

struct GoldenRecorder::State {
  XXH3_state_t* s = XXH3_createState();
  State() { XXH3_64bits_reset(s); }
  ~State() { XXH3_freeState(s); }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
};

GoldenRecorder::GoldenRecorder(const GoldenFile* compare) : golden_(compare), state_(std::make_shared<State>()) {}

void GoldenRecorder::write(const TraceEvent& e) {
  encode_canonical(e, canon_);
  const std::uint64_t fp = XXH3_64bits(canon_.data(), canon_.size());
  const std::uint64_t index = events_;
  if (index % kBaseWindow == 0) {
    XXH3_64bits_reset(state_->s);
    open_ = Base{e.seq, e.time, 0, std::string(e.component) + " " + std::string(e.kind)};
  }
  XXH3_64bits_update(state_->s, canon_.data(), canon_.size());
  if (index < kMaxFingerprintEvents) {
    fingerprints_.push_back(static_cast<std::uint16_t>(fp & 0xFFFF));
  } else if (!fingerprints_.empty()) {
    fingerprints_.clear();
    fingerprints_.shrink_to_fit();
  }
  ++events_;
  if (events_ % kBaseWindow == 0) close_base();

  if (!golden_ || diff_) return;
  // Lines are formatted only for a difference; until then the recorder keeps
  // canonical encodings (cheap copies into reused buffers).
  const std::uint64_t w = golden_->window;
  if (index % w == 0) {
    window_first_canon_.assign(canon_);
    window_first_time_ = e.time;
  }
  if (index >= golden_->events) {
    diff_ = GoldenDifference{GoldenDifference::Kind::run_longer, index, index / w, format_canonical_line(canon_),
                             format_canonical_line(last_canon_), index + 1, e.time};
  } else if (golden_->has_fingerprints()) {
    const GoldenWindow& gw = golden_->windows[index / w];
    const std::size_t off = static_cast<std::size_t>(index % w) * 4;
    if (off + 4 <= gw.fingerprints.size() && gw.fingerprints.compare(off, 4, hex16(static_cast<std::uint16_t>(fp & 0xFFFF))) != 0)
      diff_ = GoldenDifference{GoldenDifference::Kind::event, index, index / w, format_canonical_line(canon_),
                               format_canonical_line(last_canon_), std::min((index / w + 1) * w, golden_->events),
                               e.time};
  }
  if (!diff_ && events_ % w == 0) check_window_end(events_);
  last_canon_.assign(canon_);
}

void GoldenRecorder::close_base() {
  open_.hash = XXH3_64bits_digest(state_->s);
  bases_.push_back(open_);
}

void GoldenRecorder::check_window_end(std::uint64_t events_so_far) {
  const std::uint64_t w = golden_->window, per = w / kBaseWindow;
  const std::uint64_t win = (events_so_far - 1) / w;
  if (win >= golden_->windows.size()) return;
  std::vector<std::uint64_t> hashes;
  for (std::uint64_t b = win * per; b < std::min<std::uint64_t>((win + 1) * per, bases_.size()); ++b)
    hashes.push_back(bases_[b].hash);
  if (events_so_far % kBaseWindow != 0) hashes.push_back(XXH3_64bits_digest(state_->s));  // the partial base
  if (combine(hashes) != golden_->windows[win].hash)
    diff_ = GoldenDifference{GoldenDifference::Kind::window, win * w, win, format_canonical_line(window_first_canon_), {},
                             std::min((win + 1) * w, golden_->events), window_first_time_};
}

GoldenFile GoldenRecorder::result(const std::string& scenario, std::uint64_t seed, const Digest& digest) const {
  std::vector<Base> bases = bases_;
  if (events_ % kBaseWindow != 0) {
    Base b = open_;
    b.hash = XXH3_64bits_digest(state_->s);
    bases.push_back(b);
  }
  GoldenFile g;
  g.scenario = scenario;
  g.seed = seed;
  g.digest = digest.hex();
  g.events = events_;
  std::uint64_t per = 1;
  while ((bases.size() + per - 1) / per > kMaxWindows) per *= 2;
  g.window = per * kBaseWindow;
  const bool fps = events_ <= kMaxFingerprintEvents && fingerprints_.size() == events_;
  for (std::size_t first = 0; first < bases.size(); first += per) {
    GoldenWindow w;
    w.first_seq = bases[first].first_seq;
    w.first_time = bases[first].first_time;
    w.first_event = bases[first].first_event;
    std::vector<std::uint64_t> hashes;
    for (std::size_t b = first; b < std::min<std::size_t>(first + per, bases.size()); ++b) hashes.push_back(bases[b].hash);
    w.hash = combine(hashes);
    if (fps) {
      const std::uint64_t from = first * kBaseWindow, to = std::min<std::uint64_t>(from + g.window, events_);
      for (std::uint64_t i = from; i < to; ++i) w.fingerprints += hex16(fingerprints_[i]);
    }
    g.windows.push_back(std::move(w));
  }
  return g;
}

std::optional<GoldenDifference> GoldenRecorder::difference() const {
  if (diff_ || !golden_) return diff_;
  if (events_ < golden_->events) {
    const std::uint64_t w = golden_->window;
    return GoldenDifference{GoldenDifference::Kind::run_shorter, events_, events_ / w, format_canonical_line(last_canon_), format_canonical_line(last_canon_),
                            events_, 0};
  }
  // Same length: the last, partial window was not checked as the run went.
  if (events_ % golden_->window != 0) {
    const std::uint64_t w = golden_->window, per = w / kBaseWindow, win = (events_ - 1) / w;
    std::vector<std::uint64_t> hashes;
    for (std::uint64_t b = win * per; b < bases_.size(); ++b) hashes.push_back(bases_[b].hash);
    if (events_ % kBaseWindow != 0) hashes.push_back(XXH3_64bits_digest(state_->s));
    if (win < golden_->windows.size() && combine(hashes) != golden_->windows[win].hash)
      return GoldenDifference{GoldenDifference::Kind::window, win * w, win, format_canonical_line(window_first_canon_), {}, events_,
                              window_first_time_};
  }
  return std::nullopt;
}

// ---- Reporting --------------------------------------------------------------

std::vector<std::string> describe_difference(const std::optional<GoldenDifference>& d, const GoldenFile* golden,
                                             const std::string& golden_file, const std::string& why_no_golden,
                                             const std::string& scenario_file, const std::string& scenario_name) {
  std::vector<std::string> out;
  const std::string file = shell_quote(scenario_file);
  const std::string jsonl = "/tmp/" + scenario_name + ".jsonl";
  if (!golden) {
    out.push_back("no golden trace to compare with (" + why_no_golden + "), so the first difference is unknown");
  } else if (!d) {
    out.push_back("this run matches every window of " + golden_file +
                  ", whose digest is " + golden->digest + ": the golden file and the scenario's digest disagree");
  } else {
    const std::string golden_window =
        d->window < golden->windows.size()
            ? "golden window " + std::to_string(d->window) + " starts at event #" +
                  std::to_string(golden->windows[d->window].first_seq) + ", " +
                  format_time(golden->windows[d->window].first_time) + ": " + golden->windows[d->window].first_event
            : "";
    std::uint64_t from = 0, to = 0;
    switch (d->kind) {
      case GoldenDifference::Kind::event:
        out.push_back("first difference at event #" + std::to_string(d->index) + " (" + golden_file + "):");
        out.push_back("  this run: " + d->event_line);
        out.push_back("  golden:   a different event (the golden keeps a fingerprint per event)");
        if (!d->previous_line.empty()) out.push_back("  the event before is the same in both: " + d->previous_line);
        from = d->index >= 10 ? d->index - 10 : 0;
        to = d->index + 10;
        break;
      case GoldenDifference::Kind::window:
        out.push_back("first difference in events #" + std::to_string(d->index) + " to #" +
                      std::to_string(d->window_end - 1) + " (" + golden_file + " keeps one digest per " +
                      std::to_string(golden->window) + " events for a run this long):");
        out.push_back("  this run's window starts with: " + d->event_line);
        if (!golden_window.empty()) out.push_back("  " + golden_window);
        from = d->index;
        to = d->window_end - 1;
        break;
      case GoldenDifference::Kind::run_longer:
        out.push_back("this run goes on after the golden's last event (#" + std::to_string(golden->events - 1) +
                      "); its next event:");
        out.push_back("  this run: " + d->event_line);
        if (!d->previous_line.empty()) out.push_back("  the event before is the same in both: " + d->previous_line);
        from = d->index >= 10 ? d->index - 10 : 0;
        to = d->index + 10;
        break;
      case GoldenDifference::Kind::run_shorter:
        out.push_back("this run ended after " + std::to_string(d->index) + " events, the golden has " +
                      std::to_string(golden->events) + "; the events before match as far as the golden tells");
        if (!d->event_line.empty()) out.push_back("  this run's last event: " + d->event_line);
        from = d->index >= 10 ? d->index - 10 : 0;
        to = d->index;
        break;
    }
    out.push_back("to see the events there: drvsim run " + file + " --trace-json " + jsonl + "; jq -c 'select(.seq >= " +
                  std::to_string(from) + " and .seq <= " + std::to_string(to) + ")' " + jsonl);
  }
  out.push_back("if the change is intended: drvsim run " + file + " --update-golden");
  return out;
}

// ---- Rewriting the digest -----------------------------------------------------

namespace {

std::size_t offset_of(const std::string& text, int line, int col) {
  std::size_t off = 0;
  for (int l = 1; l < line; ++l) {
    off = text.find('\n', off);
    if (off == std::string::npos) throw std::runtime_error("line " + std::to_string(line) + " is past the end");
    ++off;
  }
  return off + static_cast<std::size_t>(col - 1);
}

}  // namespace

std::string rewrite_digest(const std::string& text, const DigestPlace& place, const std::string& hex) {
  std::string out = text;
  if (place.has_digest) {
    std::size_t off = offset_of(text, place.digest_line, place.digest_col);
    if (place.quoted) {
      if (off >= text.size() || (text[off] != '"' && text[off] != '\'')) throw std::runtime_error("the digest's quote is not where expected");
      ++off;
    }
    if (text.compare(off, place.old_hex.size(), place.old_hex) != 0)
      throw std::runtime_error("the digest " + place.old_hex + " is not at " + std::to_string(place.digest_line) + ":" +
                               std::to_string(place.digest_col));
    out.replace(off, place.old_hex.size(), hex);
    return out;
  }
  if (place.has_expect) {
    const std::size_t off = offset_of(text, place.expect_line, place.expect_col);
    if (place.flow) {
      if (off >= text.size() || text[off] != '{') throw std::runtime_error("the expect map's '{' is not where expected");
      out.insert(off + 1, place.empty ? " digest: " + hex + " " : " digest: " + hex + ",");
      return out;
    }
    const std::size_t line_start = offset_of(text, place.expect_line, 1);
    if (text.find_first_not_of(' ', line_start) != off)
      throw std::runtime_error("the expect map's first key does not start its line");
    out.insert(line_start, std::string(off - line_start, ' ') + "digest: " + hex + "\n");
    return out;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "expect:\n  digest: " + hex + "\n";
  return out;
}

}  // namespace sim::platform
