#include "drivers/hal/file.hpp"

#include <cstring>
#include <stdexcept>

#include "drivers/hal/cqe_status.hpp"

namespace hal {

SqEntry64 make_sqe(Opcode op, Fd fd, std::uint64_t addr, std::uint64_t len, std::uint64_t offset) {
  SqEntry64 s{};
  s.opcode = static_cast<std::uint8_t>(op);
  s.fd = fd;
  s.addr = addr;
  s.len = len;
  s.offset = offset;
  return s;
}

namespace {
struct PoolPiece {
  PoolAllocator& a;
  std::uint64_t off;
  ~PoolPiece() { a.free(off); }
};
}  // namespace

Task<Result<Fd>> open(Sys& sys, std::string_view path, std::uint32_t flags) {
  PoolAllocator& pool = sys.kernel_pool();
  const Result<std::uint64_t> off = pool.alloc(path.size());
  if (!off) co_return off.error();
  PoolPiece piece{pool, *off};
  const DmaBuffer& b = sys.kernel_ring().pool();
  std::memcpy(b.data + *off, path.data(), path.size());
  SqEntry64 sqe = make_sqe(Opcode::open, 0, *off, path.size());
  sqe.syscall_flags = flags;
  const Result<std::uint64_t> r = co_await sys.kernel_ring().call_status(sqe);
  if (!r) co_return r.error().with_context("open " + std::string(path));
  co_return Fd{*r};
}

Task<Result<void>> close(Sys& sys, Fd fd) {
  const Result<std::uint64_t> r = co_await sys.kernel_ring().call_status(make_sqe(Opcode::close, fd));
  if (!r) co_return r.error();
  co_return ok();
}

// pread and pwrite are not coroutines: they hand back the call's own task,
// which saves a frame and two symmetric transfers on every I/O.
Task<Result<std::uint64_t>> pread(Sys& sys, Fd fd, std::uint64_t pool_offset, std::uint64_t len, std::uint64_t offset) {
  return sys.kernel_ring().call_status(make_sqe(Opcode::pread, fd, pool_offset, len, offset));
}

Task<Result<std::uint64_t>> pwrite(Sys& sys, Fd fd, std::uint64_t pool_offset, std::uint64_t len, std::uint64_t offset) {
  return sys.kernel_ring().call_status(make_sqe(Opcode::pwrite, fd, pool_offset, len, offset));
}

Task<Result<void>> fsync(Sys& sys, Fd fd) {
  const Result<std::uint64_t> r = co_await sys.kernel_ring().call_status(make_sqe(Opcode::fsync, fd));
  if (!r) co_return r.error();
  co_return ok();
}

Task<Result<Stat>> fstat(Sys& sys, Fd fd) {
  PoolAllocator& pool = sys.kernel_pool();
  const Result<std::uint64_t> off = pool.alloc(sizeof(Stat));
  if (!off) co_return off.error();
  PoolPiece piece{pool, *off};
  const Result<std::uint64_t> r =
      co_await sys.kernel_ring().call_status(make_sqe(Opcode::fstat, fd, *off, sizeof(Stat)));
  if (!r) co_return r.error();
  Stat st;
  std::memcpy(&st, sys.kernel_ring().pool().data + *off, sizeof st);
  co_return st;
}

}  // namespace hal
