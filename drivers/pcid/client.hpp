// PcidClient: the driver side of the pcid protocol (protocol.hpp), typed.
//
//   hal::Result<pcid::PcidClient> pcid = pcid::PcidClient::attach(sys);
//   hal::Result<pcid::FunctionConfig> cfg = co_await pcid->fetch_config();
//
// The client must stay where it is (not be moved) while a call is in flight.
#pragma once

#include <cstdint>

#include "drivers/hal/pool_allocator.hpp"
#include "drivers/hal/result.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/pcid/protocol.hpp"

namespace pcid {

class PcidClient {
 public:
  static constexpr std::uint32_t kRingEntries = 16;
  static constexpr std::size_t kPoolBytes = 4096;

  /// Attaches a ring to the "pcid" scheme.
  static hal::Result<PcidClient> attach(hal::Sys& sys);
  explicit PcidClient(hal::Channel channel);

  hal::Task<hal::Result<FunctionConfig>> fetch_config();
  hal::Task<hal::Result<void>> enable_feature(Feature feature);
  hal::Task<hal::Result<void>> disable_feature(Feature feature);
  /// Returns the vectors enabled.
  hal::Task<hal::Result<unsigned>> set_msi_message(std::uint64_t address, std::uint32_t data, unsigned vectors = 1);
  /// Returns the Mask Bits as read back.
  hal::Task<hal::Result<std::uint32_t>> set_msi_mask(std::uint32_t bits);
  hal::Task<hal::Result<void>> set_msix_function_mask(bool masked);
  hal::Task<hal::Result<std::uint32_t>> read_config(std::uint16_t offset);
  hal::Task<hal::Result<void>> write_config(std::uint16_t offset, std::uint32_t value);

  const hal::Channel& channel() const { return channel_; }

 private:
  hal::Task<hal::Result<std::uint64_t>> call(hal::SqEntry64 sqe, const char* what);
  hal::Task<hal::Result<void>> call_void(hal::SqEntry64 sqe, const char* what);

  hal::Channel channel_;
  hal::PoolAllocator pool_;
};

}  // namespace pcid
