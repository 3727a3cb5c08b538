// Result<T>: a value or an Error (an expected-like type; C++20 has no
// std::expected). Never undefined behaviour: reading the value of an error
// throws ErrorException, reading the error of a value throws logic_error.
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "drivers/hal/error.hpp"

namespace hal {

template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; use a pointer");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> would be ambiguous");

 public:
  using value_type = T;

  template <class U = T>
    requires std::constructible_from<T, U&&> && (!std::same_as<std::remove_cvref_t<U>, Error>) &&
             (!std::same_as<std::remove_cvref_t<U>, Result>)
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // implicit by design

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    check_value();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check_value();
    return std::get<0>(v_);
  }
  T&& value() && {
    check_value();
    return std::move(std::get<0>(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  const Error& error() const {
    if (has_value()) throw std::logic_error("hal::Result::error() on a value");
    return std::get<1>(v_);
  }

 private:
  void check_value() const {
    if (!has_value()) throw ErrorException(std::get<1>(v_));
  }

  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // implicit by design

  bool has_value() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  /// Throws ErrorException on an error; nothing otherwise.
  void value() const {
    if (error_) throw ErrorException(*error_);
  }

  const Error& error() const {
    if (!error_) throw std::logic_error("hal::Result::error() on a value");
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

/// The success value of a Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace hal
