#include "sim/core/rng.hpp"

#include <xxhash.h>

#include "sim/core/uint128.hpp"

namespace sim {

std::uint64_t derive_seed(std::uint64_t scenario_seed, std::string_view component_path) {
  return XXH3_64bits_withSeed(component_path.data(), component_path.size(), scenario_seed);
}

RngStream::RngStream(std::uint64_t scenario_seed, std::string_view component_path)
    : seed_(derive_seed(scenario_seed, component_path)), engine_(seed_) {}

std::uint64_t RngStream::uniform(std::uint64_t bound) {
  if (bound == 0) return 0;
  uint128 m = static_cast<uint128>(engine_()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<uint128>(engine_()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t RngStream::range(std::uint64_t lo, std::uint64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = hi - lo;
  if (span == UINT64_MAX) return next_u64();
  return lo + uniform(span + 1);
}

}  // namespace sim
