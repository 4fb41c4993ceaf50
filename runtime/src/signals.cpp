// Self-pipe signal queue implementation.
#include "signals.hpp"

#include <fcntl.h>
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <string>

namespace forksafe::serve {

namespace {

// Process-wide by necessity: a signal handler receives no user pointer, so the write end of the
// self-pipe must be reachable from a global. It is written only by install()/reset_to_default()
// (single-threaded, with the signals concerned not yet or no longer routed here) and read by the
// handler; sig_atomic_t-sized int access is async-signal-safe.
// NOLINTNEXTLINE(forksafe-per-worker-state, forksafe-unsynchronized-state): justified above.
volatile std::sig_atomic_t g_signal_pipe_write = -1;

extern "C" void enqueue_signal(int signo) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signo);
  int fd = g_signal_pipe_write;
  if (fd >= 0) (void)!::write(fd, &byte, 1);  // full pipe: the signal is already queued
  errno = saved;
}

}  // namespace

SignalQueue::~SignalQueue() {
  if (read_.valid()) reset_to_default();
}

bool SignalQueue::install(std::initializer_list<int> signals, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
    *error = fmt::format("cannot create signal pipe: {}", errno_text(errno));
    return false;
  }
  read_.reset(fds[0]);
  write_.reset(fds[1]);
  g_signal_pipe_write = fds[1];
  struct sigaction sa{};
  sa.sa_handler = enqueue_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s : signals) {
    if (::sigaction(s, &sa, nullptr) < 0) {
      *error = fmt::format("cannot install handler for signal {}: {}", s, errno_text(errno));
      return false;
    }
    installed_.push_back(s);
  }
  return true;
}

std::vector<int> SignalQueue::drain() {
  std::vector<int> out;
  unsigned char buf[64];
  for (;;) {
    ssize_t n = ::read(read_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

void SignalQueue::reset_to_default() {
  for (int s : installed_) ::signal(s, SIG_DFL);
  installed_.clear();
  g_signal_pipe_write = -1;
  read_.reset();
  write_.reset();
}

}  // namespace forksafe::serve
