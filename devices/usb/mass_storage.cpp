#include "devices/usb/mass_storage.hpp"

namespace usb {

UsbMassStorage::UsbMassStorage(std::string name, const UsbStorageParams& p)
    : UsbDevice(std::move(name), p.speed == Speed::super ? Speed::super : Speed::high),
      p_(p),
      store_(make_backing_store(p.backing_file, p.capacity)) {
  scsi::DiskIdentity id;
  id.vendor = p.vendor;
  id.product = p.product;
  id.revision = p.revision;
  id.serial = p.serial;
  id.write_protected = p.read_only;
  id.power_on_unit_attention = p.power_on_unit_attention;
  disk_ = std::make_unique<scsi::ScsiDisk>(*store_, p.block_size, id,
                                           scsi::DiskTiming{p.read_latency, p.write_latency, p.media_bytes_per_second});
  bot_ = std::make_unique<BulkOnlyTransport>(*disk_, 0);

  const bool ss = speed() == Speed::super;
  DeviceInfo d;
  d.bcdUSB = ss ? 0x0320 : 0x0210;
  d.bMaxPacketSize0 = ss ? 9 : 64;  // SuperSpeed: 2^9 = 512
  d.idVendor = p.id_vendor;
  d.idProduct = p.id_product;
  d.iManufacturer = 1;
  d.iProduct = 2;
  d.iSerialNumber = 3;
  const std::uint16_t mps = ss ? 1024 : 512;  // bulk wMaxPacketSize (USB 3.2 §9.6.6, USB 2.0 §5.8.3)
  const std::uint8_t burst = ss ? (p.max_burst > 15 ? 15 : p.max_burst) : 0;
  InterfaceInfo intf;
  intf.bInterfaceClass = 0x08;     // Mass Storage
  intf.bInterfaceSubClass = 0x06;  // SCSI transparent command set
  intf.bInterfaceProtocol = 0x50;  // Bulk-Only Transport
  intf.endpoints = {EndpointInfo{kBulkIn, EndpointType::bulk, mps, 0, burst, 0},
                    EndpointInfo{kBulkOut, EndpointType::bulk, mps, 0, burst, 0}};
  ConfigurationInfo c;
  c.bMaxPower = ss ? 112 : 250;  // 896 mA / 500 mA ... in 8 mA / 2 mA units
  c.interfaces = {intf};
  set_descriptors(d, c, {p.manufacturer_string, p.product_string, p.serial});
}

void UsbMassStorage::apply(const BulkOnlyTransport::Halts& h) {
  if (h.in) set_halt(kBulkIn, true);
  if (h.out) set_halt(kBulkOut, true);
}

ControlResult UsbMassStorage::class_request(const SetupPacket& s, std::span<const std::uint8_t>) {
  if (s.type() != kRequestTypeClass || s.recipient() != kRecipientInterface || (s.wIndex & 0xFF) != 0)
    return ControlResult{Status::stall, {}, 0};
  if (s.bRequest == kBulkOnlyMassStorageReset && !s.device_to_host() && s.wValue == 0 && s.wLength == 0) {
    // §3.1: ready for a CBW; the halts stay until CLEAR_FEATURE (§5.3.4).
    bot_->reset();
    return ControlResult{Status::ack, {}, 0};
  }
  if (s.bRequest == kGetMaxLun && s.device_to_host() && s.wValue == 0 && s.wLength >= 1)
    return ControlResult{Status::ack, {0}, 0};  // one LUN (§3.2)
  return ControlResult{Status::stall, {}, 0};
}

InResult UsbMassStorage::data_in(std::uint8_t endpoint, std::uint32_t max_length) {
  if (endpoint != (kBulkIn & 0x0F)) return InResult{Status::stall, {}, 0};
  if (stall_due(true)) return InResult{Status::stall, {}, 0};  // an injected fault
  BulkOnlyTransport::Halts h;
  const bool csw = bot_->phase() == BulkOnlyTransport::Phase::status;
  InResult r = bot_->bulk_in(max_length, max_packet_size(kBulkIn), h);
  apply(h);
  if (csw) corrupt_csw(r);  // an injected fault, if one is due
  return r;
}

OutResult UsbMassStorage::data_out(std::uint8_t endpoint, std::span<const std::uint8_t> data) {
  if (endpoint != kBulkOut) return OutResult{Status::stall, 0, 0};
  if (stall_due(false)) {  // an injected fault
    if (bot_->phase() == BulkOnlyTransport::Phase::status) endpoint_ready(kBulkIn);
    return OutResult{Status::stall, 0, 0};
  }
  BulkOnlyTransport::Halts h;
  const bool was_command = bot_->phase() == BulkOnlyTransport::Phase::command;
  OutResult r = bot_->bulk_out(data, max_packet_size(kBulkOut), h);
  apply(h);
  // A CBW that makes data or a CSW ready answers a waiting IN.
  if (was_command && bot_->phase() != BulkOnlyTransport::Phase::command &&
      bot_->phase() != BulkOnlyTransport::Phase::data_out)
    endpoint_ready(kBulkIn);
  else if (bot_->phase() == BulkOnlyTransport::Phase::status)
    endpoint_ready(kBulkIn);
  return r;
}

void UsbMassStorage::on_reset() { bot_->reset(); }
void UsbMassStorage::on_configured(std::uint8_t) { bot_->reset(); }

}  // namespace usb
