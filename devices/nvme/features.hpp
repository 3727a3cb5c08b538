// Feature values (Get/Set Features, §5.21.1) - current values; defaults after
// every controller reset. No feature is saveable (ONCS.Save = 0).
#pragma once

#include <cstdint>

namespace nvme {

struct FeatureState {
  std::uint32_t arbitration = 0x7;         // 01h: AB = 111b (no burst limit), weights 0
  std::uint32_t power_management = 0;      // 02h: PS 0
  std::uint16_t temp_over = 343;           // 04h: over-temperature threshold, kelvin (= WCTEMP)
  std::uint16_t temp_under = 0;            // 04h: under-temperature threshold
  std::uint32_t error_recovery = 0;        // 05h: TLER
  bool volatile_write_cache = true;        // 06h: WCE
  std::uint16_t nsqa = 0, ncqa = 0;        // 07h: I/O queues allocated (1's based)
  std::uint32_t write_atomicity = 0;       // 0Ah
  std::uint32_t async_event_config = 0;    // 0Bh
  // 08h and 09h live in the Coalescer.
};

}  // namespace nvme
