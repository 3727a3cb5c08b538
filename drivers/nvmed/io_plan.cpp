#include "drivers/nvmed/io_plan.hpp"

#include <algorithm>

namespace nvmed {

bool can_go_direct(std::uint64_t offset, std::uint64_t len, std::uint64_t phys, std::uint32_t lba_bytes) {
  return lba_bytes != 0 && offset % lba_bytes == 0 && len % lba_bytes == 0 && phys % 4 == 0;
}

std::vector<IoPiece> plan_direct(std::uint64_t offset, std::uint64_t len, std::uint32_t lba_bytes,
                                 std::uint64_t max_transfer) {
  std::vector<IoPiece> out;
  const std::uint64_t step = std::max<std::uint64_t>(lba_bytes, max_transfer / lba_bytes * lba_bytes);
  for (std::uint64_t done = 0; done < len;) {
    const std::uint64_t n = std::min(step, len - done);
    IoPiece p;
    p.slba = (offset + done) / lba_bytes;
    p.nlb = static_cast<std::uint32_t>(n / lba_bytes);
    p.buf_offset = done;
    p.bytes = n;
    out.push_back(p);
    done += n;
  }
  return out;
}

std::vector<IoPiece> plan_bounce(std::uint64_t offset, std::uint64_t len, std::uint32_t lba_bytes,
                                 std::uint64_t bounce_bytes) {
  std::vector<IoPiece> out;
  const std::uint64_t blocks = std::max<std::uint64_t>(1, bounce_bytes / lba_bytes);
  const std::uint64_t end = offset + len;
  for (std::uint64_t cur = offset; cur < end;) {
    const std::uint64_t first = cur / lba_bytes;
    const std::uint64_t piece_end = std::min(end, (first + blocks) * lba_bytes);
    const std::uint64_t last = (piece_end - 1) / lba_bytes;
    IoPiece p;
    p.slba = first;
    p.nlb = static_cast<std::uint32_t>(last - first + 1);
    p.buf_offset = cur - offset;
    p.bytes = piece_end - cur;
    p.skip = static_cast<std::uint32_t>(cur - first * lba_bytes);
    out.push_back(p);
    cur = piece_end;
  }
  return out;
}

std::uint64_t max_transfer_bytes(std::uint8_t mdts, std::uint32_t mpsmin, std::uint64_t cap,
                                 std::uint32_t lba_bytes) {
  std::uint64_t m = cap;
  if (mdts != 0 && mdts < 40) m = std::min<std::uint64_t>(m, (std::uint64_t{4096} << mpsmin) << mdts);
  // At most 65536 blocks per command (NLB is 16 bits).
  m = std::min<std::uint64_t>(m, std::uint64_t{lba_bytes} * 65536);
  return std::max<std::uint64_t>(lba_bytes, m / lba_bytes * lba_bytes);
}

}  // namespace nvmed
