#include "devices/qemu/qtest_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace qemu {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

// ---------------------------------------------------------------- listener

QtestListener::QtestListener(std::string path) : path_(std::move(path)) {
  sockaddr_un sa{};
  if (path_.size() >= sizeof sa.sun_path) throw QtestError("qtest socket path too long: " + path_);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw QtestError("qtest: socket(): " + errno_text());
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 1) != 0) {
    const std::string why = errno_text();
    ::close(fd_);
    fd_ = -1;
    throw QtestError("qtest: cannot listen on " + path_ + ": " + why);
  }
}

QtestListener::~QtestListener() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

int QtestListener::accept(std::chrono::milliseconds timeout, const std::function<bool()>& alive) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, 20);
    if (r < 0 && errno != EINTR) throw QtestError("qtest: poll(): " + errno_text());
    if (r > 0) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) return c;
      if (errno != EINTR && errno != EAGAIN) throw QtestError("qtest: accept(): " + errno_text());
    }
    if (alive && !alive()) throw QtestError("QEMU exited before connecting to the qtest socket " + path_);
    if (std::chrono::steady_clock::now() > deadline)
      throw QtestError("QEMU did not connect to the qtest socket " + path_ + " within " +
                       std::to_string(timeout.count()) + " ms");
  }
}

// ---------------------------------------------------------------- client

QtestClient::QtestClient(int fd) : fd_(fd) {}

QtestClient::~QtestClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string QtestClient::read_line(std::string_view cmd) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw QtestError("qtest: no reply to '" + std::string(cmd) + "' within " + std::to_string(timeout_.count()) + " ms");
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw QtestError("qtest: poll() waiting for the reply to '" + std::string(cmd) + "': " + errno_text());
    }
    if (r == 0) continue;
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw QtestError("qtest: recv() waiting for the reply to '" + std::string(cmd) + "': " + errno_text());
    }
    if (n == 0) throw QtestError("qtest: QEMU closed the connection before replying to '" + std::string(cmd) + "'");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string QtestClient::command(std::string_view line) {
  if (fd_ < 0) throw QtestError("qtest: not connected");
  std::string out(line);
  out += '\n';
  std::size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw QtestError("qtest: send('" + std::string(line) + "'): " + errno_text());
    }
    sent += static_cast<std::size_t>(n);
  }
  ++round_trips_;
  for (;;) {
    const std::string reply = read_line(line);
    const std::string_view r = trim(reply);
    if (r.substr(0, 4) == "IRQ ") {  // asynchronous: not the reply
      ++irq_lines_;
      continue;
    }
    if (r == "OK") return {};
    if (r.substr(0, 3) == "OK ") return std::string(trim(r.substr(3)));
    throw QtestError("qtest: '" + std::string(line) + "' failed: " + (r.empty() ? std::string("(empty reply)") : std::string(r)));
  }
}

std::uint64_t QtestClient::parse_value(std::string_view text, std::string_view what) {
  text = trim(text);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
    throw QtestError("qtest: reply to '" + std::string(what) + "' is not a number: '" + std::string(text) + "'");
  return v;
}

std::uint64_t QtestClient::read_value(std::string_view cmd) { return parse_value(command(cmd), cmd); }

void QtestClient::outb(std::uint16_t port, std::uint8_t v) { command("outb " + hex(port) + " " + hex(v)); }
void QtestClient::outw(std::uint16_t port, std::uint16_t v) { command("outw " + hex(port) + " " + hex(v)); }
void QtestClient::outl(std::uint16_t port, std::uint32_t v) { command("outl " + hex(port) + " " + hex(v)); }
std::uint8_t QtestClient::inb(std::uint16_t port) { return static_cast<std::uint8_t>(read_value("inb " + hex(port))); }
std::uint16_t QtestClient::inw(std::uint16_t port) { return static_cast<std::uint16_t>(read_value("inw " + hex(port))); }
std::uint32_t QtestClient::inl(std::uint16_t port) { return static_cast<std::uint32_t>(read_value("inl " + hex(port))); }

namespace {
const char* width_letter(unsigned size) {
  switch (size) {
    case 1: return "b";
    case 2: return "w";
    case 4: return "l";
    case 8: return "q";
    default: throw QtestError("qtest: no access of " + std::to_string(size) + " bytes (1, 2, 4 or 8)");
  }
}
}  // namespace

std::uint64_t QtestClient::read(std::uint64_t addr, unsigned size) {
  const std::uint64_t v = read_value(std::string("read") + width_letter(size) + " " + hex(addr));
  return size == 8 ? v : v & ((std::uint64_t{1} << (8 * size)) - 1);
}

void QtestClient::write(std::uint64_t addr, unsigned size, std::uint64_t v) {
  command(std::string("write") + width_letter(size) + " " + hex(addr) + " " + hex(v));
}

std::string QtestClient::b64read(std::uint64_t addr, std::size_t len) {
  const std::string cmd = "b64read " + hex(addr) + " " + hex(len);
  std::string bytes = base64_decode(command(cmd));
  if (bytes.size() != len)
    throw QtestError("qtest: '" + cmd + "' returned " + std::to_string(bytes.size()) + " bytes");
  return bytes;
}

void QtestClient::b64write(std::uint64_t addr, std::string_view bytes) {
  command("b64write " + hex(addr) + " " + hex(bytes.size()) + " " + base64_encode(bytes));
}

std::string QtestClient::base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16) |
                            (std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8) |
                            std::uint32_t{static_cast<std::uint8_t>(in[i + 2])};
    for (int s = 18; s >= 0; s -= 6) out += kBase64[(v >> s) & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{static_cast<std::uint8_t>(in[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<std::uint8_t>(in[i + 1])} << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string QtestClient::base64_decode(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const int d = base64_index(c);
    if (d < 0) throw QtestError("qtest: bad base64 character '" + std::string(1, c) + "'");
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace qemu
