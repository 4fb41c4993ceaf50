// Self-pipe signal queue: handlers only enqueue the signal number; loops drain it at leisure.
#ifndef FORKSAFE_SERVE_SIGNALS_HPP
#define FORKSAFE_SERVE_SIGNALS_HPP

#include <initializer_list>
#include <vector>

#include "fd.hpp"

namespace forksafe::serve {

/// Owns the pipe. Exactly one is installed per process at a time (the master's, or after fork the
/// worker's replacement). install() routes the listed signals into it; reset_to_default() undoes
/// it.
class SignalQueue {
 public:
  SignalQueue() = default;
  SignalQueue(const SignalQueue&) = delete;
  SignalQueue& operator=(const SignalQueue&) = delete;
  ~SignalQueue();

  /// Creates the pipe and installs handlers; false with `error` on failure.
  bool install(std::initializer_list<int> signals, std::string* error);
  /// Read end, for poll/epoll.
  int fd() const { return read_.get(); }
  /// Drains every queued signal number, in arrival order (non-blocking).
  std::vector<int> drain();
  /// Restores SIG_DFL for the installed signals and closes the pipe (used in children after fork).
  void reset_to_default();

 private:
  UniqueFd read_;
  UniqueFd write_;
  std::vector<int> installed_;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_SIGNALS_HPP
