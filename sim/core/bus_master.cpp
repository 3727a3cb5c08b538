#include "sim/core/bus_master.hpp"

#include <bit>
#include <cstring>

static_assert(std::endian::native == std::endian::little, "drvsim assumes a little-endian host, like its guests");

namespace sim {

void setup_payload(tlm::tlm_generic_payload& p, tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data,
                   unsigned len) {
  p.set_command(cmd);
  p.set_address(addr);
  p.set_data_ptr(data);
  p.set_data_length(len);
  p.set_streaming_width(len);
  p.set_byte_enable_ptr(nullptr);
  p.set_byte_enable_length(0);
  p.set_dmi_allowed(false);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

bool BusMaster::transport(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, unsigned len,
                          sc_core::sc_time& delay) {
  bool ok = false;
  payload_.use(cmd, addr, data, len, [&](tlm::tlm_generic_payload& p) {
    socket->b_transport(p, delay);
    ok = p.is_response_ok();
  });
  return ok;
}

std::uint64_t BusMaster::read(std::uint64_t addr, unsigned size, sc_core::sc_time& delay, bool* ok) {
  unsigned char buf[8];
  std::memset(buf, 0xFF, sizeof buf);
  const bool r = transport(tlm::TLM_READ_COMMAND, addr, buf, size, delay);
  if (ok) *ok = r;
  std::uint64_t v = 0;
  std::memcpy(&v, buf, size > 8 ? 8 : size);
  return v;
}

bool BusMaster::write(std::uint64_t addr, unsigned size, std::uint64_t value, sc_core::sc_time& delay) {
  unsigned char buf[8];
  std::memcpy(buf, &value, 8);
  return transport(tlm::TLM_WRITE_COMMAND, addr, buf, size, delay);
}

bool BusMaster::read_block(std::uint64_t addr, void* dst, unsigned len, sc_core::sc_time& delay) {
  return transport(tlm::TLM_READ_COMMAND, addr, static_cast<unsigned char*>(dst), len, delay);
}

bool BusMaster::write_block(std::uint64_t addr, const void* src, unsigned len, sc_core::sc_time& delay) {
  // TLM data pointers are non-const; a write target only reads the buffer.
  return transport(tlm::TLM_WRITE_COMMAND, addr, const_cast<unsigned char*>(static_cast<const unsigned char*>(src)),
                   len, delay);
}

}  // namespace sim
