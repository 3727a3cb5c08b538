// Injected faults on the USB mass-storage device (scenario `faults:`; see
// docs/devices/usb-storage.md#injected-faults). The host sees only what a
// real Bulk-Only device in that state would show.
//
//  - stall-next: the next N bulk transfers on the chosen pipe(s) get a STALL
//    handshake and halt the endpoint (USB 2.0 §8.4.5, §9.4.5) until
//    CLEAR_FEATURE(ENDPOINT_HALT). A stalled CBW is not taken (the host does
//    Reset Recovery, BOT 1.0 §5.3.1/§5.3.4); a stalled data stage ends the
//    data phase and the CSW says Command Failed with sense ABORTED COMMAND /
//    DATA PHASE ERROR (SPC-4 4Bh/00h), after which the host retries; a
//    stalled CSW is kept for the host's second try (BOT 1.0 §5.3.3).
//  - bad-csw: the next N CSWs carry a wrong dCSWSignature or dCSWTag, which
//    makes them not valid / not meaningful (BOT 1.0 §6.3.1, §6.3.2): the host
//    does Reset Recovery (§5.3.4).
#pragma once

#include <cstdint>

namespace usb {

enum class StallPipe : std::uint8_t { in, out, both };
enum class BadCswField : std::uint8_t { signature, tag };

struct StorageFaults {
  std::uint32_t stalls = 0;  // bulk transfers still to STALL
  StallPipe stall_pipe = StallPipe::both;
  std::uint32_t bad_csws = 0;  // CSWs still to corrupt
  BadCswField bad_csw_field = BadCswField::signature;
  // What happened, for tests and reports.
  std::uint64_t stalled = 0, corrupted = 0;
};

}  // namespace usb
