#include "devices/nvme/datapath.hpp"

#include <algorithm>

namespace nvme {

Datapath::Datapath(const TimingProfile& t) : cores_(std::max(1u, t.controller_cores), 0), flash_(t) {}

sim::Picos Datapath::firmware(sim::Picos t, sim::Picos cost) {
  auto it = std::min_element(cores_.begin(), cores_.end());  // first of the earliest: deterministic
  const sim::Picos end = std::max(t, *it) + cost;
  *it = end;
  return end;
}

void Datapath::prune(sim::Picos now) {
  up_.prune(now);
  down_.prune(now);
  flash_.prune(now);
}

sim::Picos Datapath::to_host(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes) {
  return up_.reserve(t, link.wire_time(bytes, link.params().max_payload)) + link.write_time(bytes);
}

sim::Picos Datapath::from_host(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes) {
  return from_host_measured(link, t, bytes, link.read_time(bytes));
}

sim::Picos Datapath::from_host_measured(const pci::PcieLink& link, sim::Picos t, std::uint64_t bytes,
                                        sim::Picos delay) {
  // The completions (the data) occupy the downstream direction.
  return down_.reserve(t, link.wire_time(bytes, link.params().max_payload)) + delay;
}

}  // namespace nvme
