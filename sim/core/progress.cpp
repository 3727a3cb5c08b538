#include "sim/core/progress.hpp"

#include <unistd.h>

#include <string>
#include <utility>

namespace sim {

namespace {

constexpr auto kFirstDraw = std::chrono::seconds(1);
constexpr auto kRedraw = std::chrono::milliseconds(250);
constexpr std::uint64_t kClockEvery = 1024;

std::string rate(double per_second) {
  char b[32];
  if (per_second >= 1e6)
    std::snprintf(b, sizeof b, "%.1fM", per_second / 1e6);
  else if (per_second >= 1e3)
    std::snprintf(b, sizeof b, "%.0fk", per_second / 1e3);
  else
    std::snprintf(b, sizeof b, "%.0f", per_second);
  return b;
}

// "1.235ms", "2.000s", "15.000us": three decimals in the largest unit that fits.
std::string short_time(Picos t) {
  static constexpr std::pair<Picos, const char*> kUnits[] = {
      {1'000'000'000'000, "s"}, {1'000'000'000, "ms"}, {1'000'000, "us"}, {1'000, "ns"}};
  for (const auto& [per, name] : kUnits)
    if (t >= per) {
      char b[48];
      std::snprintf(b, sizeof b, "%.3f%s", static_cast<double>(t) / static_cast<double>(per), name);
      return b;
    }
  return std::to_string(t) + "ps";
}

}  // namespace

Progress::Progress(Picos target, std::FILE* out)
    : target_(target), out_(is_terminal(out) ? out : nullptr), start_(Clock::now()), last_draw_(start_) {}

Progress::~Progress() { clear(); }

bool Progress::is_terminal(std::FILE* out) { return out && ::isatty(::fileno(out)) == 1; }

std::string Progress::line(Picos sim_now, Picos target, double host_seconds, std::uint64_t events) {
  char b[160];
  const double pct = target ? 100.0 * static_cast<double>(sim_now) / static_cast<double>(target) : 0.0;
  const double eps = host_seconds > 0 ? static_cast<double>(events) / host_seconds : 0.0;
  std::snprintf(b, sizeof b, "drvsim: %s of %s simulated (%.0f%%), %.1fs host, %s events/s", short_time(sim_now).c_str(),
                short_time(target).c_str(), pct, host_seconds, rate(eps).c_str());
  return b;
}

void Progress::tick(Picos sim_now, std::uint64_t events) {
  if (!out_ || ++calls_ % kClockEvery != 0) return;
  const auto now = Clock::now();
  if (now - start_ < kFirstDraw || now - last_draw_ < kRedraw) return;
  draw(sim_now, events, now);
}

void Progress::poll(Picos sim_now, std::uint64_t events) {
  if (!out_) return;
  const auto now = Clock::now();
  if (now - start_ < kFirstDraw || now - last_draw_ < kRedraw) return;
  draw(sim_now, events, now);
}

void Progress::draw(Picos sim_now, std::uint64_t events, Clock::time_point now) {
  last_draw_ = now;
  const double host = std::chrono::duration<double>(now - start_).count();
  std::fprintf(out_, "\r\033[K%s", line(sim_now, target_, host, events).c_str());
  std::fflush(out_);
  shown_ = true;
}

void Progress::clear() {
  if (!out_ || !shown_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  shown_ = false;
}

namespace {

class ProgressSink final : public TraceSink {
 public:
  ProgressSink(Progress& p, Severity min_shown) : p_(p), min_(min_shown) {}
  void write(const TraceEvent& e) override {
    if (e.severity >= min_) p_.clear();
    p_.tick(e.time, e.seq + 1);
  }

 private:
  Progress& p_;
  Severity min_;
};

}  // namespace

std::unique_ptr<TraceSink> make_progress_sink(Progress& p, Severity min_shown) {
  return std::make_unique<ProgressSink>(p, min_shown);
}

}  // namespace sim
