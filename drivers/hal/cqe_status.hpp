// CqEntry64::status: a value, or a negative errno as two's complement.
// Statuses from -errc::max_code to -1 are errors; any other negative status
// is malformed (the producer is untrusted) and reads as EPROTO.
#pragma once

#include <cstdint>
#include <string>

#include "drivers/hal/error.hpp"
#include "drivers/hal/result.hpp"

namespace hal {

/// The status a producer writes for a failed request: -code (code is a
/// positive errno), two's complement.
constexpr std::uint64_t status_from_errno(int code) {
  return static_cast<std::uint64_t>(-static_cast<std::int64_t>(code));
}

/// The status as a signed number (C++20 defines the conversion as modular).
constexpr std::int64_t status_signed(std::uint64_t status) { return static_cast<std::int64_t>(status); }

constexpr bool status_is_error(std::uint64_t status) { return status_signed(status) < 0; }

/// The Error a negative status stands for. Precondition: status_is_error.
/// A status below -errc::max_code gives EPROTO.
inline Error error_from_status(std::uint64_t status, std::string context) {
  const std::int64_t s = status_signed(status);
  if (s < 0 && s >= -errc::max_code) return Error(static_cast<int>(-s), std::move(context));
  if (!context.empty()) context += ": ";
  context += "malformed CQE status";
  return Error(errc::proto, std::move(context));
}

/// A status as a Result: the value, or the Error of a negative status.
inline Result<std::uint64_t> result_from_status(std::uint64_t status, std::string context = {}) {
  if (status_is_error(status)) return error_from_status(status, std::move(context));
  return status;
}

/// The status a producer writes for a Result: the value, or -errno.
inline std::uint64_t status_from_result(const Result<std::uint64_t>& r) {
  return r.has_value() ? *r : status_from_errno(r.error().code());
}

}  // namespace hal
