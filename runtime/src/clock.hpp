// The server's clocks: monotonic time for timeouts, heartbeats and durations; wall-clock text for
// the Date header and log lines.
#ifndef FORKSAFE_SERVE_CLOCK_HPP
#define FORKSAFE_SERVE_CLOCK_HPP

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace forksafe::serve {

/// Milliseconds of CLOCK_MONOTONIC, comparable across processes on the same machine (the master
/// reads the workers' heartbeats in these units).
std::int64_t monotonic_ms();
/// Microseconds of CLOCK_MONOTONIC (request durations).
std::int64_t monotonic_us();

/// strftime patterns of the wall-clock texts the server writes.
inline constexpr const char* kHttpDatePattern = "%a, %d %b %Y %H:%M:%S GMT";    // UTC
inline constexpr const char* kErrorLogTimePattern = "%Y-%m-%d %H:%M:%S %z";     // local
inline constexpr const char* kAccessLogTimePattern = "[%d/%b/%Y:%H:%M:%S %z]";  // local

enum class TimeZone { kUtc, kLocal };

/// `t` formatted with the strftime `pattern` in `zone`.
std::string format_wall_time(std::time_t t, const char* pattern, TimeZone zone);

/// A wall-clock text recomputed at most once per second. One per owner (a worker's responder, an
/// access log), never global, so no locking.
class WallClockText {
 public:
  WallClockText(const char* pattern, TimeZone zone) : pattern_(pattern), zone_(zone) {}

  /// The text for the current second.
  std::string_view now();

 private:
  const char* pattern_;
  TimeZone zone_;
  std::time_t second_ = -1;
  std::string value_;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_CLOCK_HPP
