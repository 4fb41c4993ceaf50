// AcceptThrottle: what a worker does when accept() fails for lack of descriptors or memory.
#ifndef FORKSAFE_SERVE_ACCEPT_THROTTLE_HPP
#define FORKSAFE_SERVE_ACCEPT_THROTTLE_HPP

#include <cstdint>

#include "log.hpp"

namespace forksafe::serve {

/// What a worker does when accept() fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM).
/// The listener stays readable, so retrying at once would spin a core and flood the log. Like
/// nginx, the worker stops accepting for kAcceptPauseMs and tries again; the connections wait in
/// the listen queue meanwhile. The error is logged once when an episode starts and once, with its
/// length, when an accept succeeds again.
class AcceptThrottle {
 public:
  static constexpr std::int64_t kAcceptPauseMs = 100;

  /// After accept() failed with `err`: true (and pauses) when it is a resource shortage.
  bool on_error(int err, std::int64_t now_ms, ErrorLog& log);
  /// After accept() succeeded: ends an episode, if one is running.
  void on_success(std::int64_t now_ms, ErrorLog& log) {
    if (episode_start_ms_) end_episode(now_ms, log);
  }
  bool paused(std::int64_t now_ms) const { return now_ms < resume_ms_; }
  /// Milliseconds until accepting may resume (0 when not paused).
  std::int64_t pause_left_ms(std::int64_t now_ms) const {
    return paused(now_ms) ? resume_ms_ - now_ms : 0;
  }

 private:
  void end_episode(std::int64_t now_ms, ErrorLog& log);

  std::int64_t resume_ms_ = 0;
  std::int64_t episode_start_ms_ = 0;  // 0: accepting normally
  std::uint64_t failures_ = 0;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_ACCEPT_THROTTLE_HPP
