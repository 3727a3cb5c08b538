// blockbench: a block I/O benchmark in the spirit of fio, on the kernel ring
// (hal::pread/pwrite with buffers from the kernel ring's pool), timed in
// simulated time. It opens the device with hal::open_when_ready: started
// beside the driver, it waits for the scheme. docs/apps/blockbench.md.
//
//   --path P                 the device (default disk.nvme0:1)
//   --pattern seq|rand       offsets in order (wrapping) or uniformly random (default rand)
//   --rw read|write|mix      (default read); --mix-read-percent P for mix (default 50)
//   --bs BYTES               block size, 512 .. 1MiB (default 4096); suffixes K, KiB, M, MiB
//   --qd N                   requests in flight, 1 .. 256 (default 1)
//   --count N | --time D     total requests (default 1000) or run for a simulated duration (10ms, 1s)
//   --offset BYTES --size BYTES  the region (default: all of the device from the offset)
//   --verify                 writes carry a pattern made from the block number and the seed;
//                            reads compare (the region is written first if the run reads);
//                            written blocks are read back and compared at the end
//   --seed N                 seeds the offsets, the read/write mix and the pattern (default 1)
//   --fsync                  an Fsync after the run (its time is reported)
//   --label NAME             prefix of the result names (default blockbench)
// Reports: one human summary line (sys.print) and one trace event of kind
// "result" whose message is "LABEL ops=2000 iops=12345.6 ..." — the
// convention of docs/scenario-format.md, read as blockbench.ops,
// blockbench.iops, ... Exit status 0 only if no request failed and nothing
// mismatched; 2 for bad arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"

namespace apps {

hal::Task<int> blockbench_main(hal::Sys& sys);

namespace blockbench {

enum class Pattern { seq, rand };
enum class Rw { read, write, mix };

struct Options {
  std::string path = "disk.nvme0:1";
  Pattern pattern = Pattern::rand;
  Rw rw = Rw::read;
  unsigned mix_read_percent = 50;
  std::uint64_t bs = 4096;
  unsigned qd = 1;
  std::uint64_t count = 1000;  // requests, when time_ns is 0
  std::uint64_t time_ns = 0;   // run for this long instead
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // 0: to the end of the device
  bool verify = false;
  std::uint64_t seed = 1;
  bool fsync = false;
  std::string label = "blockbench";

  /// "randread", "write", "randrw", ... (fio's names).
  std::string workload_name() const;
};

/// EINVAL naming the bad argument. A first argument equal to "blockbench"
/// (an argv[0]) is skipped.
hal::Result<Options> parse_options(const std::vector<std::string>& args);

/// splitmix64 (Steele, Lea, Flood 2014): small, fast, and seeded from the
/// arguments only.
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next();
  /// Uniform in [0, n) (n > 0), by rejection: no modulo bias.
  std::uint64_t below(std::uint64_t n);
};

/// The requests of a run, in the order they are issued.
class Workload {
 public:
  Workload(const Options& o, std::uint64_t region_blocks);
  struct Op {
    std::uint64_t block = 0;  // index in the region, in units of bs
    bool read = true;
  };
  Op next();
  std::uint64_t issued() const { return issued_; }

 private:
  Pattern pattern_;
  Rw rw_;
  unsigned read_percent_;
  std::uint64_t blocks_;
  SplitMix64 offsets_, mix_;
  std::uint64_t issued_ = 0;
};

/// The verify pattern of block `block` (its absolute byte offset / bs):
/// bytes 0-7 the block number, 8-15 the seed, then a splitmix64 stream
/// seeded from both; little-endian.
void fill_pattern(std::uint8_t* data, std::size_t len, std::uint64_t block, std::uint64_t seed);
/// Index of the first byte that differs from the pattern, or `len`.
std::size_t first_mismatch(const std::uint8_t* data, std::size_t len, std::uint64_t block, std::uint64_t seed);

struct LatencySummary {
  std::uint64_t count = 0;
  double mean_ns = 0;
  std::uint64_t min_ns = 0, p50_ns = 0, p99_ns = 0, max_ns = 0;
};
/// Nearest rank: the smallest sample with at least p% of the samples at or
/// below it (p in (0, 100]); 0 for no samples. `sorted` ascending.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p);
LatencySummary summarize(std::vector<std::uint64_t> samples_ns);

struct Report {
  std::string path, workload;
  std::uint64_t bs = 0;
  unsigned qd = 0;
  std::uint64_t ops = 0, bytes = 0, elapsed_ns = 0;
  LatencySummary read, write, all;
  std::uint64_t errors = 0, verify_mismatches = 0, verified_blocks = 0;
  bool verify = false;
  std::uint64_t fsync_ns = 0;
  bool fsync = false;

  double iops() const;
  double mb_per_s() const;  // 10^6 bytes per second
};

/// "blockbench disk.nvme0:1: randread bs=4096 qd=32: 2000 ops in 1.234 ms, ..."
std::string summary_line(const Report& r);
/// (name, value) pairs: ops, iops, bw_mbps, lat_p99_us, read_p50_us, errors, ...
std::vector<std::pair<std::string, std::string>> result_values(const Report& r);
/// The message of the `result` trace event: "LABEL ops=2000 iops=..." (each
/// value then reads as LABEL.name, docs/scenario-format.md).
std::string result_message(const Report& r, const std::string& label);

}  // namespace blockbench
}  // namespace apps
