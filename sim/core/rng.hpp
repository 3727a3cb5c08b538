// Deterministic random streams: one per component, derived from
// (scenario seed, component path). Adding a component never perturbs another's
// stream, and the same seed always gives the same numbers on every host.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace sim {

class RngStream {
 public:
  RngStream(std::uint64_t scenario_seed, std::string_view component_path);

  std::uint64_t next_u64() { return engine_(); }
  /// Uniform in [0, bound). bound == 0 gives 0. Portable: unlike
  /// std::uniform_int_distribution, the result does not depend on the C++
  /// library (Lemire's multiply-shift with rejection).
  std::uint64_t uniform(std::uint64_t bound);
  /// Uniform in [lo, hi], inclusive.
  std::uint64_t range(std::uint64_t lo, std::uint64_t hi);
  /// True with probability num/den.
  bool chance(std::uint64_t num, std::uint64_t den) { return uniform(den) < num; }

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;  // Its output sequence is fixed by the C++ standard.
};

/// The 64-bit seed of a component's stream (XXH3-64 of the path, seeded).
std::uint64_t derive_seed(std::uint64_t scenario_seed, std::string_view component_path);

}  // namespace sim
