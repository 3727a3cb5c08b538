// usbscsid's BOT error handling against a scripted device behind a fake
// xhcid (a RingServer on the same executor): the CSW faults the real model
// never produces (tag mismatch, bad signature, short CSW) and the order of
// the recovery steps (BOT §5.3, §6.6).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dma_memory.hpp"
#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/usbscsid/transport.hpp"
#include "drivers/xhcid/client.hpp"

using namespace usbscsid;

namespace {

/// Everything a Sys needs to be, for code that only logs.
class NullSys final : public hal::Sys {
 public:
  hal::Pid pid() const override { return 1; }
  std::string_view program() const override { return "test"; }
  const std::vector<std::string>& args() const override { return args_; }
  unsigned cpu() const override { return 0; }
  unsigned cpu_count() const override { return 1; }
  hal::Executor& executor() override { return ex; }
  std::uint64_t now_ns() const override { return 0; }
  hal::Task<void> sleep_ns(std::uint64_t) override { co_return; }
  void print(std::string_view) override {}
  void log(hal::LogLevel, std::string_view kind, std::string_view) override { logged.emplace_back(kind); }
  hal::Result<hal::DmaBuffer> physalloc(std::size_t) override { return hal::Error(hal::errc::nosys, ""); }
  hal::Result<hal::Mmio> physmap(std::uint64_t, std::uint64_t) override { return hal::Error(hal::errc::nosys, ""); }
  hal::Result<hal::DmaBuffer> grant_view(std::uint64_t, std::uint64_t) override {
    return hal::Error(hal::errc::nosys, "");
  }
  hal::RingClient& kernel_ring() override { throw std::logic_error("no kernel ring"); }
  hal::PoolAllocator& kernel_pool() override { return pool_; }
  hal::Result<hal::SchemeServer*> register_scheme(std::string_view) override {
    return hal::Error(hal::errc::nosys, "");
  }
  hal::Result<hal::Channel> attach(std::string_view, std::uint32_t, std::size_t) override {
    return hal::Error(hal::errc::nosys, "");
  }
  hal::Result<hal::Pid> spawn(std::string_view, std::vector<std::string>, int) override {
    return hal::Error(hal::errc::nosys, "");
  }
  void daemonize() override {}
  hal::Result<void> grant_physmap(hal::Pid, std::uint64_t, std::uint64_t) override {
    return hal::Error(hal::errc::nosys, "");
  }

  hal::Executor ex;
  std::vector<std::string> logged;

 private:
  std::vector<std::string> args_;
  hal::PoolAllocator pool_{4096};
};

enum class Fault { none, tag_mismatch, bad_signature, short_csw, phase_error, csw_stall_once, csw_stall_twice,
                   data_stall, gone };

/// A BOT device as xhcid would present it: answers the ring's BulkTransfer,
/// ControlTransfer and ClearHalt requests and logs them.
struct FakeXhcid {
  hal::RingServer* ring = nullptr;
  Fault fault = Fault::none;
  std::vector<std::string> log;
  std::uint32_t tag = 0;
  unsigned csw_stalls = 0;

  void reply_bulk(const hal::SqEntry64& s, int error, std::uint32_t bytes) {
    ring->reply(s, error ? hal::status_from_errno(error) : bytes, xhcid::proto::bulk_extra(bytes, error ? 6 : 1));
  }
  hal::Task<void> serve() {
    for (;;) {
      const hal::Result<hal::SqEntry64> n = co_await ring->next();
      if (!n) co_return;
      const hal::SqEntry64& s = *n;
      const auto op = static_cast<xhcid::proto::Op>(s.opcode);
      if (op == xhcid::proto::Op::control_transfer) {
        const auto setup = xhcid::usb::SetupPacket::from_u64(s.offset);
        log.push_back(setup.bRequest == bot::kBulkOnlyMassStorageReset ? "reset" : "control");
        ring->reply(s, 0, 1);
        continue;
      }
      if (op == xhcid::proto::Op::clear_halt) {
        log.push_back("clear " + std::to_string(s.offset));
        ring->reply(s, 0);
        continue;
      }
      const hal::DmaBuffer b = ring->buffer(s.addr, s.len).value();
      const bool in = (s.offset & 0x80) != 0;
      log.push_back(std::string(in ? "in " : "out ") + std::to_string(s.len));
      if (fault == Fault::gone) {
        ring->reply(s, hal::status_from_errno(hal::errc::nodev), 0);
        continue;
      }
      if (!in) {
        if (s.len == bot::kCbwSize) std::memcpy(&tag, b.data + 4, 4);
        reply_bulk(s, 0, static_cast<std::uint32_t>(s.len));
        continue;
      }
      if (s.len != bot::kCswSize) {  // data-in
        if (fault == Fault::data_stall) reply_bulk(s, xhcid::proto::kEpipe, 0);
        else reply_bulk(s, 0, static_cast<std::uint32_t>(s.len));
        continue;
      }
      if ((fault == Fault::csw_stall_once && csw_stalls < 1) || fault == Fault::csw_stall_twice) {
        ++csw_stalls;
        reply_bulk(s, xhcid::proto::kEpipe, 0);
        continue;
      }
      std::uint8_t csw[13] = {0x55, 0x53, 0x42, 0x53};
      std::uint32_t t = fault == Fault::tag_mismatch ? tag + 1 : tag;
      std::memcpy(csw + 4, &t, 4);
      csw[12] = fault == Fault::phase_error ? bot::kCswPhaseError
                : fault == Fault::data_stall ? bot::kCswCommandFailed
                                             : bot::kCswCommandPassed;
      if (fault == Fault::data_stall) csw[8] = 0;  // residue 512 = 0x200
      if (fault == Fault::data_stall) csw[9] = 2;
      if (fault == Fault::bad_signature) csw[3] = 0x43;
      std::memcpy(b.data, csw, 13);
      reply_bulk(s, 0, fault == Fault::short_csw ? 12 : 13);
    }
  }
};

struct Outcome {
  hal::Result<BotResult> result = hal::Error(hal::errc::io, "not run");
  std::vector<std::string> log;
  BotStats stats;
};

Outcome run(Fault fault) {
  NullSys sys;
  usbtest::DmaMemory pool(64 * 1024, 0x40'0000);
  hal::RingPairStorage storage = hal::RingPairStorage::create(16, 16).value();
  std::unique_ptr<hal::RingServer> server;
  auto client = std::make_unique<hal::RingClient>(
      hal::RingConsumer::attach(storage.pair()).value(), [&] { server->on_submissions(); }, pool.buffer());
  server = std::make_unique<hal::RingServer>(
      hal::RingProducer::attach(storage.pair()).value(), [&] { client->on_completions(); }, pool.buffer(), 2);
  FakeXhcid dev;
  dev.ring = server.get();
  dev.fault = fault;
  xhcid::XhciClient usb(hal::Channel{1, client.get(), pool.buffer()});
  BotTransport bot(sys, usb, BotEndpoints{0, 0x81, 0x02}, 0, 64);
  Outcome out;
  auto body = [&]() -> hal::Task<void> {
    out.result = co_await bot.execute(0, scsi::read10(0, 1), bot::Direction::in, 4096, 512);
    server->shut_down();
  };
  sys.ex.spawn(dev.serve(), "fake-xhcid");
  sys.ex.spawn(body(), "test");
  while (sys.ex.has_ready()) sys.ex.run_ready();
  EXPECT_TRUE(sys.ex.failures().empty());
  out.log = dev.log;
  out.stats = bot.stats();
  return out;
}

using Log = std::vector<std::string>;
const Log kRecovery = {"reset", "clear 129", "clear 2"};  // BOT §5.3.4: reset, then bulk IN, bulk OUT

Log with_recovery(Log l) {
  l.insert(l.end(), kRecovery.begin(), kRecovery.end());
  return l;
}

}  // namespace

TEST(UsbscsidTransport, ACommandIsCbwDataCsw) {
  const Outcome o = run(Fault::none);
  ASSERT_TRUE(o.result) << o.result.error().message();
  EXPECT_EQ(o.result->status, bot::kCswCommandPassed);
  EXPECT_EQ(o.result->data_bytes, 512u);
  EXPECT_EQ(o.log, (Log{"out 31", "in 512", "in 13"}));
  EXPECT_EQ(o.stats.reset_recoveries, 0u);
}

TEST(UsbscsidTransport, InvalidCswsLeadToResetRecovery) {
  for (Fault f : {Fault::tag_mismatch, Fault::bad_signature, Fault::short_csw}) {
    const Outcome o = run(f);
    ASSERT_FALSE(o.result);
    EXPECT_EQ(o.result.error().code(), hal::errc::io);
    EXPECT_EQ(o.log, with_recovery({"out 31", "in 512", "in 13"}));
    EXPECT_EQ(o.stats.reset_recoveries, 1u);
    EXPECT_EQ(o.stats.bad_csws, 1u);
  }
}

TEST(UsbscsidTransport, PhaseErrorLeadsToResetRecovery) {
  const Outcome o = run(Fault::phase_error);
  ASSERT_FALSE(o.result);
  EXPECT_EQ(o.log, with_recovery({"out 31", "in 512", "in 13"}));
  EXPECT_EQ(o.stats.phase_errors, 1u);
}

TEST(UsbscsidTransport, DataStallIsClearedThenTheCswTells) {
  const Outcome o = run(Fault::data_stall);
  ASSERT_TRUE(o.result) << o.result.error().message();
  EXPECT_EQ(o.result->status, bot::kCswCommandFailed);
  EXPECT_EQ(o.result->residue, 512u);
  EXPECT_EQ(o.log, (Log{"out 31", "in 512", "clear 129", "in 13"}));
  EXPECT_EQ(o.stats.reset_recoveries, 0u);
}

TEST(UsbscsidTransport, CswStallGetsOneMoreTryThenResetRecovery) {
  Outcome o = run(Fault::csw_stall_once);
  ASSERT_TRUE(o.result) << o.result.error().message();
  EXPECT_EQ(o.log, (Log{"out 31", "in 512", "in 13", "clear 129", "in 13"}));
  o = run(Fault::csw_stall_twice);
  ASSERT_FALSE(o.result);
  EXPECT_EQ(o.log, with_recovery({"out 31", "in 512", "in 13", "clear 129", "in 13"}));
}

TEST(UsbscsidTransport, AGoneDeviceFailsAtOnceWithoutRecovery) {
  const Outcome o = run(Fault::gone);
  ASSERT_FALSE(o.result);
  EXPECT_EQ(o.result.error().code(), hal::errc::nodev);
  EXPECT_EQ(o.log, (Log{"out 31"}));
}
