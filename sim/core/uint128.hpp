// 128-bit unsigned arithmetic for exact time and rate computations.
#pragma once

namespace sim {
__extension__ typedef unsigned __int128 uint128;
}  // namespace sim
