// The NVMe controller (NVM Express Base 1.4 over PCIe): a PCI Express
// endpoint (class 01h/08h/02h) with MSI-X, MSI and INTx, its registers and
// doorbells in BAR0 (64-bit), the MSI-X table and PBA in BAR0 above them.
//
// Performance design: no thread per command and no wait(). Every command's
// timeline is computed when it is fetched from the busy-until times of the
// shared resources (Datapath, FlashModel); the controller then schedules one
// completion action on its EventQueue. Per command that is about three
// scheduled actions: the fetch (shared by the commands of a doorbell), the
// completion, and the interrupt message the interrupt controller delivers.
// Functional effects happen at the modelled times: a read copies data into
// host memory and posts its CQE when the data has crossed the link; a write
// takes its data from host memory at completion. Ordering is (time,
// sequence) throughout, never pointers or hash order.
//
// Implementation is split by concept: controller.cpp (registers, CC/CSTS
// state machine), queue_engine.cpp (doorbells, fetch, completion posting,
// interrupts), admin_commands.cpp, features.cpp, io_commands.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "devices/nvme/async_events.hpp"
#include "devices/nvme/coalescing.hpp"
#include "devices/nvme/command_table.hpp"
#include "devices/nvme/datapath.hpp"
#include "devices/nvme/event_queue.hpp"
#include "devices/nvme/faults.hpp"
#include "devices/nvme/features.hpp"
#include "devices/nvme/log_pages.hpp"
#include "devices/nvme/namespace.hpp"
#include "devices/nvme/params.hpp"
#include "devices/nvme/queues.hpp"
#include "devices/pci/pci_function.hpp"

namespace nvme {

class NvmeController : public pci::PciFunction {
 public:
  /// Throws std::invalid_argument for inconsistent parameters and
  /// std::runtime_error when a namespace image cannot be opened.
  NvmeController(sc_core::sc_module_name name, sim::Trace& trace, const NvmeParams& params);

  const NvmeParams& params() const { return p_; }
  /// Where the MSI-X table and PBA sit in BAR0.
  std::uint32_t msix_table_offset() const { return msix_table_off_; }
  std::uint32_t msix_pba_offset() const { return msix_pba_off_; }
  std::uint64_t bar0_size() const { return bar0_size_; }

  /// Introspection for tests and reports (not guest visible).
  std::uint32_t csts() const { return csts_; }
  Namespace* find_namespace(std::uint32_t nsid) const;
  std::uint64_t commands_completed() const { return completed_; }
  std::uint32_t commands_in_flight() const { return cmds_.active(); }
  std::uint64_t actions_dispatched() const { return events_.dispatched(); }
  const HealthCounters& health() const { return health_; }
  std::uint64_t error_count() const { return errors_.count(); }

  // --- faults.cpp: injected faults (scenario `faults:`, faults.hpp)
  void inject_hang(sim::Picos duration);  // 0: until the host resets the controller
  void inject_drop_completions(std::uint32_t count, FaultQueues queues);
  void inject_fatal();
  bool hung() const { return faults_.hung; }

  /// Read-only views of the queues for debuggers (sim/platform/debug_api.cpp,
  /// `drvsim queues` and `drvsim cqe` in gdb); null when `qid` does not exist.
  std::size_t debug_queue_slots() const { return sqs_.size() > cqs_.size() ? sqs_.size() : cqs_.size(); }
  const SubmissionQueue* debug_sq(std::size_t qid) const { return qid < sqs_.size() && sqs_[qid] ? &*sqs_[qid] : nullptr; }
  const CompletionQueue* debug_cq(std::size_t qid) const { return qid < cqs_.size() && cqs_[qid] ? &*cqs_[qid] : nullptr; }

 protected:
  std::uint64_t bar_read(unsigned bar, std::uint64_t offset, unsigned size) override;
  void bar_write(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value) override;
  bool bar_write_posted(unsigned bar, std::uint64_t offset, unsigned size, std::uint64_t value,
                        sim::Picos arrival) override;
  void config_written(std::uint16_t offset, unsigned size) override;

 private:
  enum class State { disabled, enabling, ready, resetting, failed };

  // --- controller.cpp: registers and the CC/CSTS state machine
  std::uint64_t cap() const;
  bool allowed_access(std::uint64_t offset, unsigned size) const;
  std::uint64_t register_read(std::uint32_t offset) const;
  void register_write(std::uint32_t offset, unsigned size, std::uint64_t value);
  void write_cc(std::uint32_t value);
  void write_interrupt_mask(bool set, std::uint32_t bits);
  void start_enable();
  const char* enable_problem() const;
  void become_ready();
  void start_reset();
  void reset_done();
  void start_shutdown();
  void shutdown_done();
  void fatal(const char* reason);
  void stop_failed();
  void on_action(const Action& a);
  void schedule(sim::Picos at, Action::Kind kind, std::uint32_t a = 0, std::uint64_t b = 0);

  // --- queue_engine.cpp: doorbells, fetch, completions, interrupts
  void doorbell_write(std::uint64_t offset, unsigned size, std::uint32_t value);
  void invalid_doorbell(std::uint8_t info, std::uint16_t qid, std::uint32_t value, const char* why);
  void request_fetch(sim::Picos at);
  /// Makes the posted doorbells that have arrived by now effective; true if any.
  bool apply_posted_doorbells();
  void fetch();
  void dispatch(std::uint16_t sqid, const Sqe& sqe, sim::Picos fetched);
  void complete(std::uint32_t slot, std::uint32_t gen);
  void finish(Command& c, Status st);
  void post(std::uint16_t cqid, const HeldCompletion& e);
  bool write_cqe(CompletionQueue& cq, const HeldCompletion& e);
  void drain_held(CompletionQueue& cq);
  void record_error(const Command* c, std::uint16_t sqid, std::uint16_t cid, Status st);
  void note_interrupt(const CompletionQueue& cq);
  void coalesce_timer(unsigned vector, std::uint64_t token);
  void flush_interrupts();
  void signal_vector(unsigned vector);
  void update_intx();
  unsigned interrupt_vectors() const;
  void rebuild_sq_order();
  Status transfer_to_host(const Command& c, const void* data, std::uint64_t len);
  Status transfer_from_host(const Command& c, void* data, std::uint64_t len);
  Status map_prps(const Command& c, std::uint64_t len, std::vector<Segment>& out, sim::Picos* list_time);
  Status dma_segments(const std::vector<Segment>& segs, std::uint8_t* data, bool to_host);

  // --- faults.cpp: the hooks of injected faults
  bool fault_defers(std::uint32_t slot, std::uint32_t gen);
  bool fault_stashes(std::uint16_t cqid, const HeldCompletion& e);
  bool fault_drops(const Command& c);
  void end_hang(std::uint64_t token);

  // --- admin_commands.cpp
  std::optional<Status> execute_admin(Command& c);
  Status create_io_cq(const Command& c);
  Status create_io_sq(const Command& c);
  Status delete_io_sq(const Command& c);
  Status delete_io_cq(const Command& c);
  Status identify(const Command& c);
  Status get_log_page(const Command& c);
  Status abort_command(Command& c);
  void report_event(std::uint8_t type, std::uint8_t info, std::uint8_t log_page);

  // --- features.cpp
  Status set_features(Command& c);
  Status get_features(Command& c);

  // --- io_commands.cpp
  sim::Picos plan_io(Command& c, sim::Picos t);
  Status execute_io(Command& c);
  Namespace* active_namespace(std::uint32_t nsid) const;
  std::uint64_t max_transfer_bytes() const;

  NvmeParams p_;
  std::vector<std::unique_ptr<Namespace>> namespaces_;
  std::uint32_t nn_ = 0;  // Identify NN: the largest NSID
  std::uint32_t msix_table_off_ = 0, msix_pba_off_ = 0;
  std::uint64_t bar0_size_ = 0;
  std::uint32_t doorbell_end_ = 0;

  // Registers.
  std::uint32_t cc_ = 0, csts_ = 0, aqa_ = 0, intms_ = 0;
  std::uint64_t asq_ = 0, acq_ = 0;
  std::uint64_t page_size_ = 4096;  // from CC.MPS, latched at enable

  State state_ = State::disabled;
  std::uint64_t epoch_ = 0;  // bumped by reset and failure: older actions are stale
  std::vector<std::optional<SubmissionQueue>> sqs_;
  std::vector<std::optional<CompletionQueue>> cqs_;
  std::vector<std::uint16_t> sq_order_;  // existing SQ IDs ascending: the round-robin order
  std::size_t rr_next_ = 0;
  sim::Picos fetch_at_ = ~sim::Picos{0};
  // SQ Tail doorbell writes taken ahead of their arrival (bar_write_posted):
  // each becomes effective at the controller's first activity at or after
  // its arrival time, which is no later than the fetch it asked for.
  struct PostedDoorbell {
    sim::Picos at;
    std::uint64_t offset;
    std::uint32_t value;
  };
  std::deque<PostedDoorbell> posted_doorbells_;

  CommandTable cmds_;
  FaultState faults_;
  FeatureState features_;
  Coalescer coalescer_;
  AsyncEvents aer_;
  ErrorLog errors_;
  HealthCounters health_;
  Datapath datapath_;
  EventQueue events_;

  std::vector<unsigned> irq_marked_;  // vectors to signal at the end of this batch
  std::vector<bool> irq_is_marked_;
  std::uint32_t msi_held_ = 0;        // MSI vectors requested while masked by INTMS
  bool in_batch_ = false;
  std::vector<std::uint8_t> io_buf_;
  std::uint64_t completed_ = 0;
};

}  // namespace nvme
