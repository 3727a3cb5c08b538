// An xHCI 1.2 host controller behind a PCI Express endpoint (class 0C0330h)
// with MSI-X, one interrupter per vector. BAR0 holds the capability,
// operational, runtime and doorbell registers, the extended capabilities and
// the MSI-X table (layout in xhci_regs.hpp). Root hub ports take
// usb::UsbDevice models; a usb::UsbCapture, if given, records every transfer.
//
// All controller activity runs from one EventQueue (one sc_event, one
// SC_METHOD): commands, transfers, port timers, interrupt moderation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "devices/pci/pci_function.hpp"
#include "devices/usb/usb_capture.hpp"
#include "devices/usb/usb_device.hpp"
#include "devices/xhci/context.hpp"
#include "devices/xhci/dma.hpp"
#include "devices/xhci/event_queue.hpp"
#include "devices/xhci/interrupter.hpp"
#include "devices/xhci/port.hpp"
#include "devices/xhci/ring.hpp"
#include "devices/xhci/slot.hpp"
#include "devices/xhci/xhci_params.hpp"

namespace xhci {

class XhciController : public pci::PciFunction {
 public:
  XhciController(sc_core::sc_module_name name, sim::Trace& trace, const XhciParams& params);
  ~XhciController() override;

  const XhciParams& params() const { return p_; }
  unsigned port_count() const { return static_cast<unsigned>(ports_.size()); }
  bool port_is_usb3(unsigned port) const { return port >= 1 && port <= ports_.size() && ports_[port - 1].usb3; }
  /// The first port (1-based) of the kind a device of `speed` connects to and
  /// that is free, or 0.
  unsigned free_port(usb::Speed speed) const;

  /// Plugs `dev` into `port` at simulated time `at` (hotplug), and unplugs
  /// whatever is there at `at`. The controller does not own the device.
  void attach(unsigned port, usb::UsbDevice& dev, sim::Picos at = 0);
  void detach(unsigned port, sim::Picos at);
  void set_capture(usb::UsbCapture* c) { capture_ = c; }

  std::uint64_t host_system_errors() const { return hse_count_; }
  const Interrupter& interrupter(unsigned i) const { return *interrupters_.at(i); }
  sim::Picos mfindex_time() const;

 protected:
  std::uint64_t bar_read(unsigned bar, std::uint64_t offset, unsigned size) override;
  void bar_write(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value) override;

 private:
  class DmaPort final : public Dma {
   public:
    explicit DmaPort(XhciController& c) : c_(c) {}
    bool read(std::uint64_t addr, void* dst, std::uint64_t len) override;
    bool write(std::uint64_t addr, const void* src, std::uint64_t len) override;
    sim::Picos take_cost() { return std::exchange(cost_, 0); }

   private:
    XhciController& c_;
    sim::Picos cost_ = 0;
  };

  // register_file.cpp
  std::uint32_t read32(std::uint32_t off);
  void write32(std::uint32_t off, std::uint32_t v);
  std::uint32_t cap_read(std::uint32_t off) const;
  std::uint32_t op_read(std::uint32_t off) const;
  void op_write(std::uint32_t off, std::uint32_t v);
  std::uint32_t extcap_read(std::uint32_t off) const;
  void extcap_write(std::uint32_t off, std::uint32_t v);

  // controller.cpp
  void write_usbcmd(std::uint32_t v);
  void start();
  void halt();
  void hc_reset();
  void host_system_error(const char* why);
  bool running() const { return (usbcmd_ & kCmdRunStop) && !(usbsts_ & kStsHch); }
  void post_event(unsigned interrupter, const Trb& ev, bool interrupt);
  bool read_scratchpads();
  bool dma_failed() const { return dma_error_; }

  // root_hub.cpp
  std::uint32_t port_read(unsigned index, std::uint32_t reg) const;
  void port_write(unsigned index, std::uint32_t reg, std::uint32_t v);
  void port_connect(unsigned index, usb::UsbDevice& dev);
  void port_disconnect(unsigned index);
  void port_reset(unsigned index, bool warm);
  void port_change(Port& p, std::uint32_t bits);
  void report_port_changes();

  // command_ring.cpp
  void write_crcr(bool high, std::uint32_t v);
  void command_doorbell();
  void process_command();
  void finish_command(std::uint64_t address, CompletionCode cc, std::uint8_t slot);
  void command_ring_stopped();

  // commands.cpp
  CompletionCode execute_command(const Trb& t, std::uint8_t& slot);
  CompletionCode cmd_enable_slot(std::uint8_t& slot);
  CompletionCode cmd_disable_slot(std::uint8_t slot);
  CompletionCode cmd_address_device(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_configure_endpoint(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_evaluate_context(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_reset_endpoint(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_stop_endpoint(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_set_tr_dequeue(const Trb& t, std::uint8_t slot);
  CompletionCode cmd_reset_device(std::uint8_t slot);
  DeviceSlot* enabled_slot(std::uint8_t slot);
  bool read_input_context(std::uint64_t addr, std::vector<std::uint32_t>& ctx);
  bool write_output_context(DeviceSlot& s, bool all_endpoints, unsigned only_dci = 0);
  void disable_endpoint(DeviceSlot& s, unsigned dci);

  // transfers.cpp
  void endpoint_doorbell(unsigned slot, std::uint32_t value);
  void kick(unsigned slot, unsigned dci, sim::Picos delay);
  void service(unsigned slot, unsigned dci);
  bool collect_td(Endpoint& ep, std::vector<TdTrb>& td, TrbRing& after, bool control, Fetch& why);
  void run_bulk(DeviceSlot& s, unsigned slot, unsigned dci);
  void run_control(DeviceSlot& s, unsigned slot, unsigned dci);
  void trb_error(DeviceSlot& s, unsigned slot, unsigned dci, std::uint64_t address, const char* why);
  void halt_endpoint(DeviceSlot& s, unsigned dci, std::uint64_t dequeue);
  void endpoint_ready(usb::UsbDevice* dev, std::uint8_t address);
  void stop_endpoint_transfers(DeviceSlot& s, unsigned slot, unsigned dci);
  void fail_waiting_transfers(unsigned port_index);
  bool gather(const std::vector<TdTrb>& td, std::size_t first, std::size_t end, std::vector<std::uint8_t>& out);
  bool scatter(const std::vector<TdTrb>& td, std::size_t first, std::size_t end, const std::vector<std::uint8_t>& in);
  void report_td(DeviceSlot& s, unsigned slot, unsigned dci, const std::vector<TdTrb>& td, std::size_t first,
                 std::size_t end, std::uint64_t moved, CompletionCode err);
  void capture_submit(DeviceSlot& s, Endpoint& ep, unsigned dci, std::uint32_t length,
                      const std::vector<std::uint8_t>& out, const usb::SetupPacket* setup);
  void capture_complete(DeviceSlot& s, Endpoint& ep, unsigned dci, usb::Status st, std::uint32_t actual,
                        const std::vector<std::uint8_t>& in, const usb::SetupPacket* setup, sim::Picos at);

  XhciParams p_;
  ContextLayout layout_;
  EventQueue queue_;
  DmaPort dma_;
  bool dma_error_ = false;
  std::uint64_t hse_count_ = 0;

  // Operational registers.
  std::uint32_t usbcmd_ = 0, usbsts_ = kStsHch, dnctrl_ = 0, config_ = 0;
  std::uint64_t dcbaap_ = 0;
  std::uint32_t usblegsup_ = 0, usblegctlsts_ = 0;
  sim::Picos mf_accum_ = 0, mf_run_start_ = 0;
  std::vector<std::uint64_t> scratchpads_;

  // Command ring.
  TrbRing cmd_ring_;
  bool crr_ = false, cmd_busy_ = false, cmd_stop_ = false;
  EventQueue::Ticket cmd_ticket_;

  std::vector<Port> ports_;
  std::vector<std::unique_ptr<Interrupter>> interrupters_;
  std::vector<DeviceSlot> slots_;  // index = Slot ID; 0 unused
  usb::UsbCapture* capture_ = nullptr;
  std::uint64_t next_urb_ = 1;
};

}  // namespace xhci
