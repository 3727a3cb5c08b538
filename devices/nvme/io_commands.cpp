// NVM command set I/O commands (§6): Flush, Write, Read, Write Zeroes and
// Dataset Management. plan_io() runs at fetch: it validates the command,
// maps its PRPs and computes when it completes from the datapath and flash
// timing. execute_io() runs at that time and moves the data.
#include <algorithm>
#include <array>
#include <cstring>

#include "devices/nvme/controller.hpp"

namespace nvme {

namespace {
constexpr std::uint32_t kFua = 1u << 30;        // CDW12 Force Unit Access (Read, Write, Write Zeroes)
constexpr std::uint32_t kDeac = 1u << 25;       // CDW12 Deallocate (Write Zeroes)
constexpr std::uint32_t kDsmAd = 1u << 2;       // CDW11 Attribute - Deallocate (Dataset Management)
constexpr unsigned kDsmRangeSize = 16;

std::uint64_t slba_of(const Sqe& s) { return std::uint64_t{s.cdw11} << 32 | s.cdw10; }
std::uint64_t nlb_of(const Sqe& s) { return (s.cdw12 & 0xFFFF) + 1u; }  // 0's based
}  // namespace

Namespace* NvmeController::active_namespace(std::uint32_t nsid) const {
  if (nsid == 0 || nsid == kBroadcastNsid) return nullptr;
  return find_namespace(nsid);
}

std::uint64_t NvmeController::max_transfer_bytes() const {
  if (p_.mdts == 0) return ~std::uint64_t{0};
  return (4096ULL << p_.mps_min) << p_.mdts;  // MDTS is in units of CAP.MPSMIN
}

sim::Picos NvmeController::plan_io(Command& c, sim::Picos t) {
  const Sqe& s = c.sqe;
  const auto fail = [&](Status st) {
    c.status = st;
    return t;
  };
  if (sqe_fuse(s) != 0 || sqe_psdt(s) != 0) return fail(kInvalidField);
  if (s.opcode == io::kFlush) {
    // NSID FFFFFFFFh flushes every namespace (Identify VWC bits 2:1 = 11b).
    if (s.nsid != kBroadcastNsid && !(c.ns = active_namespace(s.nsid))) return fail(kInvalidNamespace);
    return features_.volatile_write_cache ? datapath_.flash().flush(t) : t;
  }
  if (s.opcode != io::kRead && s.opcode != io::kWrite && s.opcode != io::kWriteZeroes &&
      s.opcode != io::kDatasetManagement)
    return fail(kInvalidOpcode);
  if (!(c.ns = active_namespace(s.nsid))) return fail(kInvalidNamespace);
  Namespace& ns = *c.ns;

  if (s.opcode == io::kDatasetManagement) {
    const std::uint32_t nr = (s.cdw10 & 0xFF) + 1;
    std::array<std::uint8_t, 256 * kDsmRangeSize> buf{};
    sim::Picos list = 0;
    Status st = map_prps(c, nr * kDsmRangeSize, c.segs, &list);
    if (st.ok()) st = dma_segments(c.segs, buf.data(), false);
    if (!st.ok()) return fail(st);
    t = datapath_.from_host(link(), t + list, nr * kDsmRangeSize);
    c.ranges.clear();
    for (std::uint32_t i = 0; i < nr; ++i) {
      std::uint32_t nlb = 0;
      std::uint64_t slba = 0;
      std::memcpy(&nlb, buf.data() + i * kDsmRangeSize + 4, 4);
      std::memcpy(&slba, buf.data() + i * kDsmRangeSize + 8, 8);
      if (nlb != 0 && !ns.in_range(slba, nlb)) return fail(kLbaOutOfRange);
      c.ranges.push_back(DsmRange{slba, nlb});
    }
    return t + p_.timing.deallocate_latency;
  }

  const std::uint64_t slba = slba_of(s), nlb = nlb_of(s);
  if (!ns.in_range(slba, nlb)) return fail(kLbaOutOfRange);
  if (s.opcode == io::kWriteZeroes) return t + p_.timing.deallocate_latency;

  const std::uint64_t len = nlb * ns.lba_bytes();
  if (len > max_transfer_bytes()) return fail(kInvalidField);  // more than MDTS
  sim::Picos list = 0;
  const Status st = map_prps(c, len, c.segs, &list);
  if (!st.ok()) return fail(st);
  t += list;  // PRP lists are read before the data moves
  if (s.opcode == io::kRead) {
    const sim::Picos media = datapath_.flash().read(t, ns.nsid(), slba * ns.lba_bytes(), len);
    return datapath_.to_host(link(), media, len);
  }
  const bool durable = (s.cdw12 & kFua) || !features_.volatile_write_cache;
  return datapath_.flash().write(datapath_.from_host(link(), t, len), len, durable);
}

Status NvmeController::execute_io(Command& c) {
  if (!c.status.ok()) return c.status;
  const Sqe& s = c.sqe;
  const bool durable = (s.cdw12 & kFua) || !features_.volatile_write_cache;
  switch (s.opcode) {
    case io::kFlush: {
      bool ok = true;
      for (const auto& ns : namespaces_)
        if (!c.ns || c.ns == ns.get()) ok = ns->flush() && ok;
      return ok ? kSuccess : kWriteFault;
    }
    case io::kRead: {
      const std::uint64_t len = nlb_of(s) * c.ns->lba_bytes();
      io_buf_.resize(len);
      if (!c.ns->read(slba_of(s), nlb_of(s), io_buf_.data())) {
        ++health_.media_errors;
        return kUnrecoveredReadError;
      }
      const Status st = dma_segments(c.segs, io_buf_.data(), true);
      if (st.ok()) {
        health_.bytes_read += len;
        ++health_.host_reads;
      }
      return st;
    }
    case io::kWrite: {
      const std::uint64_t len = nlb_of(s) * c.ns->lba_bytes();
      io_buf_.resize(len);
      const Status st = dma_segments(c.segs, io_buf_.data(), false);
      if (!st.ok()) return st;  // nothing is written when the data cannot be fetched
      if (!c.ns->write(slba_of(s), nlb_of(s), io_buf_.data(), durable)) {
        ++health_.media_errors;
        return kWriteFault;
      }
      health_.bytes_written += len;
      ++health_.host_writes;
      return kSuccess;
    }
    case io::kWriteZeroes: {
      const bool ok = (s.cdw12 & kDeac) ? c.ns->deallocate(slba_of(s), nlb_of(s))
                                        : c.ns->write_zeroes(slba_of(s), nlb_of(s), durable);
      return ok ? kSuccess : kWriteFault;
    }
    case io::kDatasetManagement: {
      if (!(s.cdw11 & kDsmAd)) return kSuccess;  // only hints otherwise
      for (const DsmRange& r : c.ranges)
        if (r.nlb && !c.ns->deallocate(r.slba, r.nlb)) return kWriteFault;
      return kSuccess;
    }
    default: return kInvalidOpcode;
  }
}

}  // namespace nvme
