#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/error.hpp"
#include "drivers/hal/result.hpp"

namespace {

hal::Result<int> parse_positive(int v) {
  if (v <= 0) return hal::Error(hal::errc::inval, "parse_positive");
  return v;
}

TEST(HalError, CodeIsPositiveAndNamed) {
  const hal::Error e(hal::errc::io, "nvme read");
  EXPECT_EQ(e.code(), 5);
  EXPECT_TRUE(e.is(hal::errc::io));
  EXPECT_EQ(e.message(), "nvme read: EIO");
  EXPECT_EQ(hal::Error(-hal::errc::again, "").message(), "EAGAIN");  // -EAGAIN taken as EAGAIN
  EXPECT_EQ(hal::Error(0, "x").code(), hal::errc::inval);
  EXPECT_EQ(hal::Error(100000, "x").code(), hal::errc::inval);
  EXPECT_EQ(hal::errno_name(3000), "E#3000");
  EXPECT_EQ(e.with_context("usbscsid").message(), "usbscsid: nvme read: EIO");
}

TEST(HalResult, ValueAndError) {
  hal::Result<int> good = parse_positive(3);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 3);
  EXPECT_EQ(good.value_or(9), 3);
  EXPECT_THROW((void)good.error(), std::logic_error);

  hal::Result<int> bad = parse_positive(-1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), hal::errc::inval);
  EXPECT_EQ(bad.value_or(9), 9);
  try {
    (void)bad.value();
    FAIL() << "value() of an error must throw";
  } catch (const hal::ErrorException& ex) {
    EXPECT_EQ(ex.error().code(), hal::errc::inval);
    EXPECT_STREQ(ex.what(), "parse_positive: EINVAL");
  }

  hal::Result<std::string> moved = std::string("abc");
  EXPECT_EQ(moved->size(), 3u);
  const std::string taken = std::move(moved).value();
  EXPECT_EQ(taken, "abc");
}

TEST(HalResult, VoidResult) {
  const hal::Result<void> fine = hal::ok();
  EXPECT_TRUE(fine);
  EXPECT_NO_THROW(fine.value());
  const hal::Result<void> failed = hal::Error(hal::errc::busy, "pcid");
  EXPECT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), hal::errc::busy);
  EXPECT_THROW(failed.value(), hal::ErrorException);
}

TEST(HalCqeStatus, NegativeStatusBecomesError) {
  const std::uint64_t eio = hal::status_from_errno(hal::errc::io);
  EXPECT_EQ(eio, 0xFFFF'FFFF'FFFF'FFFBull);  // -5, two's complement
  EXPECT_TRUE(hal::status_is_error(eio));

  const hal::Result<std::uint64_t> r = hal::result_from_status(eio, "read");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), hal::errc::io);
  EXPECT_EQ(r.error().message(), "read: EIO");

  const hal::Result<std::uint64_t> v = hal::result_from_status(4096);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 4096u);

  // A status below -4095 is not an errno: the untrusted producer sent garbage.
  const hal::Result<std::uint64_t> garbage = hal::result_from_status(0x8000'0000'0000'0000ull, "cq");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), hal::errc::proto);

  EXPECT_EQ(hal::status_from_result(hal::Result<std::uint64_t>(std::uint64_t{7})), 7u);
  EXPECT_EQ(hal::status_from_result(hal::Error(hal::errc::nospc, "")), hal::status_from_errno(hal::errc::nospc));
}

}  // namespace
