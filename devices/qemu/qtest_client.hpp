// A client of QEMU's qtest protocol (QEMU's docs/devel/qtest.rst): one text
// command per line, one reply line per command. A reply starts with "OK"
// (reads add a value, "OK 0x..."); anything else is an error. QEMU may send
// asynchronous "IRQ raise N" / "IRQ lower N" lines before a reply: they are
// skipped. Every failure is a QtestError naming the command that failed.
//
// QEMU connects to the socket as a client (-qtest unix:PATH), so the
// listening side is ours: QtestListener makes the socket, QEMU connects,
// accept() hands the connection to a QtestClient.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qemu {

class QtestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A listening unix socket at `path` (created; removed by the destructor).
class QtestListener {
 public:
  explicit QtestListener(std::string path);
  ~QtestListener();
  QtestListener(const QtestListener&) = delete;
  QtestListener& operator=(const QtestListener&) = delete;

  /// Waits for one connection. `alive` is asked every few milliseconds: when
  /// it returns false (the peer died) or `timeout` passes, throws QtestError
  /// with `why()` of the caller appended by it. Returns the connected fd.
  int accept(std::chrono::milliseconds timeout, const std::function<bool()>& alive);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

class QtestClient {
 public:
  /// Takes ownership of a connected stream socket.
  explicit QtestClient(int fd);
  ~QtestClient();
  QtestClient(const QtestClient&) = delete;
  QtestClient& operator=(const QtestClient&) = delete;

  /// Sends one command line (without the newline) and returns the reply
  /// after "OK" (trimmed; empty for a bare OK). Throws QtestError on an error
  /// reply, a closed connection or a reply that takes longer than the timeout.
  std::string command(std::string_view line);

  // I/O ports (configuration mechanism #1 lives at 0xCF8/0xCFC).
  void outb(std::uint16_t port, std::uint8_t v);
  void outw(std::uint16_t port, std::uint16_t v);
  void outl(std::uint16_t port, std::uint32_t v);
  std::uint8_t inb(std::uint16_t port);
  std::uint16_t inw(std::uint16_t port);
  std::uint32_t inl(std::uint16_t port);

  // Physical memory accesses of `size` bytes (1, 2, 4, 8): readb/w/l/q.
  std::uint64_t read(std::uint64_t addr, unsigned size);
  void write(std::uint64_t addr, unsigned size, std::uint64_t v);

  /// Memory block transfers through base64 (b64read/b64write).
  std::string b64read(std::uint64_t addr, std::size_t len);
  void b64write(std::uint64_t addr, std::string_view bytes);

  std::uint64_t round_trips() const { return round_trips_; }
  std::uint64_t irq_lines_skipped() const { return irq_lines_; }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  /// Parses "0x..." (or decimal) as QEMU prints values; throws QtestError
  /// naming `what` when it is not a number.
  static std::uint64_t parse_value(std::string_view text, std::string_view what);
  static std::string base64_encode(std::string_view bytes);
  static std::string base64_decode(std::string_view text);

 private:
  std::string read_line(std::string_view cmd);
  std::uint64_t read_value(std::string_view cmd);

  int fd_ = -1;
  std::string buffer_;  // received, not yet consumed
  std::uint64_t round_trips_ = 0;
  std::uint64_t irq_lines_ = 0;
  std::chrono::milliseconds timeout_{10000};
};

}  // namespace qemu
