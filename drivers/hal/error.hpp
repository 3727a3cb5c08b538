// The one error type of the HAL: a POSIX errno-style code and a short context.
//
// Codes are Linux's (and Redox's) errno numbers, fixed here rather than taken
// from the host's <cerrno>: they travel through ring CQEs (as negative status
// values), so they are part of the ABI and must not change with the host.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace hal {

/// errno codes, named as errno without the leading E (EIO is errc::io).
namespace errc {
inline constexpr int perm = 1;
inline constexpr int noent = 2;
inline constexpr int intr = 4;
inline constexpr int io = 5;
inline constexpr int nxio = 6;
inline constexpr int toobig = 7;  // E2BIG
inline constexpr int badf = 9;
inline constexpr int again = 11;
inline constexpr int nomem = 12;
inline constexpr int acces = 13;
inline constexpr int fault = 14;
inline constexpr int busy = 16;
inline constexpr int exist = 17;
inline constexpr int nodev = 19;
inline constexpr int inval = 22;
inline constexpr int nospc = 28;
inline constexpr int range = 34;
inline constexpr int nosys = 38;
inline constexpr int proto = 71;
inline constexpr int badmsg = 74;
inline constexpr int overflow = 75;
inline constexpr int msgsize = 90;
inline constexpr int opnotsupp = 95;
inline constexpr int connreset = 104;
inline constexpr int notconn = 107;
inline constexpr int shutdown = 108;
inline constexpr int timedout = 110;
inline constexpr int canceled = 125;
/// The largest code a CQE status may carry (Linux's MAX_ERRNO).
inline constexpr int max_code = 4095;
}  // namespace errc

/// "EIO" for errc::io; "E#<n>" for a code without a name here.
std::string errno_name(int code);

class Error {
 public:
  /// `code` is a positive errno. A negative one (-EIO, as a CQE carries it) is
  /// taken as its magnitude; 0 or a code above errc::max_code becomes EINVAL,
  /// so an Error always holds a valid positive code.
  Error(int code, std::string context);

  int code() const { return code_; }
  const std::string& context() const { return context_; }
  bool is(int code) const { return code_ == code; }

  /// "context: EIO" (just "EIO" without context).
  std::string message() const;

  /// The same code with "outer: " put before the context.
  Error with_context(std::string_view outer) const;

  friend bool operator==(const Error&, const Error&) = default;

 private:
  int code_;
  std::string context_;
};

/// An Error as an exception, for Result::value() on an error and for code that
/// prefers to throw out of a Task (the awaiter or the executor catches it).
class ErrorException : public std::exception {
 public:
  explicit ErrorException(Error e);
  const Error& error() const { return error_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Error error_;
  std::string what_;
};

}  // namespace hal
