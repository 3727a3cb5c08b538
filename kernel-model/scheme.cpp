#include "kernel-model/scheme.hpp"

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

void Scheme::forward(hal::SqEntry64 sqe, Forwarded f) {
  const std::uint64_t tag = next_tag_++;
  sqe.user_data = tag;
  // The daemon learns which CPU the request came from (a driver with a queue
  // per CPU picks the caller's): syscall_flags carries it.
  if (Process* p = k_.process(f.pid)) sqe.syscall_flags = p->cpu();
  if (f.grant) daemon_.add_buffer_grant(*f.grant);
  if (Process* p = k_.process(f.pid)) p->home().charge(k_.cost().notify);
  pending_.emplace(tag, std::move(f));
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
    const auto it = pending_.find(c.user_data);
    if (it == pending_.end()) {
      k_.events().warn("kernel", "scheme.stray_completion", {{"scheme", name_}, {"tag", c.user_data}});
      continue;
    }
    Forwarded f = std::move(it->second);
    pending_.erase(it);
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
  auto left = std::move(pending_);
  pending_.clear();
  for (auto& [tag, f] : left)
    if (Process* p = k_.process(f.pid); p && p->alive())
      p->post(hal::CqEntry64{f.user_data, hal::status_from_errno(hal::errc::shutdown), 0, 0});
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
