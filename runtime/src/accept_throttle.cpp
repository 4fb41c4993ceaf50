// AcceptThrottle: pause accepting during a descriptor or memory shortage, log each episode once.
#include "accept_throttle.hpp"

#include <cerrno>

namespace forksafe::serve {

bool AcceptThrottle::on_error(int err, std::int64_t now_ms, ErrorLog& log) {
  if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) return false;
  resume_ms_ = now_ms + kAcceptPauseMs;
  ++failures_;
  if (episode_start_ms_ == 0) {
    episode_start_ms_ = now_ms;
    log.error("cannot accept connection: {}; pausing accept for {} ms at a time until it succeeds",
              errno_text(err), kAcceptPauseMs);
  }
  return true;
}

void AcceptThrottle::end_episode(std::int64_t now_ms, ErrorLog& log) {
  log.warning("Accepting connections again after {} ms ({} failed attempts)",
              now_ms - episode_start_ms_, failures_);
  episode_start_ms_ = 0;
  failures_ = 0;
}

}  // namespace forksafe::serve
