// Unit tests of xhcid's pure parts: TRBs, rings and cycle bits, contexts,
// descriptor parsing, TD bookkeeping, the Supported Protocol capability and
// the options.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "dma_memory.hpp"
#include "drivers/xhcid/context.hpp"
#include "drivers/xhcid/controller.hpp"
#include "drivers/xhcid/descriptors.hpp"
#include "drivers/xhcid/device.hpp"
#include "drivers/xhcid/options.hpp"
#include "drivers/xhcid/protocol.hpp"
#include "drivers/xhcid/ring.hpp"
#include "drivers/xhcid/trb.hpp"

using namespace xhcid;
using usbtest::DmaMemory;

// --- TRBs (§6.4) -------------------------------------------------------------

TEST(XhcidTrb, SetupStageCarriesThePacketAsImmediateData) {
  const usb::SetupPacket s = usb::get_descriptor(usb::kDescConfiguration, 0, 0x0120);
  const Trb t = setup_stage_trb(s.bytes(), Trt::in);
  EXPECT_EQ(t.type(), TrbType::setup_stage);
  EXPECT_EQ(t.d[0], 0x0200'0680u);  // bmRequestType 80h, bRequest 6, wValue 0200h
  EXPECT_EQ(t.d[1], 0x0120'0000u);  // wIndex 0, wLength 0120h
  EXPECT_EQ(t.d[2], 8u);            // TRB Transfer Length 8, interrupter 0
  EXPECT_TRUE(t.flag(kTrbIdt));
  EXPECT_FALSE(t.flag(kTrbIoc));
  EXPECT_EQ((t.d[3] >> 16) & 3, 3u);  // TRT = IN Data Stage
  EXPECT_EQ((setup_stage_trb(s.bytes(), Trt::no_data).d[3] >> 16) & 3, 0u);
}

TEST(XhcidTrb, DataStatusNormalAndLinkTrbs) {
  const Trb d = data_stage_trb(0x1234'5000, 18, true, 0);
  EXPECT_EQ(d.type(), TrbType::data_stage);
  EXPECT_EQ(d.parameter(), 0x1234'5000u);
  EXPECT_EQ(d.transfer_length(), 18u);
  EXPECT_TRUE(d.flag(kTrbDirIn));
  EXPECT_TRUE(d.flag(kTrbIsp));
  const Trb st = status_stage_trb(false);
  EXPECT_EQ(st.type(), TrbType::status_stage);
  EXPECT_TRUE(st.flag(kTrbIoc));
  EXPECT_FALSE(st.flag(kTrbDirIn));
  const Trb n = normal_trb(0xABC0'0000, 65536, 40);
  EXPECT_EQ(n.transfer_length(), 65536u);
  EXPECT_EQ(n.td_size(), 31u);  // capped at 31 (§4.11.2.4)
  const Trb l = link_trb(0x8000'0047, true);
  EXPECT_EQ(l.type(), TrbType::link);
  EXPECT_EQ(l.parameter(), 0x8000'0040u);  // bits 3:0 reserved
  EXPECT_TRUE(l.flag(kTrbToggleCycle));
}

TEST(XhcidTrb, CommandTrbsPutSlotEndpointAndFlagsWhereTheSpecSays) {
  EXPECT_EQ(enable_slot_trb(3).d[3], (9u << 10) | (3u << 16));
  EXPECT_EQ(disable_slot_trb(7).d[3], (10u << 10) | (7u << 24));
  const Trb ad = address_device_trb(0x4000, 5, true);
  EXPECT_EQ(ad.parameter(), 0x4000u);
  EXPECT_EQ(ad.d[3], (11u << 10) | kTrbBsr | (5u << 24));
  EXPECT_EQ(configure_endpoint_trb(0, 2, true).d[3], (12u << 10) | kTrbDeconfigure | (2u << 24));
  EXPECT_EQ(evaluate_context_trb(0x5000, 1).d[3], (13u << 10) | (1u << 24));
  EXPECT_EQ(reset_endpoint_trb(4, 3).d[3], (14u << 10) | (3u << 16) | (4u << 24));
  EXPECT_EQ(stop_endpoint_trb(4, 3).d[3], (15u << 10) | (3u << 16) | (4u << 24));
  const Trb sd = set_tr_dequeue_pointer_trb(4, 3, 0x9000'0030, true);
  EXPECT_EQ(sd.parameter(), 0x9000'0031u);  // DCS in bit 0
  EXPECT_EQ(sd.d[3], (16u << 10) | (3u << 16) | (4u << 24));
  EXPECT_EQ(no_op_command_trb().type(), TrbType::no_op_command);
}

TEST(XhcidTrb, TdSizeCountsThePacketsLeftAfterEachTrb) {
  EXPECT_EQ(td_size(1536, 512, 512, false), 2u);
  EXPECT_EQ(td_size(1536, 1024, 512, false), 1u);
  EXPECT_EQ(td_size(1536, 1536, 512, true), 0u);
  EXPECT_EQ(td_size(1000, 500, 512, false), 1u);  // a partial packet counts
  EXPECT_EQ(td_size(1 << 20, 65536, 512, false), 31u);
}

TEST(XhcidTrb, EventFieldsAndErrnos) {
  Trb e;
  e.set_parameter(0x7000'0120);
  e.d[2] = (13u << 24) | 100;
  e.d[3] = (32u << 10) | (4u << 16) | (9u << 24) | 1;
  EXPECT_EQ(e.type(), TrbType::transfer_event);
  EXPECT_EQ(e.completion_code(), CompletionCode::short_packet);
  EXPECT_EQ(e.event_length(), 100u);
  EXPECT_EQ(e.endpoint_id(), 4u);
  EXPECT_EQ(e.slot_id(), 9u);
  Trb p;
  p.d[0] = 6u << 24;
  EXPECT_EQ(p.port_id(), 6u);
  EXPECT_EQ(errno_of(CompletionCode::stall_error), proto::kEpipe);
  EXPECT_EQ(errno_of(CompletionCode::usb_transaction_error), hal::errc::io);
  EXPECT_EQ(errno_of(CompletionCode::success), 0);
  EXPECT_EQ(errno_of(CompletionCode::short_packet), 0);
  EXPECT_STREQ(to_string(CompletionCode::stall_error), "Stall Error");
}

// --- Rings (§4.9) --------------------------------------------------------------

TEST(XhcidRing, ProducerRingHandsTheLinkTrbOverAndTogglesTheCycle) {
  DmaMemory mem(8 * kTrbSize, 0x20'0000);
  ProducerRing r(mem.buffer());
  EXPECT_EQ(r.capacity(), 7u);
  const Trb link0 = r.at(7);
  EXPECT_EQ(link0.type(), TrbType::link);
  EXPECT_FALSE(link0.cycle());  // not the controller's yet
  EXPECT_EQ(link0.parameter(), 0x20'0000u);
  for (unsigned i = 0; i < 7; ++i) {
    Trb t = normal_trb(0x1000 * i, 8, 0);
    if (i == 6) t.set_flag(kTrbChain);  // a TD that continues past the wrap
    EXPECT_EQ(r.push(t), 0x20'0000u + 16 * i);
    EXPECT_TRUE(r.at(i).cycle());
  }
  // After the 7th TRB the Link TRB is handed over with PCS = 1 and the TD's chain bit.
  EXPECT_TRUE(r.at(7).cycle());
  EXPECT_TRUE(r.at(7).flag(kTrbChain));
  EXPECT_TRUE(r.at(7).flag(kTrbToggleCycle));
  EXPECT_FALSE(r.cycle());
  EXPECT_EQ(r.enqueue_pointer(), 0x20'0000u);
  EXPECT_EQ(r.free_trbs(), 0u);
  EXPECT_THROW(r.push(normal_trb(0, 0, 0)), std::logic_error);
  r.release(3);
  EXPECT_EQ(r.free_trbs(), 3u);
  r.push(normal_trb(0, 0, 0));
  EXPECT_FALSE(r.at(0).cycle());  // second lap: PCS 0
  for (unsigned lap = 0; lap < 1000; ++lap) {  // many laps: the cycle keeps alternating
    r.release_all();
    for (unsigned i = 0; i < 7; ++i) r.push(normal_trb(0, 0, 0));
  }
  EXPECT_EQ(r.enqueue_pointer(), 0x20'0000u + 16);
}

TEST(XhcidRing, EventRingConsumesByCycleBitAndTogglesAtTheWrap) {
  DmaMemory mem(16 * kTrbSize, 0x30'0000);
  EventRing er(mem.buffer());
  EXPECT_FALSE(er.has_event());
  auto produce = [&](unsigned index, bool cycle, std::uint8_t port) {
    Trb e;
    e.d[0] = std::uint32_t{port} << 24;
    e.set_type(TrbType::port_status_change_event);
    e.set_cycle(cycle);
    std::memcpy(mem.buffer().data + 16 * index, e.d, 16);
  };
  for (unsigned i = 0; i < 16; ++i) produce(i, true, static_cast<std::uint8_t>(i + 1));
  for (unsigned i = 0; i < 16; ++i) {
    ASSERT_TRUE(er.has_event());
    EXPECT_EQ(er.peek().port_id(), i + 1);
    er.pop();
  }
  EXPECT_FALSE(er.cycle());  // wrapped: CCS toggled
  EXPECT_EQ(er.dequeue_pointer(), 0x30'0000u);
  EXPECT_FALSE(er.has_event());  // the old events (cycle 1) are not new
  produce(0, false, 42);
  ASSERT_TRUE(er.has_event());
  EXPECT_EQ(er.peek().port_id(), 42u);
  er.pop();
  EXPECT_EQ(er.dequeue_pointer(), 0x30'0000u + 16);
}

TEST(XhcidRing, ErstEntryLayout) {
  DmaMemory mem(64);
  write_erst_entry(mem.buffer(), 0, 0x1'2345'6780ULL, 256);
  std::uint32_t e[4];
  std::memcpy(e, mem.buffer().data, 16);
  EXPECT_EQ(e[0], 0x2345'6780u);
  EXPECT_EQ(e[1], 0x1u);
  EXPECT_EQ(e[2], 256u);
  EXPECT_EQ(e[3], 0u);
}

// --- Contexts (§6.2) -----------------------------------------------------------

TEST(XhcidContext, SlotAndEndpointContextBitsAndRoundTrip) {
  SlotContext s;
  s.speed = 4;
  s.context_entries = 4;
  s.root_hub_port_number = 5;
  s.interrupter_target = 0;
  std::uint32_t dw[8];
  s.encode(dw);
  EXPECT_EQ(dw[0], (4u << 20) | (4u << 27));
  EXPECT_EQ(dw[1], 5u << 16);
  EndpointContext e;
  e.ep_type = EpType::bulk_in;
  e.max_packet_size = 1024;
  e.max_burst_size = 15;
  e.cerr = 3;
  e.tr_dequeue_pointer = 0x1'0000'1000ULL;
  e.dcs = true;
  e.average_trb_length = 3072;
  e.encode(dw);
  EXPECT_EQ(dw[1], (3u << 1) | (6u << 3) | (15u << 8) | (1024u << 16));
  EXPECT_EQ(dw[2], 0x1001u);
  EXPECT_EQ(dw[3], 1u);
  EXPECT_EQ(dw[4], 3072u);
  const EndpointContext back = EndpointContext::decode(dw);
  EXPECT_EQ(back.ep_type, EpType::bulk_in);
  EXPECT_EQ(back.max_packet_size, 1024);
  EXPECT_EQ(back.tr_dequeue_pointer, 0x1'0000'1000ULL);
  EXPECT_TRUE(back.dcs);
  s.slot_state = SlotState::configured;
  s.usb_device_address = 3;
  s.encode(dw);
  const SlotContext sb = SlotContext::decode(dw);
  EXPECT_EQ(sb.slot_state, SlotState::configured);
  EXPECT_EQ(sb.usb_device_address, 3);
  EXPECT_EQ(sb.root_hub_port_number, 5);
}

TEST(XhcidContext, InputContextOffsetsFor32And64ByteContexts) {
  for (unsigned size : {32u, 64u}) {
    DmaMemory mem(4096);
    InputContext in(mem.buffer(), size);
    in.clear();
    in.set_add_flags(0x19);
    in.set_drop_flags(0x7);  // D0, D1 are reserved
    EndpointContext e;
    e.ep_type = EpType::bulk_out;
    e.max_packet_size = 512;
    in.set_endpoint(4, e);
    SlotContext s;
    s.context_entries = 4;
    in.set_slot(s);
    std::uint32_t add = 0, drop = 0, ep1 = 0, slot0 = 0;
    std::memcpy(&drop, mem.buffer().data + 0, 4);
    std::memcpy(&add, mem.buffer().data + 4, 4);
    std::memcpy(&slot0, mem.buffer().data + size, 4);
    std::memcpy(&ep1, mem.buffer().data + 5 * size + 4, 4);  // DCI 4 at index 5
    EXPECT_EQ(add, 0x19u);
    EXPECT_EQ(drop, 0x4u);
    EXPECT_EQ(slot0 >> 27, 4u);
    EXPECT_EQ(ep1 >> 16, 512u);
    EXPECT_EQ(in.endpoint(4).ep_type, EpType::bulk_out);
  }
  EXPECT_EQ(dci_of(0x00), 1u);
  EXPECT_EQ(dci_of(0x81), 3u);
  EXPECT_EQ(dci_of(0x02), 4u);
  EXPECT_EQ(endpoint_address_of(3), 0x81);
  EXPECT_EQ(endpoint_address_of(4), 0x02);
}

// --- Descriptors (USB 2.0 / 3.2 §9.6) ------------------------------------------------

namespace {
std::vector<std::uint8_t> storage_config(bool superspeed) {
  std::vector<std::uint8_t> c = {9, 2, 0, 0, 1, 1, 0, 0x80, 50,  // configuration
                                 9, 4, 0, 0, 2, 8, 6, 0x50, 0,   // interface 0: MSC/SCSI/BOT
                                 7, 5, 0x81, 2, 0, 2, 0};        // bulk IN, 512
  if (superspeed) c.insert(c.end(), {6, 48, 15, 0, 0, 0});
  c.insert(c.end(), {7, 5, 0x02, 2, 0, 2, 0});  // bulk OUT
  if (superspeed) c.insert(c.end(), {6, 48, 15, 0, 0, 0});
  c.insert(c.end(), {5, 0x24, 1, 2, 3});  // a class-specific descriptor: skipped
  c[2] = static_cast<std::uint8_t>(c.size());
  return c;
}
}  // namespace

TEST(XhcidDescriptors, DeviceDescriptorAndEp0MaxPacket) {
  const std::vector<std::uint8_t> d = {18, 1, 0x20, 0x03, 0, 0, 0, 9, 0x09, 0x12, 0x01, 0x00, 0x00, 0x01, 1, 2, 3, 1};
  const auto dd = usb::parse_device_descriptor(d);
  ASSERT_TRUE(dd);
  EXPECT_EQ(dd->bcdUSB, 0x0320);
  EXPECT_EQ(dd->idVendor, 0x1209);
  EXPECT_EQ(dd->idProduct, 0x0001);
  EXPECT_EQ(dd->bNumConfigurations, 1);
  EXPECT_EQ(usb::ep0_max_packet(dd->bMaxPacketSize0, usb::Speed::super), 512u);
  EXPECT_EQ(usb::ep0_max_packet(64, usb::Speed::high), 64u);
  EXPECT_EQ(*usb::parse_max_packet_size0(std::span(d).first(8)), 9);
  EXPECT_FALSE(usb::parse_device_descriptor(std::span(d).first(17)));
  std::vector<std::uint8_t> bad = d;
  bad[1] = 2;
  EXPECT_EQ(usb::parse_device_descriptor(bad).error().code(), hal::errc::badmsg);
}

TEST(XhcidDescriptors, ConfigurationWithInterfacesEndpointsAndCompanions) {
  for (bool ss : {false, true}) {
    const auto c = usb::parse_configuration(storage_config(ss));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->bConfigurationValue, 1);
    ASSERT_EQ(c->interfaces.size(), 1u);
    const usb::InterfaceDescriptor* i = c->find_interface(8, 6, 0x50);
    ASSERT_NE(i, nullptr);
    ASSERT_EQ(i->endpoints.size(), 2u);
    const auto* in = i->find_endpoint(usb::TransferType::bulk, true);
    ASSERT_NE(in, nullptr);
    EXPECT_EQ(in->bEndpointAddress, 0x81);
    EXPECT_EQ(in->max_packet_size(), 512);
    EXPECT_EQ(in->has_companion, ss);
    EXPECT_EQ(in->bMaxBurst, ss ? 15 : 0);
    EXPECT_EQ(i->find_endpoint(usb::TransferType::bulk, false)->bEndpointAddress, 0x02);
    EXPECT_EQ(c->find_interface(3, 0, 0), nullptr);
  }
}

TEST(XhcidDescriptors, MalformedSetsAreRejectedNotOverread) {
  auto c = storage_config(false);
  auto zero = c;
  zero[9] = 0;  // bLength 0 would loop forever
  EXPECT_EQ(usb::parse_configuration(zero).error().code(), hal::errc::badmsg);
  auto overrun = c;
  overrun[18] = 60;  // an endpoint running past wTotalLength
  EXPECT_FALSE(usb::parse_configuration(overrun));
  auto orphan = std::vector<std::uint8_t>{9, 2, 16, 0, 1, 1, 0, 0x80, 50, 7, 5, 0x81, 2, 0, 2, 0};
  EXPECT_FALSE(usb::parse_configuration(orphan));  // endpoint before any interface
  auto short_set = c;
  short_set.resize(20);
  EXPECT_FALSE(usb::parse_configuration(short_set));  // shorter than wTotalLength
  auto ep0 = c;
  ep0[20] = 0x80;  // endpoint 0 in an endpoint descriptor
  EXPECT_FALSE(usb::parse_configuration(ep0));
  EXPECT_EQ(*usb::parse_total_length(c), c.size());
}

TEST(XhcidDescriptors, SetupPacketTravelsAsALittleEndianU64) {
  const usb::SetupPacket s{0xA1, 0xFE, 0, 2, 1};
  EXPECT_EQ(s.to_u64(), 0x0001'0002'0000'FEA1ULL);
  EXPECT_EQ(usb::SetupPacket::from_u64(s.to_u64()), s);
  EXPECT_EQ(usb::clear_endpoint_halt(0x81).to_u64(), 0x0000'0081'0000'0102ULL);
}

// --- TDs -----------------------------------------------------------------------------

TEST(XhcidTransfer, BuffersAreSplitAt64KiBBoundaries) {
  auto p = split_buffer(0x1'0000 - 100, 200);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].first, 0xFF9Cu);
  EXPECT_EQ(p[0].second, 100u);
  EXPECT_EQ(p[1].first, 0x1'0000u);
  EXPECT_EQ(p[1].second, 100u);
  p = split_buffer(0x20'0000, 1 << 20);
  ASSERT_EQ(p.size(), 16u);
  for (const auto& [a, n] : p) {
    EXPECT_EQ(n, 65536u);
    EXPECT_EQ(a & 0xFFFF, 0u);
  }
  p = split_buffer(0x5000, 0);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].second, 0u);
}

namespace {
Trb transfer_event(std::uint64_t ptr, CompletionCode cc, std::uint32_t residual) {
  Trb e;
  e.set_parameter(ptr);
  e.d[2] = (std::uint32_t{static_cast<std::uint8_t>(cc)} << 24) | residual;
  e.set_type(TrbType::transfer_event);
  return e;
}
void three_trb_td(PendingTd& td) {
  td.data = {{0x100, 0, 65536}, {0x110, 65536, 65536}, {0x120, 131072, 1000}};
  td.final_trb = 0x120;
  td.total = 132072;
  td.trbs = 3;
}
}  // namespace

TEST(XhcidTransfer, BytesOfATdComeFromItsEvents) {
  proto::Transfer r;
  PendingTd ok;
  three_trb_td(ok);
  EXPECT_TRUE(ok.on_event(transfer_event(0x120, CompletionCode::success, 0), r));
  EXPECT_EQ(r.bytes, 132072u);
  EXPECT_TRUE(r.ok());

  // A short packet in the middle TRB (ISP), then the IOC TRB again (§4.10.1.1).
  PendingTd mid;
  three_trb_td(mid);
  EXPECT_FALSE(mid.on_event(transfer_event(0x110, CompletionCode::short_packet, 65000), r));
  EXPECT_TRUE(mid.on_event(transfer_event(0x120, CompletionCode::short_packet, 1000), r));
  EXPECT_EQ(r.bytes, 65536u + 536u);
  EXPECT_TRUE(r.ok());

  PendingTd last;
  three_trb_td(last);
  EXPECT_TRUE(last.on_event(transfer_event(0x120, CompletionCode::short_packet, 987), r));
  EXPECT_EQ(r.bytes, 131072u + 13u);

  PendingTd stall;
  three_trb_td(stall);
  EXPECT_TRUE(stall.on_event(transfer_event(0x100, CompletionCode::stall_error, 65536 - 512), r));
  EXPECT_TRUE(r.stalled());
  EXPECT_EQ(r.bytes, 512u);
  EXPECT_EQ(r.completion_code, static_cast<std::uint8_t>(CompletionCode::stall_error));

  // A control transfer: data stage short, then the Status stage.
  PendingTd ctl;
  ctl.data = {{0x210, 0, 255}};
  ctl.final_trb = 0x220;
  ctl.total = 255;
  EXPECT_FALSE(ctl.on_event(transfer_event(0x210, CompletionCode::short_packet, 237), r));
  EXPECT_TRUE(ctl.on_event(transfer_event(0x220, CompletionCode::success, 0), r));
  EXPECT_EQ(r.bytes, 18u);
}

TEST(XhcidTransfer, PeriodicIntervals) {
  usb::EndpointDescriptor e;
  e.bmAttributes = 3;  // interrupt
  e.bInterval = 4;
  EXPECT_EQ(xhci_interval(e, usb::Speed::high), 3);  // 2^(4-1) microframes
  e.bInterval = 10;  // 10 ms at full speed: 64 x 125 us (8 ms) is the largest power of two
  EXPECT_EQ(xhci_interval(e, usb::Speed::full), 6);
  e.bmAttributes = 2;  // bulk
  EXPECT_EQ(xhci_interval(e, usb::Speed::super), 0);
}

// --- Capabilities and options ------------------------------------------------------------

TEST(XhcidController, SupportedProtocolCapability) {
  const std::uint32_t dw[4] = {0x0320'0402, 0x2042'5355, (4u << 8) | 5u, 0x1};
  const Protocol p = parse_supported_protocol(dw);
  EXPECT_EQ(p.major, 3);
  EXPECT_EQ(p.minor, 0x20);
  EXPECT_EQ(p.first_port, 5u);
  EXPECT_EQ(p.port_count, 4u);
  EXPECT_EQ(p.slot_type, 1u);
  EXPECT_TRUE(p.covers(8));
  EXPECT_FALSE(p.covers(9));
  EXPECT_FALSE(p.covers(4));
}

TEST(XhcidOptions, ParseAndReject) {
  auto o = parse_options({"--scheme", "usb1", "--imod-ns", "4000", "--storage-arg", "--x", "--storage-arg", "7",
                          "--disk-base", "2", "--no-class-drivers"});
  ASSERT_TRUE(o) << o.error().message();
  EXPECT_EQ(o->scheme, "usb1");
  EXPECT_EQ(o->imod_ns, 4000u);
  EXPECT_EQ(o->storage_args, (std::vector<std::string>{"--x", "7"}));
  EXPECT_EQ(o->disk_base, 2u);
  EXPECT_FALSE(o->spawn_class_drivers);
  EXPECT_EQ(parse_options({})->scheme, "usb");
  EXPECT_FALSE(parse_options({"--bogus"}));
  EXPECT_FALSE(parse_options({"--scheme"}));
  EXPECT_FALSE(parse_options({"--scheme", "a:b"}));
  EXPECT_FALSE(parse_options({"--imod-ns", "12x"}));
  EXPECT_FALSE(parse_options({"--imod-ns", "99999999"}));
}
