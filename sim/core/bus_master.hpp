// A TLM-2.0 initiator with plain read/write calls: what a CPU (the kernel
// model, the built-in probe, a test) uses to issue physical accesses.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>

namespace sim {

/// Fills a generic payload for a simple access (no byte enables, no DMI).
void setup_payload(tlm::tlm_generic_payload& p, tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data,
                   unsigned len);

/// One initiator's generic payload, reused from one transaction to the next:
/// constructing a payload allocates its extension array, which was a visible
/// share of every DMA and MMIO access. A transaction started while the slot
/// is in use (a target that re-enters the same initiator) gets its own.
class PayloadSlot {
 public:
  /// Calls f(payload) with a payload set up for the access.
  template <class F>
  void use(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, unsigned len, F&& f) {
    if (busy_) {
      tlm::tlm_generic_payload own;
      setup_payload(own, cmd, addr, data, len);
      f(own);
      return;
    }
    busy_ = true;
    struct Release {
      bool& b;
      ~Release() { b = false; }
    } release{busy_};
    setup_payload(p_, cmd, addr, data, len);
    f(p_);
  }

 private:
  tlm::tlm_generic_payload p_;
  bool busy_ = false;
};


class BusMaster : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<BusMaster> socket;

  explicit BusMaster(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

  /// A read of `size` bytes (1, 2, 4 or 8) at `addr`. Adds the access time to
  /// `delay`. On an error response `ok` (if given) is false and the value is
  /// what the target left in the buffer (all ones for a master abort).
  std::uint64_t read(std::uint64_t addr, unsigned size, sc_core::sc_time& delay, bool* ok = nullptr);
  bool write(std::uint64_t addr, unsigned size, std::uint64_t value, sc_core::sc_time& delay);
  /// Block transfers to or from memory.
  bool read_block(std::uint64_t addr, void* dst, unsigned len, sc_core::sc_time& delay);
  bool write_block(std::uint64_t addr, const void* src, unsigned len, sc_core::sc_time& delay);

 private:
  bool transport(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, unsigned len,
                 sc_core::sc_time& delay);
  PayloadSlot payload_;
};

}  // namespace sim
