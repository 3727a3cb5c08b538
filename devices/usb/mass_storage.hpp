// A USB mass-storage device ("usb-storage"): one interface of class 08h
// (Mass Storage), subclass 06h (SCSI transparent command set), protocol 50h
// (Bulk-Only Transport), with a bulk IN and a bulk OUT endpoint, in front of a
// SCSI disk on a sparse backing store. High-speed (USB 2.0) or SuperSpeed
// (USB 3.x) variant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "devices/usb/backing_store.hpp"
#include "devices/usb/bot.hpp"
#include "devices/usb/scsi.hpp"
#include "devices/usb/storage_faults.hpp"
#include "devices/usb/usb_device.hpp"

namespace usb {

struct UsbStorageParams {
  Speed speed = Speed::high;              // high (USB 2.0) or super (USB 3.x)
  std::uint64_t capacity = 64ULL << 20;   // bytes
  std::uint32_t block_size = 512;         // bytes per logical block
  std::string vendor = "DRVSIM";          // SCSI INQUIRY vendor (8 chars)
  std::string product = "USB DISK";       // SCSI INQUIRY product (16 chars)
  std::string revision = "1.00";          // SCSI INQUIRY revision (4 chars)
  std::string serial = "DS0001";          // iSerialNumber and VPD page 80h
  std::string manufacturer_string = "drvsim";
  std::string product_string = "drvsim USB disk";
  std::uint16_t id_vendor = 0x1209;       // pid.codes: open-source VID
  std::uint16_t id_product = 0x0001;      // pid.codes test PID
  std::string backing_file;               // empty: sparse memory store
  bool read_only = false;
  bool power_on_unit_attention = true;    // SAM-5 §5.14; false: a device that never reports it
  sim::Picos attach_at = 0;               // simulated time the device is plugged in
  sim::Picos detach_at = 0;               // 0: never unplugged
  // Device timing; see docs/devices/usb-storage.md for the sources.
  sim::Picos read_latency = sim::us(30);  // per READ, before the first data packet
  sim::Picos write_latency = sim::us(40); // per WRITE, before the CSW
  std::uint64_t media_bytes_per_second = 0;  // 0: flash faster than the bus
  std::uint8_t max_burst = 15;            // SuperSpeed bMaxBurst (0..15)
};

class UsbMassStorage final : public UsbDevice {
 public:
  static constexpr std::uint8_t kBulkIn = 0x81;
  static constexpr std::uint8_t kBulkOut = 0x02;

  UsbMassStorage(std::string name, const UsbStorageParams& p);

  const UsbStorageParams& params() const { return p_; }
  scsi::ScsiDisk& disk() { return *disk_; }
  BackingStore& store() { return *store_; }
  const BulkOnlyTransport& bot() const { return *bot_; }

  // Injected faults (storage_faults.hpp, storage_faults.cpp).
  void inject_stall_next(std::uint32_t count, StallPipe pipe);
  void inject_bad_csw(std::uint32_t count, BadCswField field);
  const StorageFaults& faults() const { return faults_; }

 protected:
  ControlResult class_request(const SetupPacket& s, std::span<const std::uint8_t> data_out) override;
  InResult data_in(std::uint8_t endpoint, std::uint32_t max_length) override;
  OutResult data_out(std::uint8_t endpoint, std::span<const std::uint8_t> data) override;
  void on_reset() override;
  void on_configured(std::uint8_t value) override;

 private:
  void apply(const BulkOnlyTransport::Halts& h);
  bool stall_due(bool in);
  void corrupt_csw(InResult& r);

  UsbStorageParams p_;
  std::unique_ptr<BackingStore> store_;
  std::unique_ptr<scsi::ScsiDisk> disk_;
  std::unique_ptr<BulkOnlyTransport> bot_;
  StorageFaults faults_;
};

}  // namespace usb
