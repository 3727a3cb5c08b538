#include "devices/nvme/prp.hpp"

#include <algorithm>
#include <array>

namespace nvme {
namespace {

void append(std::vector<Segment>& out, std::uint64_t addr, std::uint64_t len) {
  if (!out.empty() && out.back().addr + out.back().len == addr)
    out.back().len += len;
  else
    out.push_back(Segment{addr, len});
}

}  // namespace

PrpWalk walk_prps(std::uint64_t prp1, std::uint64_t prp2, std::uint64_t len, std::uint64_t page,
                  const HostReader& read, std::vector<Segment>& out) {
  out.clear();
  PrpWalk w;
  const std::uint64_t mask = page - 1;
  if (len == 0) return w;
  if (prp1 & 0x3) return PrpWalk{kInvalidPrpOffset};  // the offset is dword aligned
  const std::uint64_t first = std::min(len, page - (prp1 & mask));
  append(out, prp1, first);
  std::uint64_t left = len - first;
  if (left == 0) return w;
  if (left <= page) {  // PRP2 is the second (and last) data page
    if (prp2 & mask) return PrpWalk{kInvalidPrpOffset};
    append(out, prp2, left);
    return w;
  }
  // PRP2 points to a PRP list.
  if (prp2 & 0x7) return PrpWalk{kInvalidPrpOffset};
  std::uint64_t list = prp2;
  std::uint64_t entries = (left + page - 1) / page;
  std::array<std::uint64_t, 512> buf{};
  while (entries > 0) {
    const std::uint64_t room = (page - (list & mask)) / 8;  // entries left in this list page
    const bool chained = entries > room;
    std::uint64_t n = chained ? room : entries;  // when chained, the last slot is the next list
    while (n > 0) {  // read the list page in pieces of at most 4 KiB
      const std::uint64_t take = std::min<std::uint64_t>(n, buf.size());
      sim::Picos took = 0;
      if (!read(list, buf.data(), take * 8, took)) return PrpWalk{kDataTransferError, w.list_time, w.list_reads};
      w.list_time += took;
      ++w.list_reads;
      bool followed = false;
      for (std::uint64_t i = 0; i < take; ++i) {
        if (buf[i] & mask) return PrpWalk{kInvalidPrpOffset, w.list_time, w.list_reads};
        if (chained && n == take && i == take - 1) {  // the last slot of the page: the next list
          list = buf[i];
          followed = true;
          break;
        }
        const std::uint64_t seg = std::min(left, page);
        append(out, buf[i], seg);
        left -= seg;
        --entries;
      }
      n -= take;
      if (!followed) list += take * 8;
    }
  }
  return w;
}

}  // namespace nvme
