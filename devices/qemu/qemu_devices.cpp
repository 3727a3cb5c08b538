#include "devices/qemu/qemu_devices.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace qemu {

namespace {

std::string addr_of(std::uint8_t device, std::uint8_t function) {
  char b[16];
  std::snprintf(b, sizeof b, "%02x.%u", device, function);
  return b;
}

// A sparse raw image of `bytes`, or the scenario's own file (created if missing).
std::string image(const std::string& given, const TempDir& dir, const std::string& name, std::uint64_t bytes) {
  const std::string path = given.empty() ? dir.file(name + ".img") : given;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create disk image " + path + ": " + std::strerror(errno));
  struct stat st{};
  const bool sized = ::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) >= bytes;
  const int r = sized ? 0 : ::ftruncate(fd, static_cast<off_t>(bytes));
  ::close(fd);
  if (r != 0) throw std::runtime_error("cannot size disk image " + path + ": " + std::strerror(errno));
  return path;
}

// QEMU splits option values at commas; a comma in a value is written twice.
std::string escaped(const std::string& v) {
  std::string out;
  for (char c : v) {
    out += c;
    if (c == ',') out += ',';
  }
  return out;
}

}  // namespace

std::vector<std::string> device_args(const MachineSpec& spec, const TempDir& dir) {
  std::vector<std::string> a;
  for (const NvmeSpec& n : spec.nvme) {
    a.insert(a.end(), {"-device", "nvme,id=" + n.name + ",bus=pcie.0,addr=" + addr_of(n.device, n.function) +
                                      ",serial=" + escaped(n.serial) + ",msix_qsize=" + std::to_string(n.msix_vectors) +
                                      ",max_ioqpairs=" + std::to_string(n.max_io_queues) + ",mdts=" + std::to_string(n.mdts)});
    for (const NvmeNamespaceSpec& ns : n.namespaces) {
      const std::string id = n.name + "n" + std::to_string(ns.nsid);
      const std::string file = image(ns.image, dir, id, ns.bytes);
      const std::string lbs = std::to_string(ns.lba_size);
      a.insert(a.end(), {"-drive", "if=none,id=" + id + ",file=" + escaped(file) + ",format=raw,cache=unsafe",
                         "-device", "nvme-ns,bus=" + n.name + ",drive=" + id + ",nsid=" + std::to_string(ns.nsid) +
                                        ",logical_block_size=" + lbs + ",physical_block_size=" + lbs});
    }
  }
  for (const XhciSpec& x : spec.xhci) {
    a.insert(a.end(), {"-device", "qemu-xhci,id=" + x.name + ",bus=pcie.0,addr=" + addr_of(x.device, x.function) +
                                      ",p2=" + std::to_string(x.usb2_ports) + ",p3=" + std::to_string(x.usb3_ports)});
    for (const UsbStorageSpec& u : x.usb_devices) {
      // qemu-xhci numbers its USB 3 ports first: QEMU's USB bus port i is
      // xHCI port i (USB 3, when i <= p3) and port p3 + i (USB 2). A device
      // that can do SuperSpeed (usb-storage can) takes the USB 3 one when it
      // exists. drvsim numbers USB 2 ports first; the drivers read the
      // layout from the Supported Protocol capabilities either way.
      unsigned bus_port = u.port;
      if (u.super_speed) {
        if (u.port <= x.usb2_ports || u.port > x.usb2_ports + x.usb3_ports)
          throw std::invalid_argument(u.name + ": port " + std::to_string(u.port) + " is not a USB 3 port");
        bus_port = u.port - x.usb2_ports;
      } else {
        if (u.port == 0 || u.port > x.usb2_ports)
          throw std::invalid_argument(u.name + ": port " + std::to_string(u.port) + " is not a USB 2 port");
        if (u.port <= x.usb3_ports)
          throw std::invalid_argument(u.name + ": on QEMU a usb-storage device on port " + std::to_string(u.port) +
                                      " runs at SuperSpeed (the port has a USB 3 twin): give the xhci "
                                      "usb3_ports: 0 for a high-speed device");
      }
      const std::string file = image(u.image, dir, x.name + "-" + u.name, u.capacity);
      const std::string bs = std::to_string(u.block_size);
      // usb-bot with a scsi-hd rather than usb-storage: QEMU 7.2's
      // usb-storage accepts logical_block_size but its SCSI disk ignores it.
      a.insert(a.end(), {"-drive", "if=none,id=" + u.name + "-drive,file=" + escaped(file) + ",format=raw,cache=unsafe" +
                                       (u.read_only ? ",readonly=on" : ""),
                         "-device", "usb-bot,id=" + u.name + ",bus=" + x.name + ".0,port=" + std::to_string(bus_port) +
                                        ",serial=" + escaped(u.serial),
                         "-device", "scsi-hd,bus=" + u.name + ".0,drive=" + u.name + "-drive,serial=" + escaped(u.serial) +
                                        ",logical_block_size=" + bs + ",physical_block_size=" + bs});
    }
  }
  return a;
}

}  // namespace qemu
