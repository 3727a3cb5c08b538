#include "drivers/xhcid/descriptors.hpp"

#include <string>

namespace xhcid::usb {

const char* to_string(Speed s) {
  switch (s) {
    case Speed::unknown: return "unknown";
    case Speed::full: return "full";
    case Speed::low: return "low";
    case Speed::high: return "high";
    case Speed::super: return "super";
    case Speed::super_plus: return "super+";
  }
  return "unknown";
}

namespace {
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
hal::Error bad(const std::string& why) { return hal::Error(hal::errc::badmsg, "descriptor: " + why); }
}  // namespace

const EndpointDescriptor* InterfaceDescriptor::find_endpoint(TransferType type, bool in) const {
  for (const auto& e : endpoints)
    if (e.type() == type && e.is_in() == in) return &e;
  return nullptr;
}

const InterfaceDescriptor* ConfigurationDescriptor::find_interface(std::uint8_t cls, std::uint8_t subclass,
                                                                   std::uint8_t protocol) const {
  for (const auto& i : interfaces)
    if (i.bAlternateSetting == 0 && i.bInterfaceClass == cls && i.bInterfaceSubClass == subclass &&
        i.bInterfaceProtocol == protocol)
      return &i;
  return nullptr;
}

hal::Result<DeviceDescriptor> parse_device_descriptor(std::span<const std::uint8_t> b) {
  if (b.size() < kDeviceDescriptorSize) return bad("device descriptor shorter than 18 bytes");
  if (b[0] < kDeviceDescriptorSize || b[1] != kDescDevice) return bad("not a device descriptor");
  DeviceDescriptor d;
  d.bcdUSB = le16(&b[2]);
  d.bDeviceClass = b[4];
  d.bDeviceSubClass = b[5];
  d.bDeviceProtocol = b[6];
  d.bMaxPacketSize0 = b[7];
  d.idVendor = le16(&b[8]);
  d.idProduct = le16(&b[10]);
  d.bcdDevice = le16(&b[12]);
  d.iManufacturer = b[14];
  d.iProduct = b[15];
  d.iSerialNumber = b[16];
  d.bNumConfigurations = b[17];
  return d;
}

hal::Result<std::uint8_t> parse_max_packet_size0(std::span<const std::uint8_t> b) {
  if (b.size() < 8 || b[1] != kDescDevice || b[0] < 8) return bad("not the start of a device descriptor");
  if (b[7] == 0) return bad("bMaxPacketSize0 is 0");
  return b[7];
}

hal::Result<std::uint16_t> parse_total_length(std::span<const std::uint8_t> b) {
  if (b.size() < kConfigurationDescriptorSize || b[1] != kDescConfiguration || b[0] < kConfigurationDescriptorSize)
    return bad("not a configuration descriptor");
  const std::uint16_t total = le16(&b[2]);
  if (total < kConfigurationDescriptorSize) return bad("wTotalLength shorter than the configuration descriptor");
  return total;
}

hal::Result<ConfigurationDescriptor> parse_configuration(std::span<const std::uint8_t> b) {
  const hal::Result<std::uint16_t> total = parse_total_length(b);
  if (!total) return total.error();
  if (b.size() < *total) return bad("configuration set shorter than wTotalLength");
  ConfigurationDescriptor c;
  c.wTotalLength = *total;
  c.bNumInterfaces = b[4];
  c.bConfigurationValue = b[5];
  c.iConfiguration = b[6];
  c.bmAttributes = b[7];
  c.bMaxPower = b[8];
  InterfaceDescriptor* intf = nullptr;
  EndpointDescriptor* last_ep = nullptr;
  std::size_t off = b[0];
  while (off < *total) {
    if (*total - off < 2) return bad("truncated descriptor header");
    const std::uint8_t len = b[off], type = b[off + 1];
    if (len < 2) return bad("bLength below 2 at offset " + std::to_string(off));
    if (len > *total - off) return bad("descriptor runs past wTotalLength at offset " + std::to_string(off));
    const std::uint8_t* d = &b[off];
    switch (type) {
      case kDescInterface: {
        if (len < kInterfaceDescriptorSize) return bad("short interface descriptor");
        InterfaceDescriptor i;
        i.bInterfaceNumber = d[2];
        i.bAlternateSetting = d[3];
        i.bInterfaceClass = d[5];
        i.bInterfaceSubClass = d[6];
        i.bInterfaceProtocol = d[7];
        i.iInterface = d[8];
        c.interfaces.push_back(std::move(i));
        intf = &c.interfaces.back();
        last_ep = nullptr;
        break;
      }
      case kDescEndpoint: {
        if (len < kEndpointDescriptorSize) return bad("short endpoint descriptor");
        if (!intf) return bad("endpoint descriptor before any interface");
        EndpointDescriptor e;
        e.bEndpointAddress = d[2];
        e.bmAttributes = d[3];
        e.wMaxPacketSize = le16(&d[4]);
        e.bInterval = d[6];
        if ((e.bEndpointAddress & 0x0F) == 0) return bad("endpoint descriptor for endpoint 0");
        intf->endpoints.push_back(e);
        last_ep = &intf->endpoints.back();
        break;
      }
      case kDescSsEndpointCompanion: {
        if (len < kSsEndpointCompanionSize) return bad("short SuperSpeed Endpoint Companion descriptor");
        if (!last_ep) return bad("SuperSpeed Endpoint Companion without an endpoint");
        last_ep->has_companion = true;
        last_ep->bMaxBurst = d[2] > 15 ? 15 : d[2];
        last_ep->bmAttributes_ss = d[3];
        last_ep->wBytesPerInterval = le16(&d[4]);
        last_ep = nullptr;  // one companion per endpoint
        break;
      }
      default: break;  // class-specific and other descriptors are skipped
    }
    off += len;
  }
  return c;
}

unsigned ep0_max_packet(std::uint8_t bMaxPacketSize0, Speed speed) {
  if (speed == Speed::super || speed == Speed::super_plus)
    return bMaxPacketSize0 >= 1 && bMaxPacketSize0 <= 15 ? (1u << bMaxPacketSize0) : 512u;
  return bMaxPacketSize0;
}

}  // namespace xhcid::usb
