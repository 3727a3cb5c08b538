#include "devices/usb/descriptors.hpp"

namespace usb {

namespace {
void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
}  // namespace

Bytes device_descriptor(const DeviceInfo& d) {
  Bytes b{static_cast<std::uint8_t>(kDeviceDescriptorSize), kDescDevice};
  put16(b, d.bcdUSB);
  b.push_back(d.bDeviceClass);
  b.push_back(d.bDeviceSubClass);
  b.push_back(d.bDeviceProtocol);
  b.push_back(d.bMaxPacketSize0);
  put16(b, d.idVendor);
  put16(b, d.idProduct);
  put16(b, d.bcdDevice);
  b.push_back(d.iManufacturer);
  b.push_back(d.iProduct);
  b.push_back(d.iSerialNumber);
  b.push_back(d.bNumConfigurations);
  return b;
}

Bytes configuration_descriptor(const ConfigurationInfo& c, bool superspeed) {
  Bytes b{static_cast<std::uint8_t>(kConfigurationDescriptorSize), kDescConfiguration, 0, 0};
  std::uint8_t num_interfaces = 0;
  for (const auto& i : c.interfaces)
    if (i.bAlternateSetting == 0) ++num_interfaces;
  b.push_back(num_interfaces);
  b.push_back(c.bConfigurationValue);
  b.push_back(c.iConfiguration);
  b.push_back(c.bmAttributes);
  b.push_back(c.bMaxPower);
  for (const auto& i : c.interfaces) {
    b.insert(b.end(), {static_cast<std::uint8_t>(kInterfaceDescriptorSize), kDescInterface, i.bInterfaceNumber,
                       i.bAlternateSetting, static_cast<std::uint8_t>(i.endpoints.size()), i.bInterfaceClass,
                       i.bInterfaceSubClass, i.bInterfaceProtocol, i.iInterface});
    for (const auto& e : i.endpoints) {
      b.insert(b.end(), {static_cast<std::uint8_t>(kEndpointDescriptorSize), kDescEndpoint, e.bEndpointAddress,
                         static_cast<std::uint8_t>(e.type)});
      put16(b, e.wMaxPacketSize);
      b.push_back(e.bInterval);
      if (superspeed) {
        b.insert(b.end(), {static_cast<std::uint8_t>(kSsCompanionDescriptorSize), kDescSsEndpointCompanion,
                           e.bMaxBurst, e.bmAttributes_ss});
        // wBytesPerInterval: periodic endpoints only.
        const bool periodic = e.type == EndpointType::interrupt || e.type == EndpointType::isochronous;
        put16(b, periodic ? static_cast<std::uint16_t>(e.wMaxPacketSize * (e.bMaxBurst + 1)) : 0);
      }
    }
  }
  const auto total = static_cast<std::uint16_t>(b.size());
  b[2] = static_cast<std::uint8_t>(total & 0xFF);
  b[3] = static_cast<std::uint8_t>(total >> 8);
  return b;
}

Bytes langid_descriptor() { return Bytes{4, kDescString, 0x09, 0x04}; }

Bytes string_descriptor(std::string_view ascii) {
  if (ascii.size() > 126) ascii = ascii.substr(0, 126);  // bLength is one byte
  Bytes b{static_cast<std::uint8_t>(2 + 2 * ascii.size()), kDescString};
  for (char ch : ascii) put16(b, static_cast<std::uint8_t>(ch));
  return b;
}

Bytes bos_descriptor(bool superspeed) {
  Bytes b{5, kDescBos, 0, 0, static_cast<std::uint8_t>(superspeed ? 2 : 1)};
  // USB 2.0 Extension (USB 3.2 §9.6.2.1): bmAttributes bit 1 = LPM supported.
  b.insert(b.end(), {7, kDescDeviceCapability, 0x02, 0x02, 0x00, 0x00, 0x00});
  if (superspeed) {
    // SuperSpeed USB Device Capability (§9.6.2.2): speeds supported FS|HS|SS,
    // functionality from full speed, U1 exit latency 10 us, U2 exit 2047 us.
    b.insert(b.end(), {10, kDescDeviceCapability, 0x03, 0x00, 0x0E, 0x00, 0x01, 0x0A, 0xFF, 0x07});
  }
  const auto total = static_cast<std::uint16_t>(b.size());
  b[2] = static_cast<std::uint8_t>(total & 0xFF);
  b[3] = static_cast<std::uint8_t>(total >> 8);
  return b;
}

Bytes device_qualifier_descriptor(const DeviceInfo& d) {
  Bytes b{10, kDescDeviceQualifier};
  put16(b, d.bcdUSB);
  b.push_back(d.bDeviceClass);
  b.push_back(d.bDeviceSubClass);
  b.push_back(d.bDeviceProtocol);
  b.push_back(64);
  b.push_back(d.bNumConfigurations);
  b.push_back(0);
  return b;
}

}  // namespace usb
