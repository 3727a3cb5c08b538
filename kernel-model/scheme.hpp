// Schemes served by user-space daemons, and user -> user rings.
//
// Scheme: the kernel is the consumer of a ring the daemon serves (kernel ->
// user). A request a process makes on one of the scheme's fds through its
// kernel ring is forwarded there: the kernel's tag replaces the user_data,
// the daemon's handle replaces the fd, and buffer offsets in the process's
// pool become physical ranges granted to the daemon until it answers.
//
// UserRing: a consumer process attached a ring to a scheme (user -> user).
// The kernel is not involved per request; it only carries notifications
// (and charges for them) and delivers RegisterEvents subscriptions.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/mailbox.hpp"
#include "drivers/hal/sys.hpp"
#include "kernel-model/process.hpp"

namespace kernel {

class Kernel;

/// A request forwarded to a daemon, until it answers.
struct Forwarded {
  hal::Pid pid = 0;
  std::uint64_t user_data = 0;  // the process's own
  std::uint8_t opcode = 0;
  std::optional<Range> grant;   // the buffer lent to the daemon
  std::shared_ptr<OpenFile> file;  // for Close: the file being closed
  std::string path;                // for Open
};

class Scheme final : public hal::SchemeServer {
 public:
  Scheme(Kernel& k, std::string name, Process& daemon);

  std::string_view name() const override { return name_; }
  hal::RingServer& requests() override { return *server_; }
  hal::Task<hal::Result<hal::Connection>> accept() override;

  Process& daemon() { return daemon_; }
  /// Forwards a request (queued while the daemon's ring is full).
  void forward(hal::SqEntry64 sqe, Forwarded f);
  /// The daemon answered: complete the requests it answered.
  void on_daemon_completions();
  /// A consumer attached: hand the daemon the connection.
  void offer(hal::Connection c) { accepts_.push(std::move(c)); }
  /// The daemon is gone: fail everything pending.
  void shut_down();
  bool is_shut_down() const { return shut_down_; }

 private:
  void push_backlog();

  Kernel& k_;
  std::string name_;
  Process& daemon_;
  std::unique_ptr<hal::RingPairStorage> storage_;
  std::optional<hal::RingConsumer> consumer_;  // the kernel's end
  std::unique_ptr<hal::RingServer> server_;    // the daemon's end
  std::deque<hal::SqEntry64> backlog_;
  // Requests the daemon has not answered, by the tag sent as user_data: a
  // slot table (tag = sequence << 32 | slot; a reused slot gets a new
  // sequence, so a late or forged tag never matches), O(1) per request.
  struct PendingSlot {
    std::uint64_t tag = 0;  // 0: free
    Forwarded f;
  };
  std::uint64_t add_pending(Forwarded f);
  PendingSlot* find_pending(std::uint64_t tag);
  std::vector<PendingSlot> pending_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_seq_ = 1;
  hal::Mailbox<hal::Connection> accepts_;
  bool shut_down_ = false;
};

/// A subscription of a process to the activity of a ring (RegisterEvents).
struct Subscription {
  hal::Pid pid = 0;
  std::uint64_t user_data = 0;
  bool repeat = false;  // SUBSCRIBE: every event, not just the next
};

class UserRing {
 public:
  UserRing(Kernel& k, Process& consumer, Scheme& scheme, std::uint32_t entries, hal::DmaBuffer pool);

  hal::RingClient& client() { return *client_; }
  hal::RingServer& server() { return *server_; }
  Process& consumer() { return consumer_; }
  Scheme& scheme() { return scheme_; }
  const hal::DmaBuffer& pool() const { return pool_; }
  void subscribe(Subscription s) { subscriptions_.push_back(s); }
  /// The consumer closed its end.
  void close();

 private:
  void consumer_kick();  // the consumer submitted
  void producer_kick();  // the producer answered
  void notify_subscribers(bool last);

  Kernel& k_;
  Process& consumer_;
  Scheme& scheme_;
  hal::DmaBuffer pool_;
  std::unique_ptr<hal::RingPairStorage> storage_;
  std::unique_ptr<hal::RingClient> client_;
  std::unique_ptr<hal::RingServer> server_;
  std::vector<Subscription> subscriptions_;
  bool closed_ = false;
};

}  // namespace kernel
