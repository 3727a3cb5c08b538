// Section numbers are NVMe Base 1.4's; statuses are figures 126-128.
#include "drivers/nvmebad/checks.hpp"

#include <algorithm>
#include <cstdio>

#include "drivers/nvmed/regs.hpp"

namespace nvmebad {

namespace {

using nvmed::CompletionEntry;
using nvmed::Status;
using nvmed::SubmissionEntry;
namespace sc = nvmed::sc;
namespace sct = nvmed::sct;
namespace reg = nvmed::reg;

constexpr std::uint8_t kBadAdminOpcode = 0x7F;  // reserved (figure 139)
constexpr std::uint8_t kBadIoOpcode = 0x7E;     // reserved (figure 346)
constexpr std::uint8_t kCnsReserved = 0x55;     // reserved CNS (figure 245)
// Command Specific status nvmed has no name for (figure 128).
constexpr std::uint8_t kInvalidQueueDeletion = 0x0C;
constexpr std::uint16_t kIoQid = 1;
constexpr std::uint32_t kIoEntries = 16;
// Far above any guest memory a scenario can configure (at most 1 TiB): no
// RAM answers there, so a DMA to it is an Unsupported Request.
constexpr std::uint64_t kOutsideMemory = 0x4000'0000'0000ULL;

std::string status_text(const Status& s) {
  char b[48];
  std::snprintf(b, sizeof b, " (SCT %xh SC %02Xh)", s.sct, s.sc);
  return std::string(nvmed::status_name(s.sct, s.sc)) + b;
}

std::string status_text(std::uint8_t type, std::uint8_t code) { return status_text(Status{type, code, false, false}); }

class Checker {
 public:
  explicit Checker(Guest& g) : g_(g) {}
  std::vector<CheckResult> results;

  /// `sqe` on `q` must complete with (type, code).
  hal::Task<std::optional<CompletionEntry>> expect_status(const std::string& name, nvmed::QueuePair& q,
                                                          SubmissionEntry sqe, std::uint8_t type, std::uint8_t code) {
    const std::optional<CompletionEntry> e = co_await g_.run(q, sqe);
    CheckResult r{name, status_text(type, code), "no completion", false};
    if (e) {
      const Status st = Status::from_field(e->status);
      r.got = status_text(st);
      r.ok = st.is(type, code);
    }
    results.push_back(r);
    co_return e;
  }
  void record(const std::string& name, const std::string& expected, const std::string& got, bool ok) {
    results.push_back(CheckResult{name, expected, got, ok});
  }

 private:
  Guest& g_;
};

// §3.1.5 / §7.6.1: CC.MPS or CC.CSS that CAP does not allow make enabling a
// fatal error during initialization: CSTS.CFS = 1, RDY stays 0 (§3.1.6).
// CC.EN = 0 resets the controller, which clears CFS.
hal::Task<void> bad_enable(Guest& g, Checker& c, const std::string& name, std::uint32_t cc) {
  const std::uint64_t to = g.controller().caps().timeout_ms;
  bool cfs = false;
  if (const hal::Result<void> w = co_await g.enable_raw(cc); w)
    cfs = co_await g.wait_csts(reg::csts::CFS | reg::csts::RDY, reg::csts::CFS, to);
  c.record(name, "CSTS.CFS=1 RDY=0", cfs ? "CSTS.CFS=1 RDY=0" : "CSTS=" + std::to_string(g.controller().csts()), cfs);
  bool cleared = false;
  if (const hal::Result<void> off = co_await g.controller().disable(); off)
    cleared = co_await g.wait_csts(reg::csts::CFS | reg::csts::RDY, 0, to);
  c.record(name + ", then CC.EN=0", "CSTS.CFS=0 (reset)", cleared ? "CSTS.CFS=0" : "CSTS.CFS still set", cleared);
}

hal::Task<void> register_checks(Guest& g, Checker& c) {
  // §3.1.1, §3.1.2: CAP and VS are read-only; a write changes nothing.
  const std::uint32_t cap = g.regs().read32(reg::CAP), vs = g.regs().read32(reg::VS);
  g.regs().write32(reg::CAP, ~cap);
  g.regs().write32(reg::VS, 0);
  const bool same = g.regs().read32(reg::CAP) == cap && g.regs().read32(reg::VS) == vs;
  c.record("write CAP and VS", "unchanged", same ? "unchanged" : "changed", same);
  const std::uint32_t mpsmax = g.controller().caps().mpsmax;
  if (mpsmax < 15)
    co_await bad_enable(g, c, "CC.MPS above CAP.MPSMAX", reg::cc::value(mpsmax + 1, true));
  co_await bad_enable(g, c, "CC.CSS not in CAP.CSS", reg::cc::value(0, true) | (0x1u << reg::cc::kCssShift));
}

hal::Task<void> admin_checks(Guest& g, Checker& c, std::uint64_t buf) {
  nvmed::QueuePair& a = g.admin();
  co_await c.expect_status("admin opcode 7Fh", a, nvmed::make_command(kBadAdminOpcode), sct::kGeneric,
                           sc::kInvalidCommandOpcode);
  co_await c.expect_status("Identify CNS 55h", a, nvmed::make_identify(kCnsReserved, 0, buf), sct::kGeneric,
                           sc::kInvalidFieldInCommand);
  co_await c.expect_status("Identify Namespace NSID 0", a, nvmed::make_identify(nvmed::cns::kNamespace, 0, buf),
                           sct::kGeneric, sc::kInvalidNamespaceOrFormat);
  const std::uint32_t too_big = g.controller().caps().max_queue_entries + 1;
  const std::uint64_t cq_mem = g.io()->cq_memory().phys;
  co_await c.expect_status("Create I/O CQ QID 0", a, nvmed::make_create_io_cq(0, kIoEntries, cq_mem, 0),
                           sct::kCommandSpecific, sc::kInvalidQueueIdentifier);
  co_await c.expect_status("Create I/O CQ QID 65535", a, nvmed::make_create_io_cq(0xFFFF, kIoEntries, cq_mem, 0),
                           sct::kCommandSpecific, sc::kInvalidQueueIdentifier);
  co_await c.expect_status("Create I/O CQ size MQES+2", a, nvmed::make_create_io_cq(kIoQid, too_big, cq_mem, 0),
                           sct::kCommandSpecific, sc::kInvalidQueueSize);
  co_await c.expect_status("Create I/O CQ size 1", a, nvmed::make_create_io_cq(kIoQid, 1, cq_mem, 0),
                           sct::kCommandSpecific, sc::kInvalidQueueSize);
  co_await c.expect_status("Create I/O CQ vector 2047", a, nvmed::make_create_io_cq(kIoQid, kIoEntries, cq_mem, 2047),
                           sct::kCommandSpecific, sc::kInvalidInterruptVector);
  co_await c.expect_status("Create I/O SQ on a CQ that does not exist", a,
                           nvmed::make_create_io_sq(kIoQid, kIoEntries, g.io()->sq_memory().phys, kIoQid),
                           sct::kCommandSpecific, sc::kCompletionQueueInvalid);
}

hal::Task<bool> create_io_queue(Guest& g, Checker& c) {
  nvmed::QueuePair& a = g.admin();
  nvmed::QueuePair& q = *g.io();
  const auto cq = co_await c.expect_status("Create I/O CQ 1 (valid)", a,
                                           nvmed::make_create_io_cq(kIoQid, kIoEntries, q.cq_memory().phys, 0),
                                           sct::kGeneric, sc::kSuccessfulCompletion);
  const auto sq = co_await c.expect_status("Create I/O SQ 1 (valid)", a,
                                           nvmed::make_create_io_sq(kIoQid, kIoEntries, q.sq_memory().phys, kIoQid),
                                           sct::kGeneric, sc::kSuccessfulCompletion);
  const bool ok = cq && sq && Status::from_field(cq->status).ok() && Status::from_field(sq->status).ok();
  if (ok) q.set_live(true);
  co_await c.expect_status("Delete I/O CQ 1 while SQ 1 uses it", a, nvmed::make_delete_io_cq(kIoQid),
                           sct::kCommandSpecific, kInvalidQueueDeletion);
  co_return ok;
}

hal::Task<void> io_checks(Guest& g, Checker& c, std::uint64_t buf, std::uint64_t blocks) {
  nvmed::QueuePair& q = *g.io();
  co_await c.expect_status("I/O opcode 7Eh", q, nvmed::make_command(kBadIoOpcode, 1), sct::kGeneric,
                           sc::kInvalidCommandOpcode);
  SubmissionEntry sgl = nvmed::make_read_write(nvmed::nvm_opc::kRead, 1, 0, 1, buf, 0);
  sgl.cdw0 |= 1u << 14;  // PSDT = 01b: SGLs, which Identify SGLS says are not supported
  co_await c.expect_status("Read with PSDT=01b (SGL)", q, sgl, sct::kGeneric, sc::kInvalidFieldInCommand);
  co_await c.expect_status("Read NSID 99", q, nvmed::make_read_write(nvmed::nvm_opc::kRead, 99, 0, 1, buf, 0),
                           sct::kGeneric, sc::kInvalidNamespaceOrFormat);
  co_await c.expect_status("Read past the last LBA", q,
                           nvmed::make_read_write(nvmed::nvm_opc::kRead, 1, blocks, 1, buf, 0), sct::kGeneric,
                           sc::kLbaOutOfRange);
  co_await c.expect_status("Read with PRP1 offset 2", q,
                           nvmed::make_read_write(nvmed::nvm_opc::kRead, 1, 0, 1, buf + 2, 0), sct::kGeneric,
                           sc::kPrpOffsetInvalid);
  co_await c.expect_status("Read into memory that does not exist", q,
                           nvmed::make_read_write(nvmed::nvm_opc::kRead, 1, 0, 1, kOutsideMemory, 0), sct::kGeneric,
                           sc::kDataTransferError);
  co_await c.expect_status("Read (valid) after all that", q,
                           nvmed::make_read_write(nvmed::nvm_opc::kRead, 1, 0, 1, buf, 0), sct::kGeneric,
                           sc::kSuccessfulCompletion);
}

// §4.1, §5.2: a doorbell write to a queue that does not exist is ignored and
// reported as an Error Status asynchronous event, Invalid Doorbell Register
// (figure 146), if an Asynchronous Event Request is outstanding.
// An Asynchronous Event Request completed for an invalid doorbell write:
// Error Status (type 0) with `want_info`, log page 01h (NVMe 1.4 figure 146).
void record_aer(Checker& c, const char* what, const std::optional<CompletionEntry>& e, unsigned want_info) {
  char want[64];
  std::snprintf(want, sizeof want, "AER type 0 info %02Xh log 01h", want_info);
  std::string got = "no completion";
  bool ok = false;
  if (e) {
    const unsigned type = e->dw0 & 0x7, info = (e->dw0 >> 8) & 0xFF, page = (e->dw0 >> 16) & 0xFF;
    char b[64];
    std::snprintf(b, sizeof b, "AER type %u info %02Xh log %02Xh", type, info, page);
    got = b;
    ok = Status::from_field(e->status).ok() && type == 0 && info == want_info && page == 0x01;
  }
  c.record(what, want, got, ok);
}

hal::Task<void> doorbell_check(Guest& g, Checker& c) {
  nvmed::QueuePair& a = g.admin();
  const std::uint16_t aer = g.submit(a, nvmed::make_command(nvmed::admin_opc::kAsyncEventRequest));
  co_await g.sys().sleep_ns(100'000);  // fetched and outstanding
  g.regs().write32(g.doorbell(40, false), 3);
  record_aer(c, "SQ 40 tail doorbell (no such queue)", co_await g.wait(a, aer), 0x00);
}

// An SQ tail at or beyond the queue size is an Invalid Doorbell Write Value
// (figure 146, info 01h). The Error Status event type stays masked after the
// first report until the host reads its log page with RAE = 0 (§5.2).
hal::Task<void> doorbell_value_check(Guest& g, Checker& c, std::uint64_t buf) {
  nvmed::QueuePair& a = g.admin();
  SubmissionEntry log = nvmed::make_command(nvmed::admin_opc::kGetLogPage, 0);
  log.prp1 = buf;
  log.cdw10 = 0x01u | (15u << 16);  // LID 01h Error Information, RAE 0, NUMDL 15: one 64-byte entry
  co_await c.expect_status("Get Log Page 01h (unmasks Error Status events)", a, log, sct::kGeneric,
                           sc::kSuccessfulCompletion);
  const std::uint16_t aer = g.submit(a, nvmed::make_command(nvmed::admin_opc::kAsyncEventRequest));
  co_await g.sys().sleep_ns(100'000);
  g.regs().write32(g.doorbell(kIoQid, false), kIoEntries + 4);
  record_aer(c, "SQ 1 tail doorbell beyond the queue size", co_await g.wait(a, aer), 0x01);
}

}  // namespace

hal::Task<hal::Result<std::vector<CheckResult>>> run_checks(Guest& g) {
  Checker c(g);
  co_await register_checks(g, c);
  const hal::Result<void> on = co_await g.enable();
  if (!on) co_return on.error().with_context("enable after the register checks");
  c.record("CC valid after the bad ones", "CSTS.RDY=1", "CSTS.RDY=1", true);
  hal::Result<hal::DmaBuffer> buf = g.page();
  if (!buf) co_return buf.error();
  if (const hal::Result<nvmed::QueuePair*> q = g.make_io_queue(kIoQid, kIoEntries); !q) co_return q.error();
  co_await admin_checks(g, c, buf->phys);
  // The namespace's size, for the LBA range check: Identify Namespace NSZE.
  const auto id = co_await c.expect_status("Identify Namespace 1 (valid)", g.admin(),
                                           nvmed::make_identify(nvmed::cns::kNamespace, 1, buf->phys), sct::kGeneric,
                                           sc::kSuccessfulCompletion);
  std::uint64_t nsze = 0;
  if (id) std::copy_n(buf->bytes().data(), sizeof nsze, reinterpret_cast<std::uint8_t*>(&nsze));
  if (co_await create_io_queue(g, c)) {
    co_await io_checks(g, c, buf->phys, nsze);
    co_await doorbell_check(g, c);
    co_await doorbell_value_check(g, c, buf->phys);
  }
  co_return std::move(c.results);
}

std::vector<std::string> format_table(const std::vector<CheckResult>& results) {
  std::size_t w = 5;
  for (const CheckResult& r : results) w = std::max(w, r.name.size());
  std::vector<std::string> lines;
  auto pad = [](std::string s, std::size_t n) { return s.size() < n ? s + std::string(n - s.size(), ' ') : s; };
  lines.push_back(pad("check", w) + "  ok    expected -> got");
  for (const CheckResult& r : results)
    lines.push_back(pad(r.name, w) + "  " + (r.ok ? "ok  " : "FAIL") + "  " + r.expected + " -> " + r.got);
  return lines;
}

}  // namespace nvmebad
