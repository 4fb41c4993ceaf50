// Error log and access log implementation.
#include "log.hpp"

#include <fcntl.h>

#include <algorithm>
#include <ctime>

#include "forksafe/headers.hpp"

namespace forksafe::serve {

namespace {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
    case Level::kCritical:
      return "CRITICAL";
  }
  return "INFO";
}

std::string format_line(Level level, std::string_view message) {
  return fmt::format("[{}] [{}] [{}] {}\n",
                     format_wall_time(std::time(nullptr), kErrorLogTimePattern, TimeZone::kLocal),
                     ::getpid(), level_name(level), message);
}

std::uint64_t count_lines(std::string_view text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

bool parse_level(std::string_view name, Level* out) {
  static constexpr std::pair<std::string_view, Level> kNames[] = {{"debug", Level::kDebug},
                                                                  {"info", Level::kInfo},
                                                                  {"warning", Level::kWarning},
                                                                  {"error", Level::kError},
                                                                  {"critical", Level::kCritical}};
  for (const auto& [n, l] : kNames) {
    if (iequals(n, name)) {
      *out = l;
      return true;
    }
  }
  return false;
}

UniqueFd open_log_file(const std::string& path, int fallback_fd, std::string* error) {
  int fd;
  if (path.empty() || path == "-") {
    fd = ::fcntl(fallback_fd, F_DUPFD_CLOEXEC, 3);
  } else {
    do {
      fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0 && error)
    *error = fmt::format("cannot open log file '{}': {}", path, errno_text(errno));
  return UniqueFd(fd);
}

bool ErrorLog::reopen(std::string* error) {
  UniqueFd fd = open_log_file(path_, 2, error);
  if (!fd) return false;
  fd_ = std::move(fd);
  return true;
}

void ErrorLog::write_line(Level level, std::string_view message) {
  std::string line = format_line(level, message);
  if (dropped_ > 0) {
    // Say what was lost in the same write as the first line that gets through.
    line = format_line(Level::kWarning,
                       fmt::format("Error log writable again; {} line(s) were dropped", dropped_)) +
           line;
  }
  if (write_all(fd(), line)) {
    dropped_ = 0;
    return;
  }
  const int err = errno;
  if (dropped_++ > 0 || is_stderr()) return;  // reported once per episode; stderr has no fallback
  write_all(2, format_line(Level::kError,
                           fmt::format("cannot write error log '{}': {}; dropping its lines until "
                                       "a write succeeds",
                                       path_, errno_text(err))));
}

bool AccessLog::reopen(std::string* error) {
  if (!enabled()) return true;
  UniqueFd fd = open_log_file(path_, 1, error);
  if (!fd) return false;
  fd_ = std::move(fd);
  return true;
}

void AccessLog::record(const AccessRecord& r, ErrorLog& errors) {
  if (!enabled()) return;
  const std::string_view stamp = time_.now();
  auto dash_if_empty = [](std::string_view v) { return v.empty() ? std::string_view("-") : v; };
  std::string& out = pending_;
  const std::string& f = format_;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%' || i + 1 == f.size()) {
      out.push_back(f[i]);
      continue;
    }
    char c = f[++i];
    if (c == '>' && i + 1 < f.size()) c = f[++i];
    if (c == '{') {
      std::size_t close = f.find('}', i);
      if (close == std::string::npos || close + 1 >= f.size()) {
        out.append(f, i - 1, std::string::npos);
        break;
      }
      std::string_view name(f.data() + i + 1, close - i - 1);
      char kind = f[close + 1];
      const Headers* h = kind == 'i'   ? r.request_headers
                         : kind == 'o' ? r.response_headers
                                       : nullptr;
      out.append(dash_if_empty(h ? h->get(name) : std::string_view{}));
      i = close + 1;
      continue;
    }
    switch (c) {
      case 'h':
        out.append(r.peer_host);
        break;
      case 'l':
      case 'u':
        out.push_back('-');
        break;
      case 't':
        out.append(stamp);
        break;
      case 'r':
        fmt::format_to(std::back_inserter(out), "{} {} HTTP/{}.{}", r.method, r.target,
                       r.http_major, r.http_minor);
        break;
      case 's':
        fmt::format_to(std::back_inserter(out), "{}", r.status);
        break;
      case 'b':
        if (r.body_bytes == 0)
          out.push_back('-');
        else
          fmt::format_to(std::back_inserter(out), "{}", r.body_bytes);
        break;
      case 'B':
        fmt::format_to(std::back_inserter(out), "{}", r.body_bytes);
        break;
      case 'D':
        fmt::format_to(std::back_inserter(out), "{}", r.duration.count());
        break;
      case 'T':
        fmt::format_to(std::back_inserter(out), "{}", r.duration.count() / 1000000);
        break;
      case 'm':
        out.append(r.method);
        break;
      case 'U':
        out.append(r.path);
        break;
      case 'q':
        if (!r.query.empty()) {
          out.push_back('?');
          out.append(r.query);
        }
        break;
      case 'H':
        fmt::format_to(std::back_inserter(out), "HTTP/{}.{}", r.http_major, r.http_minor);
        break;
      case 'p':
        fmt::format_to(std::back_inserter(out), "{}", ::getpid());
        break;
      case 'R':
        out.append(dash_if_empty(r.route));
        break;
      case '%':
        out.push_back('%');
        break;
      default:
        out.push_back('%');
        out.push_back(c);
        break;
    }
  }
  out.push_back('\n');
  if (pending_.size() > 64 * 1024) flush(errors);
}

void AccessLog::flush(ErrorLog& errors) {
  if (pending_.empty()) return;
  const bool ok = write_all(fd_.valid() ? fd_.get() : 1, pending_);
  const int err = errno;
  if (ok) {
    pending_.clear();
    if (dropped_ > 0)
      errors.warning("Access log writable again; {} line(s) were dropped", dropped_);
    dropped_ = 0;
    return;
  }
  if (dropped_ == 0)
    errors.error("cannot write access log '{}': {}; dropping its lines until a write succeeds",
                 path_, errno_text(err));
  dropped_ += count_lines(pending_);
  pending_.clear();
}

}  // namespace forksafe::serve
