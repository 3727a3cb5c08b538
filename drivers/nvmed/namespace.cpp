#include "drivers/nvmed/namespace.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "drivers/nvmed/io_plan.hpp"
#include "drivers/nvmed/prp.hpp"
#include "drivers/nvmed/tasks.hpp"

namespace nvmed {

std::string human_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  unsigned u = 0;
  std::uint64_t whole = bytes;
  while (whole >= 1024 && u < 5) {
    whole /= 1024;
    ++u;
  }
  const std::uint64_t unit = 1ULL << (10 * u);
  char b[48];
  if (bytes % unit == 0)
    std::snprintf(b, sizeof b, "%llu %s", static_cast<unsigned long long>(bytes / unit), units[u]);
  else
    std::snprintf(b, sizeof b, "%.1f %s", static_cast<double>(bytes) / static_cast<double>(unit), units[u]);
  return b;
}

std::uint64_t Namespace::bounce_piece(std::uint64_t buffer_bytes) const {
  // One Read or Write per piece: never above MDTS.
  return std::min<std::uint64_t>(buffer_bytes, limits_.max_transfer_bytes);
}

Namespace::Namespace(Engine& engine, NamespaceInfo info, IoLimits limits, DmaPool& prp_pages, DmaPool& bounce)
    : engine_(engine), info_(info), limits_(limits), prp_pages_(prp_pages), bounce_(bounce) {}

hal::Task<hal::Result<void>> Namespace::transfer(QueuePair& q, std::uint8_t opcode, std::uint64_t slba,
                                                 std::uint32_t nlb, std::uint64_t phys) {
  const std::uint64_t bytes = std::uint64_t{nlb} * info_.lba_bytes;
  const PrpLayout layout = prp_layout(phys, bytes, limits_.page_bytes);
  std::vector<hal::DmaBuffer> lists;
  if (layout.list_pages > 0) {
    hal::Result<std::vector<hal::DmaBuffer>> got = co_await prp_pages_.acquire_many(layout.list_pages);
    if (!got) co_return got.error().with_context("PRP list");
    lists = std::move(*got);
  }
  struct Give {
    DmaPool& pool;
    std::vector<hal::DmaBuffer>& l;
    ~Give() {
      for (const auto& b : l) pool.release(b);
    }
  } give_back{prp_pages_, lists};
  const hal::Result<Prps> prps = build_prps(phys, bytes, limits_.page_bytes, lists);
  if (!prps) co_return prps.error();
  ++counters_.commands;
  const hal::Result<CommandResult> r =
      co_await engine_.execute(q, make_read_write(opcode, info_.nsid, slba, nlb, prps->prp1, prps->prp2));
  const auto where = [&] {
    return std::string(opcode_name(opcode, false)) + " nsid " + std::to_string(info_.nsid) + " LBA " +
           std::to_string(slba) + "+" + std::to_string(nlb);
  };
  if (!r) co_return r.error().with_context(where());
  if (!r->status.ok()) co_return hal::Error(r->status.to_errno(), where() + ": " + r->status.str());
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Namespace::direct(QueuePair& q, std::uint8_t opcode, std::uint64_t offset,
                                               hal::DmaBuffer buf) {
  ++counters_.direct;
  const std::uint32_t lba = info_.lba_bytes;
  // One command (the common case: at most MDTS): the transfer's own task, no
  // plan, no join, no frame of this function's.
  if (buf.size <= std::max<std::uint64_t>(lba, limits_.max_transfer_bytes / lba * lba))  // plan_direct's step
    return transfer(q, opcode, offset / lba, static_cast<std::uint32_t>(buf.size / lba), buf.phys);
  return direct_pieces(q, opcode, offset, buf);
}

hal::Task<hal::Result<void>> Namespace::direct_pieces(QueuePair& q, std::uint8_t opcode, std::uint64_t offset,
                                                      hal::DmaBuffer buf) {
  const std::vector<IoPiece> pieces = plan_direct(offset, buf.size, info_.lba_bytes, limits_.max_transfer_bytes);
  std::vector<hal::Task<hal::Result<void>>> tasks;
  for (const IoPiece& p : pieces) tasks.push_back(transfer(q, opcode, p.slba, p.nlb, buf.phys + p.buf_offset));
  co_return co_await run_all(engine_.sys().executor(), engine_.keep(), std::move(tasks), "nvmed.piece");
}

hal::Task<hal::Result<void>> Namespace::bounce_read(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf) {
  ++counters_.bounced;
  hal::Result<hal::DmaBuffer> bb = co_await bounce_.acquire();
  if (!bb) co_return bb.error().with_context("bounce buffer");
  struct Give {
    DmaPool& pool;
    hal::DmaBuffer b;
    ~Give() { pool.release(b); }
  } give_back{bounce_, *bb};
  for (const IoPiece& p : plan_bounce(offset, buf.size, info_.lba_bytes, bounce_piece(bb->size))) {
    const hal::Result<void> r = co_await transfer(q, nvm_opc::kRead, p.slba, p.nlb, bb->phys);
    if (!r) co_return r.error();
    std::memcpy(buf.data + p.buf_offset, bb->data + p.skip, p.bytes);
  }
  co_return hal::ok();
}

hal::Task<hal::Result<void>> Namespace::bounce_write(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf) {
  ++counters_.bounced;
  hal::Result<hal::DmaBuffer> bb = co_await bounce_.acquire();
  if (!bb) co_return bb.error().with_context("bounce buffer");
  struct Give {
    DmaPool& pool;
    hal::DmaBuffer b;
    ~Give() { pool.release(b); }
  } give_back{bounce_, *bb};
  const std::uint32_t lba = info_.lba_bytes;
  for (const IoPiece& p : plan_bounce(offset, buf.size, lba, bounce_piece(bb->size))) {
    const bool head = p.head_partial(), tail = p.tail_partial(lba);
    BlockRangeLock::Guard guard = co_await writes_.lock(p.slba, p.slba + p.nlb - 1, head || tail);
    if (head || tail) ++counters_.read_modify_writes;
    if (head) {
      const hal::Result<void> r = co_await transfer(q, nvm_opc::kRead, p.slba, 1, bb->phys);
      if (!r) co_return r.error().with_context("read-modify-write");
    }
    if (tail && (p.nlb > 1 || !head)) {
      const std::uint64_t last = std::uint64_t{p.nlb - 1} * lba;
      const hal::Result<void> r = co_await transfer(q, nvm_opc::kRead, p.slba + p.nlb - 1, 1, bb->phys + last);
      if (!r) co_return r.error().with_context("read-modify-write");
    }
    std::memcpy(bb->data + p.skip, buf.data + p.buf_offset, p.bytes);
    const hal::Result<void> w = co_await transfer(q, nvm_opc::kWrite, p.slba, p.nlb, bb->phys);
    if (!w) co_return w.error();
  }
  co_return hal::ok();
}

hal::Task<hal::Result<std::uint64_t>> Namespace::read(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf) {
  const std::uint64_t size = size_bytes();
  if (offset >= size || buf.size == 0) co_return std::uint64_t{0};
  buf.size = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size, size - offset));
  hal::Result<void> r = hal::ok();
  if (can_go_direct(offset, buf.size, buf.phys, info_.lba_bytes))
    r = co_await direct(q, nvm_opc::kRead, offset, buf);
  else {
    engine_.sys().log(hal::LogLevel::debug, "nvmed.bounce",
                      "read nsid=" + std::to_string(info_.nsid) + " offset=" + std::to_string(offset) +
                          " len=" + std::to_string(buf.size));
    r = co_await bounce_read(q, offset, buf);
  }
  if (!r) co_return r.error();
  co_return std::uint64_t{buf.size};
}

hal::Task<hal::Result<std::uint64_t>> Namespace::write(QueuePair& q, std::uint64_t offset, hal::DmaBuffer buf) {
  const std::uint64_t size = size_bytes();
  if (buf.size == 0) co_return std::uint64_t{0};
  if (offset >= size) co_return hal::Error(hal::errc::nospc, "write beyond the end of the namespace");
  buf.size = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size, size - offset));
  hal::Result<void> r = hal::ok();
  if (can_go_direct(offset, buf.size, buf.phys, info_.lba_bytes)) {
    const std::uint64_t first = offset / info_.lba_bytes, last = (offset + buf.size - 1) / info_.lba_bytes;
    BlockRangeLock::Guard guard = co_await writes_.lock(first, last, false);
    r = co_await direct(q, nvm_opc::kWrite, offset, buf);
  } else {
    engine_.sys().log(hal::LogLevel::debug, "nvmed.bounce",
                      "write nsid=" + std::to_string(info_.nsid) + " offset=" + std::to_string(offset) +
                          " len=" + std::to_string(buf.size));
    r = co_await bounce_write(q, offset, buf);
  }
  if (!r) co_return r.error();
  co_return std::uint64_t{buf.size};
}

hal::Task<hal::Result<void>> Namespace::flush(QueuePair& q) {
  const hal::Result<CommandResult> r = co_await engine_.execute(q, make_flush(info_.nsid));
  if (!r) co_return r.error().with_context("Flush");
  if (!r->status.ok()) co_return hal::Error(r->status.to_errno(), "Flush: " + r->status.str());
  co_return hal::ok();
}

}  // namespace nvmed
