// Block store in a sparse image file: pread/pwrite, holes punched on
// deallocate (zeros written where the file system cannot punch holes).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "devices/nvme/block_store.hpp"

namespace nvme {
namespace {

class FileStore final : public BlockStore {
 public:
  FileStore(const std::string& path, std::uint64_t size) : size_(size) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("nvme: cannot open image " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || (static_cast<std::uint64_t>(st.st_size) < size &&
                                   ::ftruncate(fd_, static_cast<off_t>(size)) != 0)) {
      const std::string why = std::strerror(errno);
      ::close(fd_);
      throw std::runtime_error("nvme: cannot size image " + path + ": " + why);
    }
  }
  ~FileStore() override { ::close(fd_); }
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  std::uint64_t size() const override { return size_; }
  std::uint64_t allocated_bytes() const override {
    struct stat st {};
    return ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_blocks) * 512 : 0;
  }

  bool read(std::uint64_t off, std::uint64_t len, std::uint8_t* dst) override {
    if (!inside(off, len)) return false;
    std::uint64_t done = 0;
    while (done < len) {
      const ssize_t n = ::pread(fd_, dst + done, len - done, static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      if (n == 0) {  // past the end of a shorter file: zeros
        std::memset(dst + done, 0, len - done);
        break;
      }
      done += static_cast<std::uint64_t>(n);
    }
    return true;
  }

  bool write(std::uint64_t off, std::uint64_t len, const std::uint8_t* src) override {
    if (!inside(off, len)) return false;
    std::uint64_t done = 0;
    while (done < len) {
      const ssize_t n = ::pwrite(fd_, src + done, len - done, static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::uint64_t>(n);
    }
    return true;
  }

  bool deallocate(std::uint64_t off, std::uint64_t len) override {
    if (!inside(off, len)) return false;
    if (len == 0) return true;
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off),
                    static_cast<off_t>(len)) == 0)
      return true;
    const std::vector<std::uint8_t> zeros(std::min<std::uint64_t>(len, 1u << 20), 0);
    for (std::uint64_t done = 0; done < len;) {
      const std::uint64_t n = std::min<std::uint64_t>(zeros.size(), len - done);
      if (!write(off + done, n, zeros.data())) return false;
      done += n;
    }
    return true;
  }

  bool sync() override { return ::fdatasync(fd_) == 0; }

 private:
  bool inside(std::uint64_t off, std::uint64_t len) const { return off <= size_ && len <= size_ - off; }
  std::uint64_t size_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<BlockStore> make_file_store(const std::string& path, std::uint64_t size) {
  return std::make_unique<FileStore>(path, size);
}

}  // namespace nvme
