// The server's clocks (see clock.hpp).
#include "clock.hpp"

namespace forksafe::serve {

std::int64_t monotonic_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::int64_t monotonic_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

std::string format_wall_time(std::time_t t, const char* pattern, TimeZone zone) {
  std::tm tm{};
  if (zone == TimeZone::kUtc)
    gmtime_r(&t, &tm);
  else
    localtime_r(&t, &tm);
  char buf[96];
  std::size_t n = std::strftime(buf, sizeof buf, pattern, &tm);
  return std::string(buf, n);
}

std::string_view WallClockText::now() {
  std::time_t t = std::time(nullptr);
  if (t != second_) {
    value_ = format_wall_time(t, pattern_, zone_);
    second_ = t;
  }
  return value_;
}

}  // namespace forksafe::serve
