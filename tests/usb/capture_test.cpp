#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "devices/usb/usb_capture.hpp"

using namespace usb;

TEST(UsbCapture, WritesUsbmonRecordsWithSimulatedTime) {
  const std::string path = ::testing::TempDir() + "usb_capture_test.pcap";
  {
    UsbCapture c(3);
    c.open(path);
    Urb u;
    u.id = 42;
    u.type = EndpointType::control;
    u.endpoint = 0x80;
    u.device = 5;
    u.length = 18;
    u.setup = SetupPacket{0x80, kGetDescriptor, 0x0100, 0, 18};
    c.submit(u, {}, sim::us(1'500'000));
    const std::vector<std::uint8_t> desc(18, 0x12);
    c.complete(u, kUrbOk, 18, desc, sim::us(1'500'125));
    EXPECT_EQ(c.records(), 2u);
  }
  std::ifstream f(path, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GE(b.size(), 24u + 2 * 16 + 64 + 64 + 18);
  std::uint32_t magic = 0, linktype = 0;
  std::memcpy(&magic, b.data(), 4);
  std::memcpy(&linktype, b.data() + 20, 4);
  EXPECT_EQ(magic, 0xA1B2C3D4u);
  EXPECT_EQ(linktype, 220u);
  std::uint32_t sec = 0, usec = 0, caplen = 0;
  std::memcpy(&sec, b.data() + 24, 4);
  std::memcpy(&usec, b.data() + 28, 4);
  std::memcpy(&caplen, b.data() + 32, 4);
  EXPECT_EQ(sec, 1u);
  EXPECT_EQ(usec, 500'000u);
  EXPECT_EQ(caplen, 64u);
  const std::uint8_t* h = b.data() + 40;
  EXPECT_EQ(h[8], 'S');
  EXPECT_EQ(h[9], 2);      // control
  EXPECT_EQ(h[10], 0x80);  // endpoint
  EXPECT_EQ(h[11], 5);     // device
  EXPECT_EQ(h[12], 3);     // bus
  EXPECT_EQ(h[14], 0);     // setup present
  EXPECT_EQ(h[40 + 1], kGetDescriptor);
  const std::uint8_t* h2 = b.data() + 40 + 64 + 16;
  EXPECT_EQ(h2[8], 'C');
  std::uint32_t len_cap = 0;
  std::memcpy(&len_cap, h2 + 36, 4);
  EXPECT_EQ(len_cap, 18u);
  std::remove(path.c_str());
}
