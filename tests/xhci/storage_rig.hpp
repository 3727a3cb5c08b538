// A machine with a USB mass-storage device plugged in, enumerated and
// configured through the controller, and BOT commands on top.
#pragma once

#include "xhci_machine.hpp"

namespace xhcitest {

struct StorageRig {
  Machine m;
  usb::UsbMassStorage disk;
  Machine::Device d;
  std::uint64_t buf = 0, cbw_buf = 0, csw_buf = 0;
  std::uint32_t tag = 1;

  explicit StorageRig(usb::Speed speed = usb::Speed::high, XhciParams p = {}, usb::UsbStorageParams sp = {})
      : m(p), disk("disk", [&] {
          sp.speed = speed;
          sp.power_on_unit_attention = false;  // BOT over xHCI, not the power-on report
          return sp;
        }()) {
    const unsigned port = m.hc->free_port(speed);
    m.hc->attach(port, disk, 0);
    d.port = port;
  }

  /// Brings the controller up and the device to the Configured state.
  void bring_up(std::vector<unsigned> segments = {256}) {
    m.init(segments);
    buf = m.alloc(1 << 20, 4096);
    cbw_buf = m.alloc(64, 64);
    csw_buf = m.alloc(64, 64);
    m.wait(sim::ms(1));
    ASSERT_TRUE(m.port_ready(d.port));
    ASSERT_EQ(m.address(d, d.port, disk.speed()), CompletionCode::success);
    const Event e = m.control(d, usb::SetupPacket{0x00, usb::kSetConfiguration, 1, 0, 0}, 0);
    ASSERT_EQ(e.cc(), CompletionCode::success);
    const bool ss = disk.speed() == usb::Speed::super;
    ASSERT_EQ(m.configure_bulk(d, ss ? 1024 : 512, ss ? 15 : 0), CompletionCode::success);
  }

  struct Result {
    CompletionCode data_cc = CompletionCode::success;
    std::uint32_t data_residual = 0;
    CompletionCode csw_cc = CompletionCode::invalid;
    std::uint32_t csw_tag = 0, csw_residue = 0, csw_signature = 0;
    std::uint8_t csw_status = 0xFF;
  };

  /// CBW, data phase into/out of `buf`, CSW. Recovers a stalled data pipe
  /// as usb-storage does (CLEAR_FEATURE, Reset Endpoint, Set TR Dequeue).
  Result scsi(std::vector<std::uint8_t> cdb, std::uint32_t length, bool in, unsigned pieces = 1) {
    Result r;
    const std::uint32_t t = tag++;
    usb::Cbw c;
    c.tag = t;
    c.data_transfer_length = length;
    c.flags = in ? usb::kCbwFlagDataIn : 0;
    c.cb_length = static_cast<std::uint8_t>(cdb.size());
    std::memcpy(c.cb, cdb.data(), cdb.size());
    const auto bytes = c.bytes();
    m.mem.write(cbw_buf, bytes.data(), bytes.size());
    const Event ce = m.bulk(d, false, cbw_buf, 31);
    EXPECT_EQ(ce.cc(), CompletionCode::success);
    if (length) {
      const Event de = m.bulk(d, in, buf, length, pieces);
      r.data_cc = de.cc();
      r.data_residual = de.length();
      if (de.cc() == CompletionCode::stall_error) recover(in ? 3 : 4);
    }
    const Event se = m.bulk(d, true, csw_buf, 13);
    r.csw_cc = se.cc();
    std::uint8_t csw[13] = {};
    m.mem.read(csw_buf, csw, 13);
    std::memcpy(&r.csw_signature, csw, 4);
    std::memcpy(&r.csw_tag, csw + 4, 4);
    std::memcpy(&r.csw_residue, csw + 8, 4);
    r.csw_status = csw[12];
    return r;
  }

  /// Halted endpoint recovery: CLEAR_FEATURE(ENDPOINT_HALT), Reset Endpoint,
  /// Set TR Dequeue Pointer past the failed TD (to the ring's enqueue).
  void recover(unsigned dci) {
    const std::uint8_t ep = dci == 3 ? 0x81 : 0x02;
    EXPECT_EQ(m.control(d, usb::SetupPacket{0x02, usb::kClearFeature, usb::kFeatureEndpointHalt, ep, 0}, 0).cc(),
              CompletionCode::success);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::reset_endpoint, d.slot, 0, 0, dci)).cc(), CompletionCode::success);
    ProducerRing& r = dci == 3 ? d.bulk_in : d.bulk_out;
    const std::uint64_t deq = (r.base + 16ULL * r.index) | (r.cycle ? 1u : 0u);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::set_tr_dequeue_pointer, d.slot, deq, 0, dci)).cc(),
              CompletionCode::success);
  }
};

inline std::vector<std::uint8_t> rw10(std::uint8_t op, std::uint32_t lba, std::uint16_t blocks) {
  return {op, 0, static_cast<std::uint8_t>(lba >> 24), static_cast<std::uint8_t>(lba >> 16),
          static_cast<std::uint8_t>(lba >> 8), static_cast<std::uint8_t>(lba), 0,
          static_cast<std::uint8_t>(blocks >> 8), static_cast<std::uint8_t>(blocks), 0};
}

}  // namespace xhcitest
