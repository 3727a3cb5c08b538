#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include "usb_host.hpp"

using namespace usb;
using namespace usbtest;

TEST(UsbDevice, HighSpeedDescriptors) {
  UsbMassStorage d("disk", UsbStorageParams{});
  d.set_attached(true);
  auto dev = req(d, 0x80, kGetDescriptor, kDescDevice << 8, 0, 18);
  ASSERT_EQ(dev.data.size(), 18u);
  EXPECT_EQ(dev.data[1], kDescDevice);
  EXPECT_EQ(dev.data[7], 64);  // bMaxPacketSize0
  EXPECT_EQ(req(d, 0x80, kGetDescriptor, kDescDevice << 8, 0, 8).data.size(), 8u);
  auto cfg = req(d, 0x80, kGetDescriptor, kDescConfiguration << 8, 0, 255).data;
  ASSERT_EQ(cfg.size(), 9u + 9 + 7 + 7);
  EXPECT_EQ(cfg[9 + 5], 0x08);   // mass storage
  EXPECT_EQ(cfg[9 + 6], 0x06);   // SCSI
  EXPECT_EQ(cfg[9 + 7], 0x50);   // BOT
  EXPECT_EQ(cfg[18 + 4] | (cfg[18 + 5] << 8), 512);  // bulk wMaxPacketSize
  auto s = req(d, 0x80, kGetDescriptor, (kDescString << 8) | 2, 0x409, 255).data;
  EXPECT_EQ(s[1], kDescString);
  EXPECT_EQ(s[2], 'd');
  EXPECT_EQ(req(d, 0x80, kGetDescriptor, kDescDeviceQualifier << 8, 0, 10).data.size(), 10u);
  EXPECT_EQ(req(d, 0x80, kGetDescriptor, (kDescString << 8) | 9, 0, 255).status, Status::stall);
}

TEST(UsbDevice, SuperSpeedHasCompanionsAndBos) {
  UsbStorageParams p;
  p.speed = Speed::super;
  UsbMassStorage d("disk", p);
  d.set_attached(true);
  auto dev = req(d, 0x80, kGetDescriptor, kDescDevice << 8, 0, 18).data;
  EXPECT_EQ(dev[2] | (dev[3] << 8), 0x0320);
  EXPECT_EQ(dev[7], 9);
  auto cfg = req(d, 0x80, kGetDescriptor, kDescConfiguration << 8, 0, 255).data;
  ASSERT_EQ(cfg.size(), 9u + 9 + 2 * (7 + 6));
  EXPECT_EQ(cfg[18 + 7 + 1], kDescSsEndpointCompanion);
  EXPECT_EQ(cfg[18 + 7 + 2], 15);  // bMaxBurst
  EXPECT_EQ(cfg[18 + 4] | (cfg[18 + 5] << 8), 1024);
  auto bos = req(d, 0x80, kGetDescriptor, kDescBos << 8, 0, 255).data;
  EXPECT_EQ(bos[1], kDescBos);
  EXPECT_EQ(bos[4], 2);
  EXPECT_EQ(req(d, 0x80, kGetDescriptor, kDescDeviceQualifier << 8, 0, 10).status, Status::stall);
}

TEST(UsbDevice, StandardRequests) {
  UsbMassStorage d("disk", UsbStorageParams{});
  d.set_attached(true);
  EXPECT_EQ(req(d, 0x00, kSetConfiguration, 1, 0, 0).status, Status::stall);  // Default state
  EXPECT_EQ(req(d, 0x00, kSetAddress, 200, 0, 0).status, Status::stall);
  EXPECT_EQ(req(d, 0x00, kSetAddress, 7, 0, 0).status, Status::ack);
  EXPECT_EQ(d.address(), 7);
  EXPECT_EQ(req(d, 0x80, kGetConfiguration, 0, 0, 1).data, std::vector<std::uint8_t>{0});
  EXPECT_EQ(d.in(1, 512).status, Status::error);  // not configured
  EXPECT_EQ(req(d, 0x00, kSetConfiguration, 2, 0, 0).status, Status::stall);
  EXPECT_EQ(req(d, 0x00, kSetConfiguration, 1, 0, 0).status, Status::ack);
  EXPECT_EQ(d.state(), DeviceState::configured);
  EXPECT_EQ(req(d, 0x80, kGetStatus, 0, 0, 2).data.size(), 2u);
  EXPECT_EQ(req(d, 0x02, kSetFeature, kFeatureEndpointHalt, 0x81, 0).status, Status::ack);
  EXPECT_EQ(req(d, 0x82, kGetStatus, 0, 0x81, 2).data[0], 1);
  EXPECT_EQ(d.in(1, 13).status, Status::stall);
  EXPECT_EQ(req(d, 0x02, kClearFeature, kFeatureEndpointHalt, 0x81, 0).status, Status::ack);
  EXPECT_EQ(req(d, 0x82, kGetStatus, 0, 0x81, 2).data[0], 0);
  EXPECT_EQ(req(d, 0x82, kGetStatus, 0, 0x83, 2).status, Status::stall);  // no such endpoint
  EXPECT_EQ(req(d, 0x01, kSetInterface, 0, 0, 0).status, Status::ack);
  EXPECT_EQ(req(d, 0x01, kSetInterface, 1, 0, 0).status, Status::stall);
  EXPECT_EQ(req(d, 0x81, kGetInterface, 0, 0, 1).data, std::vector<std::uint8_t>{0});
  d.bus_reset();
  EXPECT_EQ(d.address(), 0);
  EXPECT_EQ(d.state(), DeviceState::default_state);
}

TEST(BackingStore, MemoryStoreIsSparse) {
  MemoryStore m(1ULL << 40);  // a terabyte costs nothing until written
  std::vector<std::uint8_t> b(10, 0xAB), r(10);
  EXPECT_TRUE(m.write(5000, b));
  EXPECT_EQ(m.chunks(), 1u);
  EXPECT_TRUE(m.read(5000, r));
  EXPECT_EQ(r, b);
  EXPECT_FALSE(m.read((1ULL << 40) - 5, r));
}

TEST(BackingStore, FileStoreRoundTrip) {
  char path[] = "/tmp/drvsim-usb-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    FileStore f(path, 1 << 20);
    std::vector<std::uint8_t> b(4096, 0x5A), r(4096);
    EXPECT_TRUE(f.write(8192, b));
    EXPECT_TRUE(f.read(8192, r));
    EXPECT_EQ(r, b);
    EXPECT_FALSE(f.write((1 << 20) - 1, b));
  }
  FileStore again(path, 0);
  EXPECT_EQ(again.size(), 1u << 20);
  std::remove(path);
}
