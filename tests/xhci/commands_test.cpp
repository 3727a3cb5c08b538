#include "storage_rig.hpp"

using namespace xhcitest;
using CC = CompletionCode;

TEST(XhciCommands, NoOpAndUnknownCommand) {
  Machine m;
  m.run([&] {
    m.init();
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::normal)).cc(), CC::trb_error);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::force_header)).cc(), CC::trb_error);
  });
}

TEST(XhciCommands, EnableSlotUntilNoSlotsAvailableThenDisable) {
  XhciParams p;
  p.max_slots = 3;
  Machine m(p);
  m.run([&] {
    m.init();
    for (std::uint8_t s = 1; s <= 3; ++s) {
      const Event e = m.command(Machine::cmd_trb(TrbType::enable_slot));
      EXPECT_EQ(e.cc(), CC::success);
      EXPECT_EQ(e.slot(), s);
    }
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::enable_slot)).cc(), CC::no_slots_available);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::disable_slot, 2)).cc(), CC::success);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::disable_slot, 2)).cc(), CC::slot_not_enabled);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::enable_slot)).slot(), 2);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::disable_slot, 0)).cc(), CC::slot_not_enabled);
  });
}

TEST(XhciCommands, SlotCommandsOnDisabledSlot) {
  Machine m;
  m.run([&] {
    m.init();
    for (TrbType t : {TrbType::address_device, TrbType::configure_endpoint, TrbType::evaluate_context,
                      TrbType::reset_endpoint, TrbType::stop_endpoint, TrbType::set_tr_dequeue_pointer,
                      TrbType::reset_device})
      EXPECT_EQ(m.command(Machine::cmd_trb(t, 5, 0x1000, 0, 1)).cc(), CC::slot_not_enabled) << to_string(t);
  });
}

TEST(XhciCommands, AddressDeviceWithBsrThenWithoutAndContextErrors) {
  StorageRig r;
  r.m.run([&] {
    r.m.init();
    r.m.wait(sim::ms(1));
    ASSERT_TRUE(r.m.port_ready(r.d.port));
    ASSERT_EQ(r.m.address(r.d, r.d.port, usb::Speed::high, /*bsr=*/true), CC::success);
    EXPECT_EQ(r.m.out_slot(r.d).slot_state, SlotState::default_state);
    EXPECT_EQ(r.disk.address(), 0);
    // BSR=1 again from Default is a Context State Error; BSR=0 moves on.
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::address_device, r.d.slot, r.d.input, kTrbBsr)).cc(),
              CC::context_state_error);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::address_device, r.d.slot, r.d.input)).cc(), CC::success);
    const SlotContext sc = r.m.out_slot(r.d);
    EXPECT_EQ(sc.slot_state, SlotState::addressed);
    EXPECT_EQ(sc.usb_device_address, r.d.slot);
    EXPECT_EQ(r.disk.address(), r.d.slot);
    EXPECT_EQ(r.m.out_ep(r.d, 1).ep_state, EpState::running);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::address_device, r.d.slot, r.d.input)).cc(),
              CC::context_state_error);
    // A0/A1 missing: Parameter Error.
    const Event es = r.m.command(Machine::cmd_trb(TrbType::enable_slot));
    const std::uint64_t bad = r.m.input_context(r.d, 0x1);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::address_device, es.slot(), bad)).cc(), CC::parameter_error);
  });
}

TEST(XhciCommands, ConfigureEvaluateDeconfigureAndResetDevice) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    EXPECT_EQ(r.m.out_slot(r.d).slot_state, SlotState::configured);
    EXPECT_EQ(r.m.out_slot(r.d).context_entries, 4);
    EXPECT_EQ(r.m.out_ep(r.d, 3).ep_state, EpState::running);
    EXPECT_EQ(r.m.out_ep(r.d, 3).ep_type, EpType::bulk_in);
    // Evaluate Context: EP0 max packet size.
    const std::uint64_t in = r.m.input_context(r.d, 0x2);
    EndpointContext ep0;
    ep0.ep_type = EpType::control;
    ep0.max_packet_size = 32;
    r.m.put_ep(in, 1, ep0);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::evaluate_context, r.d.slot, in)).cc(), CC::success);
    EXPECT_EQ(r.m.out_ep(r.d, 1).max_packet_size, 32);
    // A bad endpoint context (max packet size 0) changes nothing.
    const std::uint64_t bad = r.m.input_context(r.d, 1u << 5);
    EndpointContext e;
    e.ep_type = EpType::interrupt_in;
    e.tr_dequeue_pointer = 0x10000;
    r.m.put_ep(bad, 5, e);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::configure_endpoint, r.d.slot, bad)).cc(), CC::parameter_error);
    // Deconfigure.
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::configure_endpoint, r.d.slot, 0, kTrbDeconfigure)).cc(),
              CC::success);
    EXPECT_EQ(r.m.out_slot(r.d).slot_state, SlotState::addressed);
    EXPECT_EQ(r.m.out_ep(r.d, 3).ep_state, EpState::disabled);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::reset_endpoint, r.d.slot, 0, 0, 3)).cc(),
              CC::endpoint_not_enabled);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::reset_device, r.d.slot)).cc(), CC::success);
    EXPECT_EQ(r.m.out_slot(r.d).slot_state, SlotState::default_state);
    EXPECT_EQ(r.m.out_slot(r.d).usb_device_address, 0);
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::configure_endpoint, r.d.slot, in)).cc(),
              CC::context_state_error);
  });
}

TEST(XhciCommands, EndpointStateMachine) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    const auto cmd = [&](TrbType t, std::uint64_t param = 0) {
      return r.m.command(Machine::cmd_trb(t, r.d.slot, param, 0, 3)).cc();
    };
    EXPECT_EQ(cmd(TrbType::reset_endpoint), CC::context_state_error);  // Running, not Halted
    EXPECT_EQ(cmd(TrbType::set_tr_dequeue_pointer, r.d.bulk_in.base | 1), CC::context_state_error);
    EXPECT_EQ(cmd(TrbType::stop_endpoint), CC::success);
    EXPECT_EQ(r.m.out_ep(r.d, 3).ep_state, EpState::stopped);
    EXPECT_EQ(cmd(TrbType::stop_endpoint), CC::context_state_error);
    EXPECT_EQ(cmd(TrbType::set_tr_dequeue_pointer, 0), CC::parameter_error);
    EXPECT_EQ(cmd(TrbType::set_tr_dequeue_pointer, (r.d.bulk_in.base + 32) | 1), CC::success);
    EXPECT_EQ(r.m.out_ep(r.d, 3).tr_dequeue_pointer, r.d.bulk_in.base + 32);
    EXPECT_EQ(cmd(TrbType::set_tr_dequeue_pointer, r.d.bulk_in.base | 1), CC::success);
    // A doorbell restarts a Stopped endpoint.
    auto res = r.scsi({usb::scsi::kTestUnitReady, 0, 0, 0, 0, 0}, 0, false);
    EXPECT_EQ(res.csw_status, usb::kCswPassed);
    EXPECT_EQ(r.m.out_ep(r.d, 3).ep_state, EpState::running);
  });
}

TEST(XhciCommands, StopEndpointWithPendingTransferReportsStopped) {
  StorageRig r;
  r.m.run([&] {
    r.bring_up();
    // A bulk IN with no CBW before it: the device NAKs and the TD waits.
    Trb t;
    t.set_parameter(r.buf);
    t.d[2] = 13;
    t.set_type(TrbType::normal);
    t.d[3] |= kTrbIoc;
    const std::uint64_t a = r.m.push(r.d.bulk_in, t);
    r.m.wr(kDb + 4ULL * r.d.slot, 3);
    r.m.wait(sim::us(50));
    EXPECT_EQ(r.m.command(Machine::cmd_trb(TrbType::stop_endpoint, r.d.slot, 0, 0, 3)).cc(), CC::success);
    const auto e = r.m.wait_event(TrbType::transfer_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::stopped);
    EXPECT_EQ(e->pointer(), a);
    EXPECT_EQ(r.m.out_ep(r.d, 3).tr_dequeue_pointer, a);
  });
}

TEST(XhciCommands, CommandRingWrapsManyTimesWithLinkToggleCycle) {
  Machine m;
  m.run([&] {
    m.init({64}, 0, /*cmd_entries=*/8);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
    EXPECT_EQ(m.rd(kOp + kCrcr) & kCrcrCrr, kCrcrCrr);
  });
}

TEST(XhciCommands, CommandRingStopReportsRingStopped) {
  Machine m;
  m.run([&] {
    m.init();
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
    m.wr(kOp + kCrcr, kCrcrCs);
    const auto e = m.wait_event(TrbType::command_completion_event);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->cc(), CC::command_ring_stopped);
    EXPECT_EQ(e->pointer(), m.cmd.base + 16);
    EXPECT_EQ(m.rd(kOp + kCrcr) & kCrcrCrr, 0u);
    // With CRR clear the pointer may be rewritten; the ring runs again.
    m.wr(kOp + kCrcr, (m.cmd.base + 16) | kCrcrRcs, 8);
    EXPECT_EQ(m.command(Machine::cmd_trb(TrbType::no_op_command)).cc(), CC::success);
  });
}
