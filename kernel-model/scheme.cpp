#include "kernel-model/scheme.hpp"

#include <algorithm>

#include "drivers/hal/cqe_status.hpp"
#include "kernel-model/kernel.hpp"

namespace kernel {

namespace {
constexpr std::uint32_t kSchemeRingEntries = 256;
}

Scheme::Scheme(Kernel& k, std::string name, Process& daemon) : k_(k), name_(std::move(name)), daemon_(daemon) {
  storage_ = std::make_unique<hal::RingPairStorage>(
      std::move(*hal::RingPairStorage::create(kSchemeRingEntries, kSchemeRingEntries)));
  consumer_.emplace(std::move(*hal::RingConsumer::attach(storage_->pair())));
  server_ = std::make_unique<hal::RingServer>(*hal::RingProducer::attach(storage_->pair()),
                                              [this] { on_daemon_completions(); });
}

hal::Task<hal::Result<hal::Connection>> Scheme::accept() {
  std::optional<hal::Connection> c = co_await accepts_.next();
  if (!c) co_return hal::Error(hal::errc::shutdown, "scheme closed");
  co_return std::move(*c);
}

std::uint64_t Scheme::add_pending(Forwarded f) {
  std::uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(pending_.size());
    pending_.emplace_back();
  }
  const std::uint64_t tag = (next_seq_++ << 32) | slot;
  pending_[slot].tag = tag;
  pending_[slot].f = std::move(f);
  return tag;
}

Scheme::PendingSlot* Scheme::find_pending(std::uint64_t tag) {
  const std::uint64_t slot = tag & 0xFFFF'FFFFULL;
  if (tag == 0 || slot >= pending_.size() || pending_[slot].tag != tag) return nullptr;
  return &pending_[slot];
}

void Scheme::forward(hal::SqEntry64 sqe, Forwarded f) {
  // The daemon learns which CPU the request came from (a driver with a queue
  // per CPU picks the caller's): syscall_flags carries it.
  Process* from = k_.process(f.pid);
  if (from) sqe.syscall_flags = from->cpu();
  if (f.grant) daemon_.add_buffer_grant(*f.grant);
  if (from) from->home().charge(k_.cost().notify);
  sqe.user_data = add_pending(std::move(f));
  if (!backlog_.empty() || !consumer_->try_submit(sqe)) {
    backlog_.push_back(sqe);  // the daemon's ring is full: kept in order
    return;
  }
  server_->on_submissions();
}

void Scheme::push_backlog() {
  bool pushed = false;
  while (!backlog_.empty() && consumer_->try_submit(backlog_.front())) {
    backlog_.pop_front();
    pushed = true;
  }
  if (pushed) server_->on_submissions();
}

void Scheme::on_daemon_completions() {
  daemon_.home().charge(k_.cost().notify);
  hal::CqEntry64 c;
  while (consumer_->try_reap(c)) {
    k_.cpu(daemon_.cpu()).charge(k_.cost().ring_entry);
    PendingSlot* slot = find_pending(c.user_data);
    if (!slot) {
      k_.events().warn("kernel", "scheme.stray_completion", {{"scheme", name_}, {"tag", c.user_data}});
      continue;
    }
    Forwarded f = std::move(slot->f);
    slot->f = Forwarded{};
    slot->tag = 0;
    free_slots_.push_back(static_cast<std::uint32_t>(slot - pending_.data()));
    if (f.grant) daemon_.revoke_buffer_grant(*f.grant);
    Process* p = k_.process(f.pid);
    if (!p || !p->alive()) continue;
    std::uint64_t status = c.status;
    if (f.opcode == static_cast<std::uint8_t>(hal::Opcode::open) && !hal::status_is_error(c.status)) {
      auto file = std::make_shared<OpenFile>();
      file->kind = FileKind::scheme;
      file->path = f.path;
      file->scheme = this;
      file->handle = c.status;
      status = p->add_fd(file);
    }
    p->post(hal::CqEntry64{f.user_data, status, c.flags, c.extra});
  }
  push_backlog();
  server_->on_room();
}

void Scheme::shut_down() {
  if (shut_down_) return;
  shut_down_ = true;
  accepts_.close();
  consumer_->shut_down();
  backlog_.clear();
  // Everyone still waiting hears, in the order the requests came.
  std::vector<PendingSlot> left;
  for (PendingSlot& s : pending_)
    if (s.tag != 0) left.push_back(std::move(s));
  pending_.clear();
  free_slots_.clear();
  std::sort(left.begin(), left.end(), [](const PendingSlot& a, const PendingSlot& b) { return a.tag >> 32 < b.tag >> 32; });
  for (const PendingSlot& s : left)
    if (Process* p = k_.process(s.f.pid); p && p->alive())
      p->post(hal::CqEntry64{s.f.user_data, hal::status_from_errno(hal::errc::shutdown), 0, 0});
  k_.events().info("kernel", "scheme.closed", {{"scheme", name_}});
}

UserRing::UserRing(Kernel& k, Process& consumer, Scheme& scheme, std::uint32_t entries, hal::DmaBuffer pool)
    : k_(k), consumer_(consumer), scheme_(scheme), pool_(pool) {
  storage_ = std::make_unique<hal::RingPairStorage>(std::move(*hal::RingPairStorage::create(entries, entries)));
  client_ = std::make_unique<hal::RingClient>(*hal::RingConsumer::attach(storage_->pair()),
                                              [this] { consumer_kick(); }, pool);
  server_ = std::make_unique<hal::RingServer>(*hal::RingProducer::attach(storage_->pair()),
                                              [this] { producer_kick(); }, pool, consumer.pid());
}

void UserRing::consumer_kick() {
  // The kernel is not involved per request, only to wake the producer.
  consumer_.home().charge(k_.cost().notify);
  server_->on_submissions();
  server_->on_room();
}

void UserRing::producer_kick() {
  scheme_.daemon().home().charge(k_.cost().notify);
  client_->on_completions();
  notify_subscribers(false);
}

void UserRing::notify_subscribers(bool last) {
  for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
    Process* p = k_.process(it->pid);
    if (!p || !p->alive()) {
      it = subscriptions_.erase(it);
      continue;
    }
    std::uint64_t flags = it->repeat ? hal::kCqeEvent : 0;
    if (last) flags |= hal::kCqeLastUpdate;
    p->post(hal::CqEntry64{it->user_data, 0, flags, 0});
    it = (it->repeat && !last) ? std::next(it) : subscriptions_.erase(it);
  }
}

void UserRing::close() {
  if (closed_) return;
  closed_ = true;
  client_->shut_down();
  notify_subscribers(true);
}

}  // namespace kernel
