// Error log (levels, Gunicorn-style lines) and access log (Apache-style format), both reopenable.
#ifndef FORKSAFE_SERVE_LOG_HPP
#define FORKSAFE_SERVE_LOG_HPP

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "clock.hpp"
#include "fd.hpp"
#include "forksafe/headers.hpp"

namespace forksafe::serve {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kCritical = 4 };

/// Parses "debug", "info", "warning", "error", "critical"; false on anything else.
bool parse_level(std::string_view name, Level* out);

/// Opens `path` for appending ("-" means stdout, "" means the given fallback descriptor).
/// Returns an invalid fd and fills `error` on failure.
UniqueFd open_log_file(const std::string& path, int fallback_fd, std::string* error);

/// One per process (the master's copy is replaced after fork). Writes whole lines with one write.
///
/// A write that fails (disk full, a pipe whose reader is gone) never blocks or stops the process:
/// the line is dropped. The first failure of an episode is reported once on stderr (when the log
/// is a file), and the first successful write after it says how many lines were lost.
class ErrorLog {
 public:
  ErrorLog() = default;
  ErrorLog(std::string path, Level level) : path_(std::move(path)), level_(level) {}

  /// (Re)opens the file; on failure keeps the old descriptor and returns false with `error`.
  bool reopen(std::string* error);
  void set_level(Level level) { level_ = level; }
  bool enabled(Level level) const { return level >= level_; }

  template <class... Args>
  void log(Level level, fmt::format_string<Args...> format, Args&&... args) {
    if (!enabled(level)) return;
    write_line(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) {
    log(Level::kInfo, f, std::forward<Args>(a)...);
  }
  template <class... Args>
  void warning(fmt::format_string<Args...> f, Args&&... a) {
    log(Level::kWarning, f, std::forward<Args>(a)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) {
    log(Level::kError, f, std::forward<Args>(a)...);
  }
  template <class... Args>
  void critical(fmt::format_string<Args...> f, Args&&... a) {
    log(Level::kCritical, f, std::forward<Args>(a)...);
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) {
    log(Level::kDebug, f, std::forward<Args>(a)...);
  }

 private:
  void write_line(Level level, std::string_view message);
  int fd() const { return fd_.valid() ? fd_.get() : 2; }
  bool is_stderr() const { return path_.empty() || path_ == "-"; }

  std::string path_;
  Level level_ = Level::kInfo;
  UniqueFd fd_;                // invalid means stderr
  std::uint64_t dropped_ = 0;  // lines lost in the current write-failure episode
};

/// Everything an access log line can mention about one request.
struct AccessRecord {
  std::string_view peer_host;
  std::string_view method;
  std::string_view target;
  std::string_view path;
  std::string_view query;
  int http_major = 1;
  int http_minor = 1;
  int status = 0;
  std::size_t body_bytes = 0;
  std::chrono::microseconds duration{0};
  std::string_view route;
  const forksafe::Headers* request_headers = nullptr;
  const forksafe::Headers* response_headers = nullptr;
};

/// Apache-style access log. Supported directives: %h %l %u %t %r %s %>s %b %B %D %T %m %U %q %H
/// %p %R (matched route) %{Name}i %{Name}o %%. Lines are buffered and written by flush(), which
/// the worker loops call once per wake-up, so logging costs one write per batch, not per request.
/// A failed write drops the batch; `errors` hears about it once per failure episode (when it
/// starts, and how many lines were lost when writes succeed again).
class AccessLog {
 public:
  static constexpr std::string_view kCombined =
      R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")";

  AccessLog() = default;
  AccessLog(std::string path, std::string format)
      : path_(std::move(path)), format_(std::move(format)) {}

  bool enabled() const { return !path_.empty(); }
  bool reopen(std::string* error);
  void record(const AccessRecord& r, ErrorLog& errors);
  void flush(ErrorLog& errors);

 private:
  std::string path_;
  std::string format_;
  UniqueFd fd_;
  std::string pending_;
  std::uint64_t dropped_ = 0;  // lines lost in the current write-failure episode
  WallClockText time_{kAccessLogTimePattern, TimeZone::kLocal};  // %t, once per second
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_LOG_HPP
