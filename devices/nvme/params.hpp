// NvmeParams: everything a scenario can set for one NVMe controller. Plain
// data with documented defaults, so the platform can fill it from YAML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/nvme/timing_profile.hpp"
#include "devices/pci/pcie_link.hpp"

namespace nvme {

struct NamespaceParams {
  /// Namespace ID, 1-based. 0 means "the next free ID" (index + 1).
  std::uint32_t nsid = 0;
  /// Capacity in bytes; rounded down to whole logical blocks.
  std::uint64_t size_bytes = 1ULL << 30;
  /// Logical block size: 512 or 4096.
  unsigned lba_bytes = 512;
  /// Backing image file. Empty: a sparse in-memory store (untouched blocks
  /// cost nothing). Otherwise the file is opened read-write, created sparse
  /// with the namespace size if missing, and extended if shorter.
  std::string image;
};

struct NvmeParams {
  // Identification.
  std::uint16_t vendor_id = 0x1234;  // unassigned by PCI-SIG; customary for emulated devices
  std::uint16_t device_id = 0x4E56;  // "NV"
  std::uint16_t subsystem_vendor_id = 0x1234;
  std::uint16_t subsystem_id = 0x0001;
  std::string serial = "DRVSIM-NVME-0001";  // Identify SN, 20 ASCII chars max
  std::string model = "drvsim NVMe SSD";     // Identify MN, 40 ASCII chars max
  std::string firmware = "1.0";              // Identify FR, 8 ASCII chars max

  std::vector<NamespaceParams> namespaces = {NamespaceParams{}};

  // Interrupts.
  unsigned msix_vectors = 17;  // MSI-X table size: admin + 16 I/O queues
  unsigned msi_vectors = 8;    // MSI Multiple Message Capable (1, 2, 4, .. 32; 0 = no MSI)

  // Queues.
  unsigned max_io_queues = 64;          // I/O SQs and CQs each (Number of Queues)
  std::uint32_t max_queue_entries = 4096;  // CAP.MQES + 1 (2..65536)
  unsigned doorbell_stride = 0;         // CAP.DSTRD: doorbells 4 << DSTRD bytes apart
  unsigned mps_min = 0, mps_max = 4;    // CAP.MPSMIN/MPSMAX: 4 KiB .. 64 KiB pages
  unsigned mdts = 7;                    // 2^MDTS x min page = 512 KiB per command; 0 = no limit
  unsigned aerl = 3;                    // Asynchronous Event Request Limit, 0's based
  unsigned acl = 3;                     // Abort Command Limit, 0's based
  unsigned elpe = 63;                   // Error Log Page Entries, 0's based

  // Write cache.
  bool volatile_write_cache = true;  // Identify VWC.present; Feature 06h default on
  /// Dirty data kept in host memory beyond this is written back (a real
  /// drive destages in the background too). Not a timing parameter.
  std::uint64_t dirty_limit_bytes = 256ULL << 20;

  /// One debug trace event per I/O command (fetch and completion). Off by
  /// default: at a million commands per second the trace would dominate.
  bool trace_io = false;

  TimingProfile timing;
  pci::PcieLinkParams link;  // PCIe 3.0 x4 by default
};

}  // namespace nvme
