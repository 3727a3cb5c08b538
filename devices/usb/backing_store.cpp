#include "devices/usb/backing_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace usb {

bool MemoryStore::read(std::uint64_t offset, std::span<std::uint8_t> out) {
  if (!in_range(offset, out.size())) return false;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t base = pos - pos % kChunk;
    const std::size_t in_chunk = static_cast<std::size_t>(pos - base);
    const std::size_t n = std::min(out.size() - done, kChunk - in_chunk);
    const auto it = chunks_.find(base);
    if (it == chunks_.end())
      std::memset(out.data() + done, 0, n);
    else
      std::memcpy(out.data() + done, it->second->data() + in_chunk, n);
    done += n;
  }
  return true;
}

bool MemoryStore::write(std::uint64_t offset, std::span<const std::uint8_t> in) {
  if (!in_range(offset, in.size())) return false;
  std::size_t done = 0;
  while (done < in.size()) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t base = pos - pos % kChunk;
    const std::size_t in_chunk = static_cast<std::size_t>(pos - base);
    const std::size_t n = std::min(in.size() - done, kChunk - in_chunk);
    auto& chunk = chunks_[base];
    if (!chunk) chunk = std::make_unique<std::array<std::uint8_t, kChunk>>();  // value-initialised: zeros
    std::memcpy(chunk->data() + in_chunk, in.data() + done, n);
    done += n;
  }
  return true;
}

FileStore::FileStore(const std::string& path, std::uint64_t size) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open image '" + path + "': " + std::strerror(errno));
  if (size != 0) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw std::runtime_error("cannot size image '" + path + "': " + why);
    }
    size_ = size;
  } else {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot stat image '" + path + "'");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
}

FileStore::~FileStore() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileStore::read(std::uint64_t offset, std::span<std::uint8_t> out) {
  if (!in_range(offset, out.size())) return false;
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {  // a hole past a shorter file: zeros
      std::memset(out.data() + done, 0, out.size() - done);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool FileStore::write(std::uint64_t offset, std::span<const std::uint8_t> in) {
  if (!in_range(offset, in.size())) return false;
  std::size_t done = 0;
  while (done < in.size()) {
    const ssize_t n = ::pwrite(fd_, in.data() + done, in.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool FileStore::flush() { return ::fdatasync(fd_) == 0; }

std::unique_ptr<BackingStore> make_backing_store(const std::string& path, std::uint64_t size) {
  if (path.empty()) return std::make_unique<MemoryStore>(size);
  return std::make_unique<FileStore>(path, size);
}

}  // namespace usb
