// What a QEMU machine holds, in drvsim's terms, and the QEMU command-line
// options that build it: QEMU's NVMe controller (1b36:0010) with nvme-ns
// namespaces, and QEMU's xHCI (qemu-xhci, 1b36:000d) with usb-storage
// devices. Disk images are sparse raw files in the machine's private
// directory unless the scenario names one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/qemu/qemu_process.hpp"

namespace qemu {

struct NvmeNamespaceSpec {
  std::uint32_t nsid = 1;
  std::uint64_t bytes = 1ULL << 30;
  unsigned lba_size = 512;
  std::string image;  // empty: a fresh sparse file
};

struct NvmeSpec {
  std::string name;
  std::uint8_t device = 0, function = 0;
  std::string serial = "DRVSIM-NVME-0001";
  unsigned msix_vectors = 17;   // msix_qsize
  unsigned max_io_queues = 64;  // max_ioqpairs
  unsigned mdts = 7;
  std::vector<NvmeNamespaceSpec> namespaces;
};

struct UsbStorageSpec {
  std::string name;
  unsigned port = 1;  // xHCI root-hub port number (1-based, USB 2 ports first)
  bool super_speed = false;
  std::uint64_t capacity = 64ULL << 20;
  unsigned block_size = 512;
  std::string serial = "DS0001";
  bool read_only = false;
  std::string image;
};

struct XhciSpec {
  std::string name;
  std::uint8_t device = 0, function = 0;
  unsigned usb2_ports = 4, usb3_ports = 4;
  std::vector<UsbStorageSpec> usb_devices;
};

struct MachineSpec {
  std::vector<NvmeSpec> nvme;
  std::vector<XhciSpec> xhci;
};

/// The -drive/-device options for `spec`, creating the images it needs in
/// `dir`. Throws std::invalid_argument for what QEMU's models cannot do the
/// same way (e.g. a high-speed device on a port QEMU would run at SuperSpeed).
std::vector<std::string> device_args(const MachineSpec& spec, const TempDir& dir);

}  // namespace qemu
