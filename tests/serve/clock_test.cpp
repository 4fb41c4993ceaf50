// Unit tests for the server's clocks: monotonic time and the wall-clock texts (Date header, logs).
#include "clock.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <regex>
#include <string>

namespace fs = forksafe::serve;

namespace {

TEST(ServeClock, MonotonicMillisecondsAndMicrosecondsAgree) {
  std::int64_t ms = fs::monotonic_ms();
  std::int64_t us = fs::monotonic_us();
  std::int64_t ms_after = fs::monotonic_ms();
  EXPECT_GT(ms, 0);
  EXPECT_LE(ms, us / 1000);
  EXPECT_LE(us / 1000, ms_after);
  EXPECT_LE(fs::monotonic_us(), fs::monotonic_us());
}

TEST(ServeClock, HttpDateIsRfc9110InUtc) {
  // RFC 9110's own example: 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
  EXPECT_EQ(fs::format_wall_time(784111777, fs::kHttpDatePattern, fs::TimeZone::kUtc),
            "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(ServeClock, LogTimesUseTheLocalZone) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "UTC-2", 1);  // POSIX sign: two hours east of UTC
  ::tzset();
  EXPECT_EQ(fs::format_wall_time(784111777, fs::kAccessLogTimePattern, fs::TimeZone::kLocal),
            "[06/Nov/1994:10:49:37 +0200]");
  EXPECT_EQ(fs::format_wall_time(784111777, fs::kErrorLogTimePattern, fs::TimeZone::kLocal),
            "1994-11-06 10:49:37 +0200");
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
}

TEST(ServeClock, WallClockTextIsTheCurrentSecond) {
  fs::WallClockText date(fs::kHttpDatePattern, fs::TimeZone::kUtc);
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::time_t before = std::time(nullptr);
    std::string first(date.now());
    std::string again(date.now());
    std::time_t after = std::time(nullptr);
    if (before != after) continue;  // a second boundary fell in between: try again
    EXPECT_EQ(first, fs::format_wall_time(before, fs::kHttpDatePattern, fs::TimeZone::kUtc));
    EXPECT_EQ(again, first);
    EXPECT_TRUE(std::regex_match(
        first, std::regex(R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)")))
        << first;
    return;
  }
  FAIL() << "three attempts each straddled a second boundary";
}

}  // namespace
