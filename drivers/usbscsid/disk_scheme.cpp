#include "drivers/usbscsid/disk_scheme.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"

namespace usbscsid {

std::optional<int> parse_lun_path(std::string_view path) {
  const auto colon = path.rfind(':');
  if (colon != std::string_view::npos) path.remove_prefix(colon + 1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return kRootPath;
  if (path.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : path) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > 255) return std::nullopt;
  return n;
}

std::string DiskScheme::listing() const {
  std::string s;
  for (const Lun& l : disk_.luns()) s += std::to_string(l.number) + "\n";
  return s;
}

std::uint64_t DiskScheme::open(const hal::SqEntry64& sqe) {
  if (sqe.len == 0 || sqe.len > 4096) return hal::status_from_errno(hal::errc::inval);
  const hal::Result<hal::DmaBuffer> path = sys_.grant_view(sqe.addr, sqe.len);
  if (!path) return hal::status_from_errno(path.error().code());
  const std::optional<int> lun = parse_lun_path(std::string_view(reinterpret_cast<const char*>(path->data), path->size));
  if (!lun || (*lun != kRootPath && !disk_.lun(static_cast<unsigned>(*lun))))
    return hal::status_from_errno(hal::errc::noent);
  const std::uint64_t h = next_handle_++;
  handles_[h] = Handle{*lun, 0};
  return h;
}

std::uint64_t DiskScheme::root(Handle& h, const hal::SqEntry64& sqe) {
  const auto op = static_cast<hal::Opcode>(sqe.opcode);
  const std::string text = listing();
  switch (op) {
    case hal::Opcode::read:
    case hal::Opcode::pread: {
      const bool positional = op == hal::Opcode::pread;
      const std::uint64_t pos = positional ? sqe.offset : h.position;
      const std::uint64_t n = pos >= text.size() ? 0 : std::min<std::uint64_t>(sqe.len, text.size() - pos);
      if (n > 0) {
        const hal::Result<hal::DmaBuffer> v = sys_.grant_view(sqe.addr, n);
        if (!v) return hal::status_from_errno(v.error().code());
        std::memcpy(v->data, text.data() + pos, n);
      }
      if (!positional) h.position += n;
      return n;
    }
    case hal::Opcode::fstat: {
      if (sqe.len < sizeof(hal::Stat)) return hal::status_from_errno(hal::errc::fault);
      const hal::Result<hal::DmaBuffer> v = sys_.grant_view(sqe.addr, sizeof(hal::Stat));
      if (!v) return hal::status_from_errno(v.error().code());
      hal::Stat st;
      st.size = text.size();
      st.block_size = 1;
      st.mode = 2;  // a directory of logical units
      std::memcpy(v->data, &st, sizeof st);
      return 0;
    }
    case hal::Opcode::fsync: return 0;
    case hal::Opcode::write:
    case hal::Opcode::pwrite: return hal::status_from_errno(hal::errc::inval);
    default: return hal::status_from_errno(hal::errc::nosys);
  }
}

hal::Task<std::uint64_t> DiskScheme::io(const hal::SqEntry64& sqe) {
  const auto op = static_cast<hal::Opcode>(sqe.opcode);
  const auto it = handles_.find(sqe.fd);
  if (it == handles_.end()) co_return hal::status_from_errno(hal::errc::badf);
  Handle& h = it->second;
  if (h.lun == kRootPath) co_return root(h, sqe);
  const Lun* lun = disk_.lun(static_cast<unsigned>(h.lun));
  if (!lun) co_return hal::status_from_errno(hal::errc::nodev);
  switch (op) {
    case hal::Opcode::read:
    case hal::Opcode::write:
    case hal::Opcode::pread:
    case hal::Opcode::pwrite: {
      const bool positioned = op == hal::Opcode::pread || op == hal::Opcode::pwrite;
      const bool is_write = op == hal::Opcode::write || op == hal::Opcode::pwrite;
      const std::uint64_t offset = positioned ? sqe.offset : h.position;
      if (sqe.len == 0) co_return 0;
      const hal::Result<hal::DmaBuffer> buf = sys_.grant_view(sqe.addr, sqe.len);
      if (!buf) co_return hal::status_from_errno(buf.error().code());
      // (Not a conditional expression: GCC 12 mishandles co_await in both arms.)
      hal::Result<std::uint64_t> n = hal::Error(hal::errc::io, "");
      if (is_write)
        n = co_await disk_.write(*lun, offset, *buf);
      else
        n = co_await disk_.read(*lun, offset, *buf);
      if (!n) {
        // Past the end is the caller's business; anything else is worth a warning.
        sys_.log(n.error().is(hal::errc::nospc) ? hal::LogLevel::debug : hal::LogLevel::warn, "usbscsid.io_error",
                 n.error().message());
        co_return hal::status_from_errno(n.error().code());
      }
      if (!positioned) h.position += *n;
      co_return *n;
    }
    case hal::Opcode::fsync: {
      const hal::Result<void> r = co_await disk_.sync(*lun);
      co_return r ? 0 : hal::status_from_errno(r.error().code());
    }
    case hal::Opcode::fstat: {
      const hal::Result<hal::DmaBuffer> buf = sys_.grant_view(sqe.addr, sqe.len);
      if (!buf) co_return hal::status_from_errno(buf.error().code());
      if (buf->size < sizeof(hal::Stat)) co_return hal::status_from_errno(hal::errc::fault);
      hal::Stat st;
      st.size = lun->bytes();
      st.block_size = lun->capacity.block_length;
      st.mode = 3;
      st.blocks = lun->capacity.blocks();
      std::memcpy(buf->data, &st, sizeof st);
      co_return 0;
    }
    default: co_return hal::status_from_errno(hal::errc::nosys);
  }
}

hal::Task<std::uint64_t> DiskScheme::handle(const hal::SqEntry64& sqe) {
  switch (static_cast<hal::Opcode>(sqe.opcode)) {
    case hal::Opcode::open: co_return open(sqe);
    case hal::Opcode::close: handles_.erase(sqe.fd); co_return 0;
    case hal::Opcode::dup: {
      const auto it = handles_.find(sqe.fd);
      if (it == handles_.end()) co_return hal::status_from_errno(hal::errc::badf);
      const std::uint64_t h = next_handle_++;
      handles_[h] = it->second;
      co_return h;
    }
    default: co_return co_await io(sqe);
  }
}

hal::Task<void> DiskScheme::serve() {
  hal::RingServer& ring = scheme_.requests();
  for (;;) {
    const hal::Result<hal::SqEntry64> sqe = co_await ring.next();
    if (!sqe) co_return;
    const std::uint64_t status = co_await handle(*sqe);
    ring.reply(*sqe, status);
  }
}

}  // namespace usbscsid
