// A small fake for the engine's unit tests: a hal::Sys whose clock the test
// advances (timers, physalloc from host memory, MMIO to a fake device) and a
// scripted NVMe controller behind hal::MmioBackend. The controller follows
// the specification where nvmed depends on it (CC.EN / CSTS.RDY, admin queue
// from AQA/ASQ/ACQ, queue creation, Phase Tags, Abort), and lets a test
// hold commands (never complete them), ignore Aborts, or never become
// ready: what a real device does when it misbehaves. No kernel, no SystemC.
#pragma once

#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/executor.hpp"
#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/ring_pair.hpp"
#include "drivers/hal/signal.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/nvmed/command.hpp"
#include "drivers/nvmed/regs.hpp"

namespace fakenvme {

using nvmed::CompletionEntry;
using nvmed::SubmissionEntry;

class FakeSys final : public hal::Sys {
 public:
  FakeSys() : pool_alloc_(4096) {
    storage_.emplace(std::move(*hal::RingPairStorage::create(4, 4)));
    ring_ = std::make_unique<hal::RingClient>(*hal::RingConsumer::attach(storage_->pair()), [] {});
  }
  ~FakeSys() override { exec_.reset(); }
  /// Destroys every task (before what they refer to goes away).
  void reset_executor() { exec_ = std::make_unique<hal::Executor>(); }

  hal::Pid pid() const override { return 7; }
  std::string_view program() const override { return "nvmed"; }
  const std::vector<std::string>& args() const override { return args_; }
  unsigned cpu() const override { return 0; }
  unsigned cpu_count() const override { return 2; }
  hal::Executor& executor() override { return *exec_; }
  std::uint64_t now_ns() const override { return now; }
  hal::Task<void> sleep_ns(std::uint64_t ns) override {
    hal::Signal<void> s;
    const std::pair<std::uint64_t, std::uint64_t> key{now + ns, next_timer_++};
    timers_[key] = &s;
    struct Cancel {  // a sleeper destroyed early leaves no timer behind
      std::map<std::pair<std::uint64_t, std::uint64_t>, hal::Signal<void>*>& t;
      std::pair<std::uint64_t, std::uint64_t> key;
      ~Cancel() { t.erase(key); }
    } cancel{timers_, key};
    co_await s;
  }
  void print(std::string_view line) override { printed.emplace_back(line); }
  void log(hal::LogLevel, std::string_view kind, std::string_view message) override {
    logs.push_back(std::string(kind) + " " + std::string(message));
  }
  hal::Result<hal::DmaBuffer> physalloc(std::size_t bytes) override {
    const std::size_t n = (bytes + 4095) / 4096 * 4096;
    auto mem = std::make_unique<std::uint8_t[]>(n + 4096);
    std::memset(mem.get(), 0, n + 4096);
    const std::uint64_t phys = next_phys_;
    next_phys_ += n + 4096;
    chunks_[phys] = Chunk{std::move(mem), n};
    return hal::DmaBuffer{phys, chunks_[phys].mem.get(), n};
  }
  hal::Result<hal::Mmio> physmap(std::uint64_t phys, std::uint64_t size) override {
    return hal::Mmio(mmio, phys, size);
  }
  hal::Result<hal::DmaBuffer> grant_view(std::uint64_t phys, std::uint64_t len) override {
    std::uint8_t* p = host(phys, len);
    if (!p) return hal::Error(hal::errc::acces, "not granted");
    return hal::DmaBuffer{phys, p, static_cast<std::size_t>(len)};
  }
  hal::RingClient& kernel_ring() override { return *ring_; }
  hal::PoolAllocator& kernel_pool() override { return pool_alloc_; }
  hal::Result<hal::SchemeServer*> register_scheme(std::string_view) override {
    return hal::Error(hal::errc::nosys, "fake");
  }
  hal::Result<hal::Channel> attach(std::string_view, std::uint32_t, std::size_t) override {
    return hal::Error(hal::errc::nosys, "fake");
  }
  hal::Result<hal::Pid> spawn(std::string_view, std::vector<std::string>, int) override {
    return hal::Error(hal::errc::nosys, "fake");
  }
  void daemonize() override {}
  hal::Result<void> grant_physmap(hal::Pid, std::uint64_t, std::uint64_t) override {
    return hal::Error(hal::errc::perm, "fake");
  }

  /// Host memory behind [phys, phys + len), or nullptr.
  std::uint8_t* host(std::uint64_t phys, std::uint64_t len) {
    auto it = chunks_.upper_bound(phys);
    if (it == chunks_.begin()) return nullptr;
    --it;
    if (phys - it->first + len > it->second.size) return nullptr;
    return it->second.mem.get() + (phys - it->first);
  }
  std::optional<std::uint64_t> next_timer() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first.first;
  }
  /// Fires the timers due at `now`.
  void fire_due() {
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
      hal::Signal<void>* s = timers_.begin()->second;
      timers_.erase(timers_.begin());
      s->complete();
    }
  }
  std::size_t log_count(std::string_view prefix) const {
    std::size_t n = 0;
    for (const auto& l : logs)
      if (l.rfind(prefix, 0) == 0) ++n;
    return n;
  }

  std::uint64_t now = 0;
  hal::MmioBackend* mmio = nullptr;
  std::vector<std::string> printed, logs;

 private:
  struct Chunk {
    std::unique_ptr<std::uint8_t[]> mem;
    std::size_t size = 0;
  };
  std::vector<std::string> args_;
  std::map<std::uint64_t, Chunk> chunks_;
  std::uint64_t next_phys_ = 0x10'0000;
  std::map<std::pair<std::uint64_t, std::uint64_t>, hal::Signal<void>*> timers_;
  std::uint64_t next_timer_ = 0;
  std::optional<hal::RingPairStorage> storage_;
  std::unique_ptr<hal::RingClient> ring_;
  hal::PoolAllocator pool_alloc_;
  std::unique_ptr<hal::Executor> exec_ = std::make_unique<hal::Executor>();
};

/// What the fake controller does with a command.
struct Reaction {
  enum Kind { complete, hold } kind = complete;
  std::uint16_t status = 0;  // Status Field (without the Phase Tag)
  std::uint32_t dw0 = 0;
};

class FakeController final : public hal::MmioBackend {
 public:
  static constexpr std::uint64_t kBar = 0xF000'0000;
  static constexpr std::uint64_t kBarSize = 0x4000;

  explicit FakeController(FakeSys& sys) : sys_(sys) { sys.mmio = this; }

  // Behaviour knobs.
  std::function<std::optional<Reaction>(const SubmissionEntry&, std::uint16_t sqid)> policy;
  bool ready_on_enable = true;
  bool fatal_on_enable = false;  // CSTS.CFS instead of RDY
  bool abort_finds_held = true;  // an Abort completes a held command with Command Abort Requested
  bool hold_aborts = false;      // Aborts are never answered
  std::uint32_t mqes = 63;
  std::uint32_t granted_queues = 8;

  // What happened.
  std::uint32_t cc = 0, csts = 0, aqa = 0;
  std::uint64_t asq = 0, acq = 0;
  unsigned enables = 0, disables = 0;
  std::vector<std::pair<std::uint16_t, SubmissionEntry>> seen;  // every command fetched, in order
  std::vector<unsigned> interrupts;                              // vectors raised, not yet taken
  std::size_t max_in_flight = 0;

  std::size_t count(std::uint8_t opcode, bool admin) const {
    std::size_t n = 0;
    for (const auto& [q, e] : seen)
      if ((q == 0) == admin && e.opcode() == opcode) ++n;
    return n;
  }
  std::size_t held() const { return held_.size(); }
  std::size_t io_sqs() const {
    std::size_t n = 0;
    for (const auto& [q, s] : sqs_) n += q != 0;
    return n;
  }
  /// Completes every held command now (a slow device catching up).
  void release_held(std::uint16_t status = 0) {
    auto h = std::move(held_);
    held_.clear();
    for (const auto& c : h) post(c.sqid, c.sqe.cid(), status, 0);
  }
  /// Posts a completion for a command nobody submitted.
  void post_stray(std::uint16_t sqid, std::uint16_t cid) { post(sqid, cid, 0, 0); }

  /// Executes what was fetched; true if anything happened.
  bool process() {
    bool acted = false;
    while (!fetched_.empty()) {
      const auto [sqid, sqe] = fetched_.front();
      fetched_.pop_front();
      acted = true;
      execute(sqid, sqe);
    }
    return acted;
  }

  // hal::MmioBackend
  std::uint64_t mmio_read(std::uint64_t phys, unsigned width) override {
    const std::uint64_t off = phys - kBar;
    const std::uint64_t cap = std::uint64_t{mqes} | (1ull << 16) | (1ull << 24) | (1ull << 37);
    switch (off) {
      case nvmed::reg::CAP: return width == 8 ? cap : cap & 0xFFFF'FFFF;
      case nvmed::reg::CAP + 4: return cap >> 32;
      case nvmed::reg::VS: return 0x10400;
      case nvmed::reg::CC: return cc;
      case nvmed::reg::CSTS: return csts;
      default: return 0;
    }
  }
  void mmio_write(std::uint64_t phys, unsigned, std::uint64_t v) override {
    const std::uint64_t off = phys - kBar;
    const auto v32 = static_cast<std::uint32_t>(v);
    if (off >= nvmed::reg::kDoorbellBase) return doorbell(off, v32);
    switch (off) {
      case nvmed::reg::CC: write_cc(v32); break;
      case nvmed::reg::AQA: aqa = v32; break;
      case nvmed::reg::ASQ: asq = (asq & ~0xFFFF'FFFFull) | v32; break;
      case nvmed::reg::ASQ + 4: asq = (asq & 0xFFFF'FFFFull) | (std::uint64_t{v32} << 32); break;
      case nvmed::reg::ACQ: acq = (acq & ~0xFFFF'FFFFull) | v32; break;
      case nvmed::reg::ACQ + 4: acq = (acq & 0xFFFF'FFFFull) | (std::uint64_t{v32} << 32); break;
      default: break;
    }
  }

 private:
  struct Sq {
    std::uint64_t base = 0;
    std::uint32_t size = 0, head = 0;
    std::uint16_t cqid = 0;
  };
  struct Cq {
    std::uint64_t base = 0;
    std::uint32_t size = 0, tail = 0;
    bool phase = true;
    std::uint16_t iv = 0;
  };
  struct Held {
    std::uint16_t sqid;
    SubmissionEntry sqe;
  };

  void write_cc(std::uint32_t v) {
    const std::uint32_t old = cc;
    cc = v;
    if (!(old & 1) && (v & 1)) {
      ++enables;
      if (fatal_on_enable) {
        csts |= nvmed::reg::csts::CFS;
        return;
      }
      if (!ready_on_enable) return;
      sqs_.clear();
      cqs_.clear();
      sqs_[0] = Sq{asq, (aqa & 0xFFF) + 1, 0, 0};
      cqs_[0] = Cq{acq, ((aqa >> 16) & 0xFFF) + 1, 0, true, 0};
      csts |= nvmed::reg::csts::RDY;
    } else if ((old & 1) && !(v & 1)) {
      ++disables;  // §7.3.2: everything outstanding is dropped
      sqs_.clear();
      cqs_.clear();
      held_.clear();
      fetched_.clear();
      csts &= ~(nvmed::reg::csts::RDY | nvmed::reg::csts::CFS);
    }
    if (((v >> 14) & 3) == 1) csts = (csts & ~0xCu) | 0x8u;  // SHN normal -> SHST complete
  }

  void doorbell(std::uint64_t off, std::uint32_t v) {
    const std::uint64_t index = (off - nvmed::reg::kDoorbellBase) / 4;
    const auto qid = static_cast<std::uint16_t>(index / 2);
    if (index % 2) return;  // CQ head: the host consumed entries
    auto it = sqs_.find(qid);
    if (it == sqs_.end()) return;
    Sq& sq = it->second;
    while (sq.head != v) {
      SubmissionEntry e;
      std::memcpy(&e, sys_.host(sq.base + std::uint64_t{sq.head} * 64, 64), 64);
      sq.head = (sq.head + 1) % sq.size;
      fetched_.emplace_back(qid, e);
      seen.emplace_back(qid, e);
    }
    max_in_flight = std::max(max_in_flight, fetched_.size() + held_.size());
  }

  void post(std::uint16_t sqid, std::uint16_t cid, std::uint16_t status, std::uint32_t dw0) {
    const auto s = sqs_.find(sqid);
    if (s == sqs_.end()) return;
    Cq& cq = cqs_[s->second.cqid];
    CompletionEntry c{};
    c.dw0 = dw0;
    c.sqhd = static_cast<std::uint16_t>(s->second.head);
    c.sqid = sqid;
    c.cid = cid;
    c.status = static_cast<std::uint16_t>(status | (cq.phase ? 1 : 0));
    std::memcpy(sys_.host(cq.base + std::uint64_t{cq.tail} * 16, 16), &c, 16);
    if (++cq.tail == cq.size) {
      cq.tail = 0;
      cq.phase = !cq.phase;
    }
    interrupts.push_back(cq.iv);
  }

  void execute(std::uint16_t sqid, const SubmissionEntry& e) {
    if (policy) {
      if (const std::optional<Reaction> r = policy(e, sqid)) {
        if (r->kind == Reaction::hold) {
          held_.push_back(Held{sqid, e});
          return;
        }
        return post(sqid, e.cid(), r->status, r->dw0);
      }
    }
    if (sqid != 0) return post(sqid, e.cid(), 0, 0);
    const auto qid = static_cast<std::uint16_t>(e.cdw10 & 0xFFFF);
    const std::uint32_t qsize = (e.cdw10 >> 16) + 1;
    switch (e.opcode()) {
      case nvmed::admin_opc::kCreateIoCq:
        cqs_[qid] = Cq{e.prp1, qsize, 0, true, static_cast<std::uint16_t>(e.cdw11 >> 16)};
        return post(0, e.cid(), 0, 0);
      case nvmed::admin_opc::kCreateIoSq:
        sqs_[qid] = Sq{e.prp1, qsize, 0, static_cast<std::uint16_t>(e.cdw11 >> 16)};
        return post(0, e.cid(), 0, 0);
      case nvmed::admin_opc::kDeleteIoSq: sqs_.erase(qid); return post(0, e.cid(), 0, 0);
      case nvmed::admin_opc::kDeleteIoCq: cqs_.erase(qid); return post(0, e.cid(), 0, 0);
      case nvmed::admin_opc::kSetFeatures: {
        const std::uint32_t n = std::min((e.cdw11 & 0xFFFF) + 1, granted_queues);
        return post(0, e.cid(), 0, ((n - 1) << 16) | (n - 1));
      }
      case nvmed::admin_opc::kAbort: {
        if (hold_aborts) {
          held_.push_back(Held{0, e});
          return;
        }
        const auto target_sq = static_cast<std::uint16_t>(e.cdw10 & 0xFFFF);
        const auto target_cid = static_cast<std::uint16_t>(e.cdw10 >> 16);
        for (auto it = held_.begin(); abort_finds_held && it != held_.end(); ++it) {
          if (it->sqid != target_sq || it->sqe.cid() != target_cid) continue;
          held_.erase(it);
          post(target_sq, target_cid, nvmed::sc::kCommandAbortRequested << 1, 0);
          return post(0, e.cid(), 0, 0);  // aborted
        }
        return post(0, e.cid(), 0, 1);  // not aborted
      }
      default: return post(0, e.cid(), 0, 0);
    }
  }

  FakeSys& sys_;
  std::map<std::uint16_t, Sq> sqs_;
  std::map<std::uint16_t, Cq> cqs_;
  std::deque<std::pair<std::uint16_t, SubmissionEntry>> fetched_;
  std::vector<Held> held_;
};

}  // namespace fakenvme
