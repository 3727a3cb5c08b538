#include "drivers/nvmed/disk_scheme.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"
#include "drivers/nvmed/tasks.hpp"

namespace nvmed {

std::optional<std::uint32_t> parse_disk_path(std::string_view path) {
  if (const std::size_t colon = path.rfind(':'); colon != std::string_view::npos) path.remove_prefix(colon + 1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return 0u;
  std::uint32_t n = 0;
  const auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), n);
  if (ec != std::errc{} || p != path.data() + path.size() || n == 0 || n >= kBroadcastNsid) return std::nullopt;
  return n;
}

DiskScheme::DiskScheme(hal::Sys& sys, Engine& engine, std::vector<Namespace*> namespaces)
    : sys_(sys), engine_(engine), namespaces_(std::move(namespaces)) {}

Namespace* DiskScheme::find(std::uint32_t nsid) const {
  for (Namespace* ns : namespaces_)
    if (ns->info().nsid == nsid) return ns;
  return nullptr;
}

std::string DiskScheme::listing() const {
  std::string s;
  for (const Namespace* ns : namespaces_) s += std::to_string(ns->info().nsid) + "\n";
  return s;
}

hal::Task<void> DiskScheme::serve(hal::SchemeServer& server) {
  hal::RingServer& ring = server.requests();
  for (;;) {
    hal::Result<hal::SqEntry64> sqe = co_await ring.next();
    if (!sqe) {
      if (!sqe.error().is(hal::errc::shutdown))
        sys_.log(hal::LogLevel::error, "nvmed.scheme.failed", sqe.error().message());
      co_return;
    }
    ++requests_;
    // The request task holds the engine's owner itself (a parameter, so it
    // goes after the task's locals): no wrapper frame per request.
    sys_.executor().spawn(handle(engine_.keep(), ring, *sqe), "nvmed.request");
  }
}

hal::Task<void> DiskScheme::handle(std::shared_ptr<void> keep, hal::RingServer& ring, hal::SqEntry64 sqe) {
  const hal::Result<std::uint64_t> r = co_await dispatch(sqe);
  if (!r) {
    ++failed_;
    sys_.log(hal::LogLevel::warn, "nvmed.request.failed",
             "opcode=" + std::to_string(sqe.opcode) + " handle=" + std::to_string(sqe.fd) +
                 " offset=" + std::to_string(sqe.offset) + " len=" + std::to_string(sqe.len) + " " +
                 r.error().message());
  }
  ring.reply(sqe, hal::status_from_result(r));
  (void)keep;
}

hal::Result<std::uint64_t> DiskScheme::open(const hal::SqEntry64& sqe) {
  if (sqe.len == 0 || sqe.len > 4096) return hal::Error(hal::errc::inval, "open: bad path length");
  const hal::Result<hal::DmaBuffer> v = sys_.grant_view(sqe.addr, sqe.len);
  if (!v) return v.error().with_context("open");
  const std::string path(reinterpret_cast<const char*>(v->data), v->size);
  const std::optional<std::uint32_t> nsid = parse_disk_path(path);
  if (!nsid || (*nsid != 0 && !find(*nsid))) return hal::Error(hal::errc::noent, "open " + path + ": no such namespace");
  const std::uint64_t h = next_handle_++;
  handles_[h] = Handle{*nsid, 0};
  return h;
}

hal::Result<std::uint64_t> DiskScheme::fstat(const hal::SqEntry64& sqe) {
  const auto it = handles_.find(sqe.fd);
  if (it == handles_.end()) return hal::Error(hal::errc::badf, "fstat: no such handle");
  if (sqe.len < sizeof(hal::Stat)) return hal::Error(hal::errc::fault, "fstat: buffer too small");
  const hal::Result<hal::DmaBuffer> v = sys_.grant_view(sqe.addr, sizeof(hal::Stat));
  if (!v) return v.error().with_context("fstat");
  hal::Stat st;
  if (const Namespace* ns = find(it->second.nsid)) {
    st.size = ns->size_bytes();
    st.block_size = ns->info().lba_bytes;
    st.mode = 3;  // a device
    st.blocks = ns->info().blocks;
  } else {
    st.size = listing().size();
    st.block_size = 1;
    st.mode = 2;  // the root: a directory of namespaces
  }
  std::memcpy(v->data, &st, sizeof st);
  return 0;
}

hal::Result<std::uint64_t> DiskScheme::read_root(Handle& h, const hal::SqEntry64& sqe, bool positional) {
  const std::string text = listing();
  const std::uint64_t pos = positional ? sqe.offset : h.position;
  const std::uint64_t n = pos >= text.size() ? 0 : std::min<std::uint64_t>(sqe.len, text.size() - pos);
  if (n > 0) {
    const hal::Result<hal::DmaBuffer> v = sys_.grant_view(sqe.addr, n);
    if (!v) return v.error();
    std::memcpy(v->data, text.data() + pos, n);
  }
  if (!positional) h.position += n;
  return n;
}

hal::Task<hal::Result<std::uint64_t>> DiskScheme::dispatch(const hal::SqEntry64& sqe) {
  const auto op = static_cast<hal::Opcode>(sqe.opcode);
  if (op == hal::Opcode::open) co_return open(sqe);
  if (op == hal::Opcode::fstat) co_return fstat(sqe);
  const auto it = handles_.find(sqe.fd);
  if (it == handles_.end()) co_return hal::Error(hal::errc::badf, "no such handle");
  if (op == hal::Opcode::close) {
    handles_.erase(it);
    co_return std::uint64_t{0};
  }
  Handle& h = it->second;
  const bool is_read = op == hal::Opcode::read || op == hal::Opcode::pread;
  const bool is_write = op == hal::Opcode::write || op == hal::Opcode::pwrite;
  const bool positional = op == hal::Opcode::pread || op == hal::Opcode::pwrite;
  Namespace* ns = find(h.nsid);
  if (!ns) {
    if (is_read) co_return read_root(h, sqe, positional);
    if (op == hal::Opcode::fsync) co_return std::uint64_t{0};
    co_return hal::Error(is_write ? hal::errc::inval : hal::errc::nosys, "not supported on the scheme root");
  }
  QueuePair& q = engine_.queue_for_cpu(sqe.syscall_flags);
  if (op == hal::Opcode::fsync) {
    const hal::Result<void> r = co_await ns->flush(q);
    if (!r) co_return r.error();
    co_return std::uint64_t{0};
  }
  if (!is_read && !is_write) co_return hal::Error(hal::errc::nosys, "opcode not supported by the disk scheme");
  if (sqe.len == 0) co_return std::uint64_t{0};
  const hal::Result<hal::DmaBuffer> buf = sys_.grant_view(sqe.addr, sqe.len);
  if (!buf) co_return buf.error();
  std::uint64_t offset = sqe.offset;
  if (!positional) {
    // The position moves now: requests on the same handle in flight together
    // get consecutive ranges.
    offset = h.position;
    const std::uint64_t size = ns->size_bytes();
    h.position += offset >= size ? 0 : std::min<std::uint64_t>(sqe.len, size - offset);
  }
  if (is_read) co_return co_await ns->read(q, offset, *buf);
  co_return co_await ns->write(q, offset, *buf);
}

}  // namespace nvmed
