#include "drivers/pcid/client.hpp"

#include <cstring>
#include <string>

#include "drivers/hal/cqe_status.hpp"

namespace pcid {

hal::Result<PcidClient> PcidClient::attach(hal::Sys& sys) {
  hal::Result<hal::Channel> ch = sys.attach("pcid", kRingEntries, kPoolBytes);
  if (!ch) return ch.error().with_context("attach pcid");
  if (ch->ring == nullptr) return hal::Error(hal::errc::proto, "attach pcid: no ring");
  return PcidClient(*ch);
}

PcidClient::PcidClient(hal::Channel channel) : channel_(channel), pool_(channel.pool.size) {}

hal::Task<hal::Result<std::uint64_t>> PcidClient::call(hal::SqEntry64 sqe, const char* what) {
  const hal::CqEntry64 c = co_await channel_.ring->call(sqe);
  co_return hal::result_from_status(c.status, std::string("pcid ") + what);
}

hal::Task<hal::Result<void>> PcidClient::call_void(hal::SqEntry64 sqe, const char* what) {
  const hal::Result<std::uint64_t> r = co_await call(sqe, what);
  if (!r) co_return r.error();
  co_return hal::ok();
}

hal::Task<hal::Result<FunctionConfig>> PcidClient::fetch_config() {
  const hal::Result<std::uint64_t> off = pool_.alloc(sizeof(FunctionConfig), alignof(FunctionConfig));
  if (!off) co_return off.error().with_context("pcid fetch config");
  struct Free {
    hal::PoolAllocator& pool;
    std::uint64_t off;
    ~Free() { pool.free(off); }
  } free_on_exit{pool_, *off};
  const hal::Result<std::uint64_t> r =
      co_await call(make_request(Op::fetch_config, 0, 0, 0, *off, sizeof(FunctionConfig)), "fetch config");
  if (!r) co_return r.error();
  if (*r < sizeof(FunctionConfig)) co_return hal::Error(hal::errc::proto, "pcid fetch config: short answer");
  FunctionConfig c;
  std::memcpy(&c, channel_.pool.data + *off, sizeof c);
  co_return c;
}

hal::Task<hal::Result<void>> PcidClient::enable_feature(Feature feature) {
  co_return co_await call_void(make_request(Op::enable_feature, static_cast<std::uint64_t>(feature)), "enable feature");
}

hal::Task<hal::Result<void>> PcidClient::disable_feature(Feature feature) {
  co_return co_await call_void(make_request(Op::disable_feature, static_cast<std::uint64_t>(feature)),
                               "disable feature");
}

hal::Task<hal::Result<unsigned>> PcidClient::set_msi_message(std::uint64_t address, std::uint32_t data,
                                                             unsigned vectors) {
  const hal::Result<std::uint64_t> r =
      co_await call(make_request(Op::set_msi_message, address, data, vectors), "set MSI message");
  if (!r) co_return r.error();
  co_return static_cast<unsigned>(*r);
}

hal::Task<hal::Result<std::uint32_t>> PcidClient::set_msi_mask(std::uint32_t bits) {
  const hal::Result<std::uint64_t> r = co_await call(make_request(Op::set_msi_mask, bits), "set MSI mask");
  if (!r) co_return r.error();
  co_return static_cast<std::uint32_t>(*r);
}

hal::Task<hal::Result<void>> PcidClient::set_msix_function_mask(bool masked) {
  co_return co_await call_void(make_request(Op::set_msix_function_mask, masked ? 1 : 0), "set MSI-X function mask");
}

hal::Task<hal::Result<std::uint32_t>> PcidClient::read_config(std::uint16_t offset) {
  const hal::Result<std::uint64_t> r = co_await call(make_request(Op::read_config, offset), "read config");
  if (!r) co_return r.error();
  co_return static_cast<std::uint32_t>(*r);
}

hal::Task<hal::Result<void>> PcidClient::write_config(std::uint16_t offset, std::uint32_t value) {
  co_return co_await call_void(make_request(Op::write_config, offset, value), "write config");
}

}  // namespace pcid
