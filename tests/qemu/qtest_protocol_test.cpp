// The qtest client against a scripted in-process server (no QEMU): what it
// sends, how it parses replies, that asynchronous IRQ lines are skipped and
// that every failure is an exception naming the command.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "devices/qemu/qemu_process.hpp"
#include "devices/qemu/qtest_client.hpp"
#include "sim/core/guest_memory.hpp"

namespace {

using qemu::QtestClient;
using qemu::QtestError;

// Answers each command line with the next scripted reply (which may hold
// several lines, or be split into chunks sent separately), and records what
// it received. A reply of "<close>" closes the connection instead.
class FakeServer {
 public:
  explicit FakeServer(std::vector<std::vector<std::string>> replies) : replies_(std::move(replies)) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) std::abort();
    client_fd_ = sv[0];
    server_fd_ = sv[1];
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    if (client_fd_ >= 0) ::close(client_fd_);
    if (thread_.joinable()) thread_.join();
    if (server_fd_ >= 0) ::close(server_fd_);
  }
  int take_client_fd() { return std::exchange(client_fd_, -1); }
  /// The lines received; valid after the client is gone (join in the destructor).
  const std::vector<std::string>& received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  void serve() {
    std::string buf;
    std::size_t next = 0;
    char c[256];
    for (;;) {
      const ssize_t n = ::recv(server_fd_, c, sizeof c, 0);
      if (n <= 0) return;
      buf.append(c, static_cast<std::size_t>(n));
      for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
        received_.push_back(buf.substr(0, nl));
        buf.erase(0, nl + 1);
        if (next >= replies_.size()) continue;  // silent: the client times out
        for (const std::string& chunk : replies_[next]) {
          if (chunk == "<close>") {
            ::close(server_fd_);
            server_fd_ = -1;
            return;
          }
          (void)!::send(server_fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL);
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        ++next;
      }
    }
  }
  std::vector<std::vector<std::string>> replies_;
  std::vector<std::string> received_;
  int client_fd_ = -1, server_fd_ = -1;
  std::thread thread_;
};

TEST(QtestProtocol, ReadsParseTheValueAndCommandsAreSentVerbatim) {
  FakeServer server({{"OK 0x00000000deadbeef\n"}, {"OK 0x0010\n"}, {"OK\n"}, {"OK 0x1b36\n"}, {"OK\n"}});
  {
    QtestClient c(server.take_client_fd());
    EXPECT_EQ(c.read(0xC0001000, 4), 0xDEADBEEFu);
    EXPECT_EQ(c.inl(0xCFC), 0x10u);
    c.outl(0xCF8, 0x80002000u);
    EXPECT_EQ(c.inw(0xCFE), 0x1B36u);
    c.write(0x80'0000'0000ULL, 8, 0x0123456789ABCDEFULL);
    EXPECT_EQ(c.round_trips(), 5u);
  }
  const std::vector<std::string> want = {"readl 0xc0001000", "inl 0xcfc", "outl 0xcf8 0x80002000", "inw 0xcfe",
                                         "writeq 0x8000000000 0x123456789abcdef"};
  EXPECT_EQ(server.received(), want);
}

TEST(QtestProtocol, NarrowReadsAreMaskedToTheirWidth) {
  FakeServer server({{"OK 0x00000000000001ff\n"}, {"OK 0x0000000000012345\n"}});
  QtestClient c(server.take_client_fd());
  EXPECT_EQ(c.read(0x1000, 1), 0xFFu);
  EXPECT_EQ(c.read(0x1000, 2), 0x2345u);
}

TEST(QtestProtocol, AsynchronousIrqLinesBeforeTheReplyAreSkipped) {
  FakeServer server({{"IRQ raise 3\n", "IRQ lower 3\nOK 0x0000000000000042\n"}, {"IRQ raise 11\nOK\n"}});
  QtestClient c(server.take_client_fd());
  EXPECT_EQ(c.read(0x2000, 4), 0x42u);
  c.outb(0x80, 1);
  EXPECT_EQ(c.irq_lines_skipped(), 3u);
}

TEST(QtestProtocol, AReplySplitAcrossReadsIsReassembled) {
  FakeServer server({{"OK 0x00", "00cafe", "\n"}});
  QtestClient c(server.take_client_fd());
  EXPECT_EQ(c.inl(0xCFC), 0xCAFEu);
}

TEST(QtestProtocol, AnErrorReplyThrowsNamingTheCommand) {
  FakeServer server({{"FAIL Unknown command 'frob'\n"}});
  QtestClient c(server.take_client_fd());
  try {
    c.command("frob 1");
    FAIL() << "no exception";
  } catch (const QtestError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'frob 1' failed"), std::string::npos) << m;
    EXPECT_NE(m.find("FAIL Unknown command"), std::string::npos) << m;
  }
}

TEST(QtestProtocol, ANonNumericReadReplyThrows) {
  FakeServer server({{"OK banana\n"}});
  QtestClient c(server.take_client_fd());
  try {
    c.read(0x10, 4);
    FAIL() << "no exception";
  } catch (const QtestError& e) {
    EXPECT_NE(std::string(e.what()).find("not a number: 'banana'"), std::string::npos) << e.what();
  }
}

TEST(QtestProtocol, AClosedConnectionThrows) {
  FakeServer server({{"<close>"}});
  QtestClient c(server.take_client_fd());
  try {
    c.inl(0xCFC);
    FAIL() << "no exception";
  } catch (const QtestError& e) {
    EXPECT_NE(std::string(e.what()).find("closed the connection before replying to 'inl 0xcfc'"), std::string::npos)
        << e.what();
  }
}

TEST(QtestProtocol, NoReplyWithinTheTimeoutThrows) {
  FakeServer server({});
  QtestClient c(server.take_client_fd());
  c.set_timeout(std::chrono::milliseconds(50));
  try {
    c.read(0x10, 4);
    FAIL() << "no exception";
  } catch (const QtestError& e) {
    EXPECT_NE(std::string(e.what()).find("no reply to 'readl 0x10' within 50 ms"), std::string::npos) << e.what();
  }
}

TEST(QtestProtocol, Base64BlockTransfers) {
  const std::string bytes("\x00\x01\xfe\xffhello", 9);
  const std::string encoded = QtestClient::base64_encode(bytes);
  EXPECT_EQ(encoded, "AAH+/2hlbGxv");
  EXPECT_EQ(QtestClient::base64_encode("ab"), "YWI=");
  EXPECT_EQ(QtestClient::base64_encode("a"), "YQ==");
  EXPECT_EQ(QtestClient::base64_decode("YWI="), "ab");
  FakeServer server({{"OK\n"}, {"OK AAH+/2hlbGxv\n"}});
  {
    QtestClient c(server.take_client_fd());
    c.b64write(0x100000, bytes);
    EXPECT_EQ(c.b64read(0x100000, 9), bytes);
  }
  EXPECT_EQ(server.received().at(0), "b64write 0x100000 0x9 AAH+/2hlbGxv");
  EXPECT_EQ(server.received().at(1), "b64read 0x100000 0x9");
}

TEST(QtestProtocol, ListenerGivesUpWhenThePeerDies) {
  qemu::TempDir dir("drvsim-qtest-test-");
  qemu::QtestListener l(dir.file("s.sock"));
  try {
    l.accept(std::chrono::milliseconds(5000), [] { return false; });
    FAIL() << "no exception";
  } catch (const QtestError& e) {
    EXPECT_NE(std::string(e.what()).find("exited before connecting"), std::string::npos) << e.what();
  }
}

TEST(QemuLookup, MissingQemuIsAClearError) {
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path ? old_path : "";
  ::unsetenv("DRVSIM_QEMU");
  ::setenv("PATH", "/nonexistent-drvsim-dir", 1);
  std::string message;
  try {
    qemu::find_qemu();
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(message, "qemu-system-x86_64 not found: install qemu-system-x86");
}

TEST(QemuLookup, TempDirIsRemovedWithItsFiles) {
  std::string path;
  {
    qemu::TempDir d;
    path = d.path();
    FILE* f = std::fopen(d.file("x").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace

namespace {

// Guest RAM over a shared file (what the QEMU platform maps): writes reach
// the file, and discarded ranges read as zero on both sides.
TEST(SharedGuestMemory, WritesReachTheFileAndDiscardedRangesReadZeroOnBothSides) {
  qemu::TempDir dir;
  const std::string path = dir.file("ram");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  constexpr std::uint64_t kSize = 4ULL << 20;
  ASSERT_EQ(::ftruncate(fd, kSize), 0);
  {
    sim::GuestMemory mem(kSize, fd);
    std::vector<std::uint8_t> ones(3 * 4096, 0xAB);
    ASSERT_TRUE(mem.write(0x10'0000, ones.data(), ones.size()));
    std::uint8_t b = 0;
    ASSERT_EQ(::pread(fd, &b, 1, 0x10'0000 + 5000), 1);
    EXPECT_EQ(b, 0xAB);  // the other side sees it
    ASSERT_TRUE(mem.discard(0x10'0000, ones.size()));
    ASSERT_TRUE(mem.read(0x10'0000, ones.data(), ones.size()));
    EXPECT_EQ(std::count(ones.begin(), ones.end(), 0), static_cast<long>(ones.size()));
    ASSERT_EQ(::pread(fd, &b, 1, 0x10'0000 + 5000), 1);
    EXPECT_EQ(b, 0);
  }
  ::close(fd);
}

}  // namespace
