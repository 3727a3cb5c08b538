#include "drivers/pcid/server.hpp"

#include <cstring>
#include <exception>
#include <string>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/pcid/features.hpp"
#include "drivers/pcid/protocol.hpp"
#include "drivers/pcid/regs.hpp"

namespace pcid {

namespace {

Reply error_reply(int code) { return Reply{hal::status_from_errno(code), 0}; }

Reply from(const hal::Result<std::uint64_t>& r) { return Reply{hal::status_from_result(r), 0}; }

Reply from(const hal::Result<void>& r) { return r ? Reply{0, 0} : error_reply(r.error().code()); }

bool valid_config_offset(std::uint64_t offset) { return offset % 4 == 0 && offset < kConfigSpaceSize; }

Reply fetch_config(const Function& f, const hal::SqEntry64& sqe, const hal::RingServer& ring) {
  const hal::Result<hal::DmaBuffer> buf = ring.buffer(sqe.addr, sqe.len);
  if (!buf) return error_reply(buf.error().code());
  if (buf->size < sizeof(FunctionConfig)) return error_reply(hal::errc::inval);
  const FunctionConfig c = f.config();
  std::memcpy(buf->data, &c, sizeof c);
  return Reply{sizeof c, 0};
}

Reply read_config(const PcidState& s, const Function& f, const hal::SqEntry64& sqe) {
  if (!valid_config_offset(sqe.offset)) return error_reply(hal::errc::inval);
  return Reply{s.ecam.read32(f.bdf, static_cast<std::uint16_t>(sqe.offset)), 0};
}

Reply write_config(const PcidState& s, const Function& f, const hal::SqEntry64& sqe) {
  const std::uint64_t value = sqe.additional[0];
  if (!valid_config_offset(sqe.offset) || value > 0xFFFF'FFFFULL) return error_reply(hal::errc::inval);
  if (owned_by_pcid(f, static_cast<std::uint32_t>(sqe.offset))) return error_reply(hal::errc::acces);
  // Exactly one dword, at exactly this offset (Redox's byte loop wrote the
  // one after it).
  s.ecam.write32(f.bdf, static_cast<std::uint16_t>(sqe.offset), static_cast<std::uint32_t>(value));
  return Reply{0, 0};
}

Reply dispatch(PcidState& s, const Function& f, const hal::SqEntry64& sqe, const hal::RingServer& ring) {
  switch (static_cast<Op>(sqe.opcode)) {
    case Op::fetch_config: return fetch_config(f, sqe, ring);
    case Op::enable_feature: return from(set_feature(s.ecam, f, sqe.offset, true));
    case Op::disable_feature: return from(set_feature(s.ecam, f, sqe.offset, false));
    case Op::set_msi_message:
      return from(set_msi_message(s.ecam, f, sqe.offset, sqe.additional[0], sqe.additional[1]));
    case Op::set_msi_mask: return from(set_msi_mask(s.ecam, f, sqe.offset));
    case Op::set_msix_function_mask: return from(set_msix_function_mask(s.ecam, f, sqe.offset));
    case Op::read_config: return read_config(s, f, sqe);
    case Op::write_config: return write_config(s, f, sqe);
  }
  return error_reply(hal::errc::nosys);
}

std::string describe(const hal::SqEntry64& sqe) {
  return "opcode=" + std::to_string(sqe.opcode) + " offset=" + std::to_string(sqe.offset);
}

}  // namespace

bool owned_by_pcid(const Function& f, std::uint32_t offset) {
  const std::uint32_t dword = offset & ~3u;
  if (dword >= regs::kBar0 && dword < regs::kBarEnd) return true;
  if (dword == regs::kExpansionRom || dword == regs::kCapabilitiesPointer) return true;
  if (f.msi.present && dword == f.msi.offset) return true;    // holds MSI Message Control
  if (f.msix.present && dword == f.msix.offset) return true;  // holds MSI-X Message Control
  return false;
}

Reply handle_request(PcidState& state, hal::Pid peer, const hal::SqEntry64& sqe, const hal::RingServer& ring) {
  const auto it = state.drivers.find(peer);
  if (it == state.drivers.end() || it->second >= state.functions.size()) return error_reply(hal::errc::perm);
  const Function& f = state.functions[it->second];
  try {
    return dispatch(state, f, sqe, ring);
  } catch (const hal::ErrorException&) {
    return error_reply(hal::errc::io);  // the configuration access itself failed
  } catch (const std::exception&) {
    return error_reply(hal::errc::io);
  }
}

hal::Task<void> serve_connection(std::shared_ptr<PcidState> state, hal::Connection conn) {
  hal::Sys& sys = *state->sys;
  const std::string who = "pid=" + std::to_string(conn.peer) + " program=" + conn.peer_program;
  const bool known = state->drivers.count(conn.peer) != 0;
  sys.log(known ? hal::LogLevel::info : hal::LogLevel::warn, "pcid.connection", who + (known ? "" : " unknown: EPERM"));
  for (;;) {
    hal::Result<hal::SqEntry64> sqe = co_await conn.ring->next();
    if (!sqe) break;
    const Reply r = handle_request(*state, conn.peer, *sqe, *conn.ring);
    if (hal::status_is_error(r.status))
      sys.log(hal::LogLevel::warn, "pcid.request.error",
              who + " " + describe(*sqe) + " error=" + hal::error_from_status(r.status, "").message());
    else
      sys.log(hal::LogLevel::debug, "pcid.request", who + " " + describe(*sqe));
    conn.ring->reply(*sqe, r.status, r.extra);
  }
  sys.log(hal::LogLevel::info, "pcid.connection.closed", who);
}

hal::Task<void> serve_forwarded(hal::RingServer* requests) {
  for (;;) {
    hal::Result<hal::SqEntry64> sqe = co_await requests->next();
    if (!sqe) co_return;
    if (sqe->opcode == static_cast<std::uint8_t>(hal::Opcode::close))
      requests->reply(*sqe, 0);
    else
      requests->reply_error(*sqe, hal::errc::nosys);
  }
}

hal::Task<int> accept_connections(std::shared_ptr<PcidState> state, hal::SchemeServer* scheme) {
  hal::Sys& sys = *state->sys;
  for (;;) {
    hal::Result<hal::Connection> c = co_await scheme->accept();
    if (!c) {
      sys.log(hal::LogLevel::info, "pcid.accept.end", c.error().message());
      co_return c.error().is(hal::errc::shutdown) ? 0 : 1;
    }
    const std::string name = "pcid connection pid " + std::to_string(c->peer);
    sys.executor().spawn(serve_connection(state, std::move(*c)), name);
  }
}

}  // namespace pcid
