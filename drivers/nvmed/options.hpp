// nvmed's arguments (as pcid's match rule passes them, e.g.
// "class=01 subclass=08 -> nvmed --queues 2"):
//   --index N            serve disk.nvmeN (default: the first free index)
//   --queues N           at most N I/O queue pairs (default: one per CPU)
//   --queue-entries N    entries per I/O queue, 2..65536 (default 256; capped by CAP.MQES)
//   --io-timeout D       first-attempt I/O command timeout (default 1s; doubles per retry)
//   --admin-timeout D    admin command timeout, Abort included (default 1s)
//   --retries N          resubmissions of a command after a timeout, reset or
//                        retryable error (default 3)
//   --max-transfer B     per-command transfer cap under MDTS (default 1MiB)
//   --bounce B           bounce buffer size for unaligned I/O (default 128KiB)
//   --no-msix            use MSI even when MSI-X is present
// D is a duration with a unit: 250ns, 100us, 5ms, 1s. B is bytes with an
// optional K/KiB/M/MiB suffix. Both forms --name VALUE and --name=VALUE.
// A first argument equal to the program name (an argv[0]) is skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/hal/result.hpp"
#include "drivers/nvmed/timeouts.hpp"

namespace nvmed {

struct Options {
  std::optional<unsigned> index;
  unsigned max_queues = 0;  // 0: one per CPU
  std::uint32_t queue_entries = 256;
  std::uint32_t admin_entries = 32;
  TimeoutPolicy timeouts;
  std::uint64_t max_transfer = 1ULL << 20;
  std::uint64_t bounce_bytes = 128ULL << 10;
  bool allow_msix = true;
};

/// EINVAL naming the bad argument.
hal::Result<Options> parse_options(const std::vector<std::string>& args, std::string_view program = "nvmed");

/// "5ms" -> 5000000 ns; EINVAL without a known unit (ns, us, ms, s).
hal::Result<std::uint64_t> parse_duration_ns(std::string_view text);
/// "128KiB" -> 131072; suffixes K, KiB, M, MiB, G, GiB.
hal::Result<std::uint64_t> parse_bytes(std::string_view text);

}  // namespace nvmed
