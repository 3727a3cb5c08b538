#include "drivers/hal/irq.hpp"

#include <cstring>

#include "drivers/hal/file.hpp"

namespace hal {

Task<Result<IrqVector>> alloc_irq(Sys& sys, unsigned cpu) {
  const std::string path = "irq:cpu-" + std::to_string(cpu) + "/new";
  PoolAllocator& pool = sys.kernel_pool();
  const Result<std::uint64_t> off = pool.alloc(path.size());
  if (!off) co_return off.error();
  std::memcpy(sys.kernel_ring().pool().data + *off, path.data(), path.size());
  const CqEntry64 c = co_await sys.kernel_ring().call(make_sqe(Opcode::open, 0, *off, path.size()));
  pool.free(*off);
  if (status_is_error(c.status)) co_return error_from_status(c.status, "irq alloc");
  co_return IrqVector{c.status, cpu, static_cast<unsigned>(c.extra)};
}

// Not a coroutine: the call's own task is the whole of it (one frame and two
// transfers less per interrupt).
Task<Result<std::uint64_t>> wait_irq(Sys& sys, const IrqVector& irq) {
  return sys.kernel_ring().call_status(make_sqe(Opcode::read, irq.fd));
}

}  // namespace hal
