// Helpers for state kept in files every worker process shares, under a lock: the ledger of the
// fixed dbconn example, and the locked-file baseline of tests/bench/shared_bench.sh. The fixed
// counter, session and ID examples use forksafe::shared (<forksafe/shared.hpp>) instead.
//
// The directory is $FORKSAFE_EXAMPLE_STATE_DIR (default /tmp), read per call: no global state.
#ifndef FORKSAFE_EXAMPLES_STATE_FILE_HPP
#define FORKSAFE_EXAMPLES_STATE_FILE_HPP

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "random_token.hpp"  // examples::random_token, for the users of these files

namespace examples {

inline std::string state_path(const std::string& name) {
  const char* dir = std::getenv("FORKSAFE_EXAMPLE_STATE_DIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/" + name;
}

/// Adds `delta` to the 64-bit counter stored in file `name` and returns the new value; the
/// exclusive flock makes read-increment-write atomic across worker processes.
inline std::int64_t add_to_counter(const std::string& name, std::int64_t delta) {
  int fd = ::open(state_path(name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  ::flock(fd, LOCK_EX);
  std::int64_t value = 0;
  if (::pread(fd, &value, sizeof value, 0) != sizeof value) value = 0;
  value += delta;
  bool ok = ::pwrite(fd, &value, sizeof value, 0) == sizeof value;
  ::close(fd);  // releases the lock
  return ok ? value : -1;
}

/// Writes `content` to file `name` atomically (readers see the old or the new file, never half).
inline bool write_state(const std::string& name, const std::string& content) {
  std::string path = state_path(name), tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  return ok && ::rename(tmp.c_str(), path.c_str()) == 0;
}

inline std::optional<std::string> read_state(const std::string& name) {
  int fd = ::open(state_path(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace examples

#endif  // FORKSAFE_EXAMPLES_STATE_FILE_HPP
