#include "storage_rig.hpp"

using namespace xhcitest;
using CC = CompletionCode;

TEST(XhciEnumeration, Usb2PortResetAndDescriptors) {
  StorageRig r;
  r.m.run([&] {
    r.m.init();
    r.m.wait(sim::ms(1));
    auto psc = r.m.wait_event(TrbType::port_status_change_event);
    ASSERT_TRUE(psc);
    EXPECT_EQ(psc->trb.d[0] >> 24, r.d.port);
    auto sc = r.m.portsc(r.d.port);
    EXPECT_EQ(sc & (kPortCcs | kPortCsc | kPortPp), kPortCcs | kPortCsc | kPortPp);
    EXPECT_EQ(sc & kPortPed, 0u);  // USB 2: disabled until reset
    EXPECT_EQ((sc & kPortPlsMask) >> kPortPlsShift, static_cast<unsigned>(Pls::polling));
    r.m.write_portsc(r.d.port, kPortCsc | kPortPp);  // RW1C
    EXPECT_EQ(r.m.portsc(r.d.port) & kPortCsc, 0u);
    const sim::Picos t0 = sim::now();
    r.m.write_portsc(r.d.port, kPortPr | kPortPp);
    EXPECT_EQ(r.m.portsc(r.d.port) & kPortPr, kPortPr);
    ASSERT_TRUE(r.m.wait_event(TrbType::port_status_change_event));
    EXPECT_GE(sim::now() - t0, sim::ms(50));  // TDRSTR
    sc = r.m.portsc(r.d.port);
    EXPECT_EQ(sc & (kPortPed | kPortPrc | kPortPr), kPortPed | kPortPrc);
    EXPECT_EQ((sc & kPortSpeedMask) >> kPortSpeedShift, kPsiHigh);
    EXPECT_EQ((sc & kPortPlsMask) >> kPortPlsShift, static_cast<unsigned>(Pls::u0));
    r.m.write_portsc(r.d.port, kPortPrc | kPortPp);
    ASSERT_EQ(r.m.address(r.d, r.d.port, usb::Speed::high), CC::success);
    const Event e = r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, usb::kDescDevice << 8, 0, 18}, r.m.alloc(64));
    EXPECT_EQ(e.cc(), CC::success);
    std::uint8_t dd[18];
    r.m.mem.read(r.m.next_free - 64, dd, 18);
    EXPECT_EQ(dd[1], usb::kDescDevice);
    EXPECT_EQ(dd[8] | (dd[9] << 8), 0x1209);
    // GET_DESCRIPTOR(CONFIGURATION) with a larger buffer: Short Packet on the data stage.
    const std::uint64_t b = r.m.alloc(256);
    r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, usb::kDescConfiguration << 8, 0, 255}, b);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetConfiguration, 0, 0, 1}, b).cc(), CC::success);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x00, usb::kSetConfiguration, 1, 0, 0}, 0).cc(), CC::success);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetStatus, 0, 0, 2}, b).cc(), CC::success);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x01, usb::kSetInterface, 0, 0, 0}, 0).cc(), CC::success);
    EXPECT_EQ(r.disk.state(), usb::DeviceState::configured);
  });
}

TEST(XhciEnumeration, ControlShortPacketAndStall) {
  StorageRig r;
  r.m.run([&] {
    r.m.init();
    r.m.wait(sim::ms(1));
    ASSERT_TRUE(r.m.port_ready(r.d.port));
    ASSERT_EQ(r.m.address(r.d, r.d.port, usb::Speed::high), CC::success);
    const std::uint64_t b = r.m.alloc(256);
    // Data stage with ISP: the short packet is reported on the Data Stage TRB.
    usb::SetupPacket sp{0x80, usb::kGetDescriptor, usb::kDescConfiguration << 8, 0, 255};
    Trb setup;
    const auto bytes = sp.bytes();
    std::memcpy(setup.d, bytes.data(), 8);
    setup.d[2] = 8;
    setup.set_type(TrbType::setup_stage);
    setup.d[3] |= kTrbIdt | (kTrtIn << 16);
    r.m.push(r.d.ep0, setup);
    Trb data;
    data.set_parameter(b);
    data.d[2] = 255;
    data.set_type(TrbType::data_stage);
    data.d[3] |= kTrbDirIn | kTrbIsp;
    const std::uint64_t da = r.m.push(r.d.ep0, data);
    Trb status;
    status.set_type(TrbType::status_stage);
    status.d[3] |= kTrbIoc;
    r.m.push(r.d.ep0, status);
    r.m.wr(kDb + 4ULL * r.d.slot, 1);
    auto e = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::short_packet);
    EXPECT_EQ(e->pointer(), da);
    EXPECT_EQ(e->length(), 255u - 32u);  // residual
    e = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::success);
    // An unsupported request STALLs: Stall Error, EP0 Halted, then recovery.
    const Event st = r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, 0x4200, 0, 8}, b);
    EXPECT_EQ(st.cc(), CC::stall_error);
    EXPECT_EQ(r.m.out_ep(r.d, 1).ep_state, EpState::halted);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::reset_endpoint, r.d.slot, 0, 0, 1)).cc(), CC::success);
    const std::uint64_t deq = (r.d.ep0.base + 16ULL * r.d.ep0.index) | (r.d.ep0.cycle ? 1u : 0u);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::set_tr_dequeue_pointer, r.d.slot, deq, 0, 1)).cc(), CC::success);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetConfiguration, 0, 0, 1}, b).cc(), CC::success);
  });
}

TEST(XhciEnumeration, Usb3DeviceTrainsWithoutReset) {
  StorageRig r(usb::Speed::super);
  r.m.run([&] {
    r.m.init();
    ASSERT_TRUE(r.m.wait_event(TrbType::port_status_change_event));
    EXPECT_TRUE(r.m.hc->port_is_usb3(r.d.port));
    const auto sc = r.m.portsc(r.d.port);
    EXPECT_EQ(sc & (kPortCcs | kPortPed), kPortCcs | kPortPed);
    EXPECT_EQ((sc & kPortSpeedMask) >> kPortSpeedShift, kPsiSuper);
    // A warm reset still works and reports WRC and PRC.
    r.m.write_portsc(r.d.port, kPortWpr | kPortPp | kPortCsc);
    ASSERT_TRUE(r.m.wait_event(TrbType::port_status_change_event));
    EXPECT_EQ(r.m.portsc(r.d.port) & (kPortWrc | kPortPrc), kPortWrc | kPortPrc);
    r.m.write_portsc(r.d.port, kPortWrc | kPortPrc | kPortPp);
    ASSERT_EQ(r.m.address(r.d, r.d.port, usb::Speed::super), CC::success);
    const std::uint64_t b = r.m.alloc(64);
    EXPECT_EQ(r.m.control(r.d, usb::SetupPacket{0x80, usb::kGetDescriptor, usb::kDescBos << 8, 0, 5}, b).cc(),
              CC::success);
  });
}

TEST(XhciEnumeration, HotplugAttachAndDetach) {
  Machine m;
  usb::UsbMassStorage disk("disk", usb::UsbStorageParams{});
  m.hc->attach(1, disk, sim::ms(2));
  m.hc->detach(1, sim::ms(80));
  m.run([&] {
    m.init();
    EXPECT_EQ(m.portsc(1) & kPortCcs, 0u);
    auto e = m.wait_event(TrbType::port_status_change_event, sim::ms(10));
    ASSERT_TRUE(e);
    EXPECT_GE(sim::now(), sim::ms(2));
    EXPECT_EQ(m.portsc(1) & kPortCcs, kPortCcs);
    Machine::Device d;
    ASSERT_TRUE(m.port_ready(1));
    ASSERT_EQ(m.address(d, 1, usb::Speed::high), CompletionCode::success);
    e = m.wait_event(TrbType::port_status_change_event, sim::ms(100));
    ASSERT_TRUE(e);
    EXPECT_EQ(m.portsc(1) & (kPortCcs | kPortPed | kPortCsc), kPortCsc);
    const std::uint64_t b = m.alloc(64);
    EXPECT_EQ(m.control(d, usb::SetupPacket{0x80, usb::kGetConfiguration, 0, 0, 1}, b).cc(),
              CompletionCode::usb_transaction_error);
  });
  EXPECT_EQ(disk.state(), usb::DeviceState::detached);
}

TEST(XhciEnumeration, SixtyFourByteContexts) {
  XhciParams p;
  p.context_size = 64;
  StorageRig r(usb::Speed::high, p);
  r.m.run([&] {
    r.m.pci_enable();
    EXPECT_EQ(r.m.rd(kBar + kHccParams1) & kHcc1Csz, kHcc1Csz);
    r.bring_up();
    EXPECT_EQ(r.m.out_ep(r.d, 4).ep_type, EpType::bulk_out);
    auto res = r.scsi({usb::scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
    EXPECT_EQ(res.csw_status, usb::kCswPassed);
  });
}
