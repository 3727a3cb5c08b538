#include "drivers/hal/error.hpp"

#include <array>
#include <cerrno>
#include <utility>

namespace hal {

// On Linux the host's errno numbers are the ABI's: check errc against them,
// so a typo cannot slip in.
#if defined(__linux__)
static_assert(errc::perm == EPERM);
static_assert(errc::noent == ENOENT);
static_assert(errc::intr == EINTR);
static_assert(errc::io == EIO);
static_assert(errc::nxio == ENXIO);
static_assert(errc::toobig == E2BIG);
static_assert(errc::badf == EBADF);
static_assert(errc::again == EAGAIN);
static_assert(errc::nomem == ENOMEM);
static_assert(errc::acces == EACCES);
static_assert(errc::fault == EFAULT);
static_assert(errc::busy == EBUSY);
static_assert(errc::exist == EEXIST);
static_assert(errc::nodev == ENODEV);
static_assert(errc::inval == EINVAL);
static_assert(errc::nospc == ENOSPC);
static_assert(errc::range == ERANGE);
static_assert(errc::nosys == ENOSYS);
static_assert(errc::proto == EPROTO);
static_assert(errc::badmsg == EBADMSG);
static_assert(errc::overflow == EOVERFLOW);
static_assert(errc::msgsize == EMSGSIZE);
static_assert(errc::opnotsupp == EOPNOTSUPP);
static_assert(errc::connreset == ECONNRESET);
static_assert(errc::notconn == ENOTCONN);
static_assert(errc::shutdown == ESHUTDOWN);
static_assert(errc::timedout == ETIMEDOUT);
static_assert(errc::canceled == ECANCELED);
#endif

namespace {

struct Name {
  int code;
  const char* name;
};

constexpr std::array kNames{
    Name{errc::perm, "EPERM"},       Name{errc::noent, "ENOENT"},         Name{errc::intr, "EINTR"},
    Name{errc::io, "EIO"},           Name{errc::nxio, "ENXIO"},           Name{errc::toobig, "E2BIG"},
    Name{errc::badf, "EBADF"},       Name{errc::again, "EAGAIN"},         Name{errc::nomem, "ENOMEM"},
    Name{errc::acces, "EACCES"},     Name{errc::fault, "EFAULT"},         Name{errc::busy, "EBUSY"},
    Name{errc::exist, "EEXIST"},     Name{errc::nodev, "ENODEV"},         Name{errc::inval, "EINVAL"},
    Name{errc::nospc, "ENOSPC"},     Name{errc::range, "ERANGE"},         Name{errc::nosys, "ENOSYS"},
    Name{errc::proto, "EPROTO"},     Name{errc::badmsg, "EBADMSG"},       Name{errc::overflow, "EOVERFLOW"},
    Name{errc::msgsize, "EMSGSIZE"}, Name{errc::opnotsupp, "EOPNOTSUPP"}, Name{errc::connreset, "ECONNRESET"},
    Name{errc::notconn, "ENOTCONN"}, Name{errc::shutdown, "ESHUTDOWN"},   Name{errc::timedout, "ETIMEDOUT"},
    Name{errc::canceled, "ECANCELED"},
};

int normalise(int code) {
  if (code < 0 && code >= -errc::max_code) code = -code;
  if (code <= 0 || code > errc::max_code) return errc::inval;
  return code;
}

}  // namespace

std::string errno_name(int code) {
  for (const Name& n : kNames) {
    if (n.code == code) return n.name;
  }
  return "E#" + std::to_string(code);
}

Error::Error(int code, std::string context) : code_(normalise(code)), context_(std::move(context)) {}

std::string Error::message() const {
  if (context_.empty()) return errno_name(code_);
  return context_ + ": " + errno_name(code_);
}

Error Error::with_context(std::string_view outer) const {
  if (context_.empty()) return Error(code_, std::string(outer));
  return Error(code_, std::string(outer) + ": " + context_);
}

ErrorException::ErrorException(Error e) : error_(std::move(e)), what_(error_.message()) {}

}  // namespace hal
