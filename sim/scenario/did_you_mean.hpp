// "did you mean ...?" for misspelled keys, device types and program names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sim::scenario::detail {

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of two adjacent characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is at most 2 edits away (and fewer
/// edits than its own length); the first in `candidates` order on a tie.
std::optional<std::string_view> did_you_mean(std::string_view word,
                                             std::span<const std::string_view> candidates);

/// "a, b, c": for "known types: ..." lists.
std::string join(std::span<const std::string_view> words);

}  // namespace sim::scenario::detail
