#include "sim/core/guest_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/address_map.hpp"

namespace sim {

GuestMemory::GuestMemory(std::uint64_t ram_bytes) : size_(ram_bytes) {
  if (ram_bytes == 0) return;
  void* p = ::mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error("cannot reserve " + std::to_string(ram_bytes) + " bytes of guest memory: " +
                             std::strerror(errno));
  base_ = static_cast<std::uint8_t*>(p);
}

GuestMemory::GuestMemory(std::uint64_t ram_bytes, int shared_fd) : size_(ram_bytes), shared_(true) {
  if (ram_bytes == 0) return;
  void* p = ::mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, shared_fd, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error("cannot map " + std::to_string(ram_bytes) + " bytes of shared guest memory: " +
                             std::strerror(errno));
  base_ = static_cast<std::uint8_t*>(p);
}

GuestMemory::~GuestMemory() {
  if (base_) ::munmap(base_, size_);
}

std::int64_t GuestMemory::offset_of(std::uint64_t addr, std::uint64_t len) const {
  if (len == 0) return -1;
  const std::uint64_t low = size_ < addr::kRamLowLimit ? size_ : addr::kRamLowLimit;
  if (addr < low) {
    if (len > low - addr) return -1;
    return static_cast<std::int64_t>(addr);
  }
  const std::uint64_t high = size_ - low;
  if (addr >= addr::kHighRamBase && addr - addr::kHighRamBase < high) {
    const std::uint64_t off = addr - addr::kHighRamBase;
    if (len > high - off) return -1;
    return static_cast<std::int64_t>(low + off);
  }
  return -1;
}

bool GuestMemory::contains(std::uint64_t addr, std::uint64_t len) const { return offset_of(addr, len) >= 0; }

bool GuestMemory::range_of(std::uint64_t addr, std::uint64_t& start, std::uint64_t& len) const {
  const std::uint64_t low = size_ < addr::kRamLowLimit ? size_ : addr::kRamLowLimit;
  if (addr < low) {
    start = 0;
    len = low;
    return true;
  }
  const std::uint64_t high = size_ - low;
  if (addr >= addr::kHighRamBase && addr - addr::kHighRamBase < high) {
    start = addr::kHighRamBase;
    len = high;
    return true;
  }
  return false;
}

std::uint8_t* GuestMemory::host_ptr(std::uint64_t addr, std::uint64_t len) {
  const std::int64_t off = offset_of(addr, len);
  return off < 0 ? nullptr : base_ + off;
}

bool GuestMemory::read(std::uint64_t addr, void* dst, std::uint64_t len) const {
  const std::int64_t off = offset_of(addr, len);
  if (off < 0) return false;
  std::memcpy(dst, base_ + off, len);
  return true;
}

bool GuestMemory::write(std::uint64_t addr, const void* src, std::uint64_t len) {
  const std::int64_t off = offset_of(addr, len);
  if (off < 0) return false;
  std::memcpy(base_ + off, src, len);
  return true;
}

bool GuestMemory::discard(std::uint64_t addr, std::uint64_t len) {
  const std::int64_t off = offset_of(addr, len);
  if (off < 0) return false;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const auto start = static_cast<std::uint64_t>(off);
  const std::uint64_t end = start + len;
  const std::uint64_t first = (start + page - 1) & ~(page - 1);
  const std::uint64_t last = end & ~(page - 1);
  if (first >= last) {
    std::memset(base_ + start, 0, len);
    return true;
  }
  std::memset(base_ + start, 0, first - start);
  std::memset(base_ + last, 0, end - last);
  // Private anonymous pages read as zero again after MADV_DONTNEED; pages of
  // a shared file do only once the file's pages are freed (MADV_REMOVE).
  if (::madvise(base_ + first, last - first, shared_ ? MADV_REMOVE : MADV_DONTNEED) != 0)
    std::memset(base_ + first, 0, last - first);
  return true;
}

std::uint64_t GuestMemory::resident_bytes() const {
  if (!base_) return 0;
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t pages = (size_ + page - 1) / page;
  std::vector<unsigned char> vec(pages);
  if (::mincore(base_, size_, vec.data()) != 0) return 0;
  std::uint64_t n = 0;
  for (unsigned char c : vec) n += c & 1;
  return n * page;
}

}  // namespace sim
