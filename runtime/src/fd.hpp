// RAII owner for file descriptors plus EINTR-safe I/O helpers used by every module.
#ifndef FORKSAFE_SERVE_FD_HPP
#define FORKSAFE_SERVE_FD_HPP

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace forksafe::serve {

/// Move-only descriptor owner. close() is never retried on EINTR: on Linux the descriptor is
/// already released when close returns, and retrying could close someone else's new descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// strerror as std::string, for "cannot <verb> <object>: <reason>" messages.
inline std::string errno_text(int err) { return std::strerror(err); }

/// Writes all of `data`, retrying on EINTR and short writes; false (errno set) on failure.
/// Meant for blocking descriptors (log files, pipes); sockets in event loops use their own path.
inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_FD_HPP
