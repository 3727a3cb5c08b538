#include "sim/platform/device_factory.hpp"

#include "devices/nvme/controller.hpp"
#include "devices/pci/pci_test_device.hpp"
#include "devices/usb/mass_storage.hpp"
#include "devices/usb/usb_capture.hpp"
#include "devices/xhci/xhci_controller.hpp"

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

// What an xHCI controller from a scenario owns besides itself: its USB
// devices and its capture. A base class constructed before the controller
// and destroyed after it, so the controller never sees them gone.
struct XhciParts {
  std::vector<std::unique_ptr<usb::UsbMassStorage>> devices;
  std::unique_ptr<usb::UsbCapture> capture;
};

class ScenarioXhci final : private XhciParts, public xhci::XhciController {
 public:
  ScenarioXhci(const scenario::DeviceSpec& d, const scenario::XhciSpec& x, Trace& trace, const xhci::XhciParams& p)
      : XhciController(d.name.c_str(), trace, p) {
    if (!x.capture.empty()) {
      capture = std::make_unique<usb::UsbCapture>(p.bus_number);
      try {
        capture->open(x.capture);
      } catch (const std::exception& e) {
        throw scenario::ScenarioError(d.mark, "cannot write the USB capture: " + std::string(e.what()));
      }
      set_capture(capture.get());
    }
    for (const scenario::UsbStorageSpec& u : x.usb_devices) {
      usb::UsbStorageParams sp;
      sp.speed = u.super_speed ? usb::Speed::super : usb::Speed::high;
      sp.capacity = u.capacity;
      sp.block_size = u.block_size;
      sp.backing_file = u.image;
      sp.read_only = u.read_only;
      sp.vendor = u.vendor;
      sp.product = u.product;
      sp.serial = u.serial;
      sp.attach_at = u.attach_at;
      sp.detach_at = u.detach_at;
      sp.read_latency = u.read_latency;
      sp.write_latency = u.write_latency;
      devices.push_back(std::make_unique<usb::UsbMassStorage>(u.name, sp));
      const unsigned port = u.port ? u.port : free_port(sp.speed);
      if (port == 0) throw scenario::ScenarioError(u.mark, "no free port of that speed for '" + u.name + "'");
      attach(port, *devices.back(), u.attach_at);
      if (u.detach_at) detach(port, u.detach_at);
    }
  }

  usb::UsbMassStorage* find(const std::string& name) const {
    for (const auto& d : devices)
      if (d->name() == name) return d.get();
    return nullptr;
  }
};

}  // namespace

usb::UsbMassStorage* find_usb_storage(pci::PciFunction& device, const std::string& name) {
  auto* x = dynamic_cast<ScenarioXhci*>(&device);
  return x ? x->find(name) : nullptr;
}

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
  if (const auto* n = std::get_if<scenario::NvmeSpec>(&d.config)) {
    nvme::NvmeParams p;
    if (d.vendor_id) p.vendor_id = d.vendor_id;
    if (d.device_id) p.device_id = d.device_id;
    p.serial = n->serial;
    p.model = n->model;
    p.firmware = n->firmware;
    p.namespaces.clear();
    for (const auto& ns : n->namespaces) {
      nvme::NamespaceParams np;
      np.nsid = ns.nsid;
      np.size_bytes = ns.size;
      np.lba_bytes = ns.lba_size;
      np.image = ns.image;
      p.namespaces.push_back(np);
    }
    p.msix_vectors = n->msix_vectors;
    p.max_io_queues = n->max_io_queues;
    p.max_queue_entries = n->queue_entries;
    p.volatile_write_cache = n->volatile_write_cache;
    p.mdts = n->mdts;
    const scenario::NvmeTimingSpec& t = n->timing;
    nvme::TimingProfile& tp = p.timing;
    if (t.controller_cores) tp.controller_cores = *t.controller_cores;
    if (t.max_fetch_batch) tp.max_fetch_batch = *t.max_fetch_batch;
    if (t.channels) tp.channels = *t.channels;
    if (t.dies_per_channel) tp.dies_per_channel = *t.dies_per_channel;
    if (t.io_command_overhead) tp.io_command_overhead = *t.io_command_overhead;
    if (t.admin_command_overhead) tp.admin_command_overhead = *t.admin_command_overhead;
    if (t.enable_latency) tp.enable_latency = *t.enable_latency;
    if (t.read_latency) tp.read_latency = *t.read_latency;
    if (t.program_latency) tp.program_latency = *t.program_latency;
    if (t.page_size) tp.page_bytes = static_cast<std::uint32_t>(*t.page_size);
    if (t.program_unit) tp.program_unit_bytes = static_cast<std::uint32_t>(*t.program_unit);
    if (t.channel_rate) tp.channel_bytes_per_second = *t.channel_rate;
    if (t.write_buffer) tp.write_buffer_bytes = *t.write_buffer;
    p.link = link_params(d.link);
    try {
      return std::make_unique<nvme::NvmeController>(d.name.c_str(), trace, p);
    } catch (const std::exception& e) {  // a bad parameter combination or an image that cannot be opened
      throw scenario::ScenarioError(d.mark, e.what());
    }
  }
  if (const auto* x = std::get_if<scenario::XhciSpec>(&d.config)) {
    xhci::XhciParams p;
    if (d.vendor_id) p.vendor_id = d.vendor_id;
    if (d.device_id) p.device_id = d.device_id;
    p.usb2_ports = x->usb2_ports;
    p.usb3_ports = x->usb3_ports;
    p.max_slots = x->max_slots;
    p.interrupters = x->interrupters;
    p.msix_vectors = x->msix_vectors;
    p.context_size = x->context_size;
    p.scratchpad_buffers = x->scratchpad_buffers;
    p.link = link_params(d.link);
    return std::make_unique<ScenarioXhci>(d, *x, trace, p);
  }
  throw scenario::ScenarioError(d.mark, "device type '" + d.type + "' is not supported by this platform");
}

}  // namespace sim::platform
