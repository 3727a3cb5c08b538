#include "sim/platform/device_factory.hpp"

#include "devices/pci/pci_test_device.hpp"

namespace sim::platform {

namespace {

pci::PcieLinkParams link_params(const scenario::LinkSpec& l) {
  pci::PcieLinkParams p;
  p.generation = l.generation;
  p.lanes = l.lanes;
  p.max_payload = l.max_payload;
  p.max_read_request = l.max_read_request;
  p.latency = l.latency;
  return p;
}

}  // namespace

std::unique_ptr<pci::PciFunction> make_device(const scenario::DeviceSpec& d, Trace& trace, std::uint64_t seed) {
  if (const auto* t = std::get_if<scenario::PciTestSpec>(&d.config)) {
    pci::PciTestParams p;
    if (d.vendor_id) p.vendor_id = d.vendor_id;
    if (d.device_id) p.device_id = d.device_id;
    p.msi_vectors = t->msi_vectors;
    p.msi_per_vector_mask = t->msi_per_vector_mask;
    p.msix_vectors = t->msix_vectors;
    p.bar0_64bit = t->bar0_64bit;
    p.bar0_size = t->bar0_size;
    p.bar2_64bit = t->bar2_64bit;
    p.dma_bytes_per_second = t->dma_bytes_per_second;
    p.dma_jitter = t->dma_jitter;
    p.seed = seed;
    p.link = link_params(d.link);
    return std::make_unique<pci::PciTestDevice>(d.name.c_str(), trace, p);
  }
  throw scenario::ScenarioError(d.mark, "device type '" + d.type + "' is not supported by this platform");
}

}  // namespace sim::platform
