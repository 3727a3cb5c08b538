// The controller's shared resources: firmware cores (busy-until times: work
// arrives in time order) and the two directions of the PCIe link (calendars:
// transfers are reserved out of time order). A transfer occupies its
// direction for its wire time (serialisation) while the one-way latencies
// overlap, so back-to-back transfers reach the link's bandwidth. Together with the
// FlashModel this gives each command's timeline when it is dispatched.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/nvme/busy_calendar.hpp"
#include "devices/nvme/flash_model.hpp"
#include "devices/pci/pcie_link.hpp"

namespace nvme {

class Datapath {
 public:
  explicit Datapath(const TimingProfile& t);

  /// Runs `cost` of firmware on the earliest free core from `t`; returns its end.
  sim::Picos firmware(sim::Picos t, sim::Picos cost);
  /// Device -> host write of `bytes` ready at `t`: when it has landed.
  sim::Picos to_host(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes);
  /// Host -> device read of `bytes` issued at `t`: when the data is in.
  sim::Picos from_host(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes);
  /// A host read already performed (its `delay` measured by dma_read) that
  /// moved `bytes`: queues it behind earlier reads; returns its completion.
  sim::Picos from_host_measured(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes, sim::Picos delay);

  /// Forgets reservations that ended before `now` (called at each fetch).
  void prune(sim::Picos now);
  FlashModel& flash() { return flash_; }

 private:
  std::vector<sim::Picos> cores_;
  BusyCalendar up_, down_;
  FlashModel flash_;
};

}  // namespace nvme
