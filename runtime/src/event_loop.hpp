// Thin epoll owner: register, modify, remove, wait. No callbacks; the worker dispatches on tags.
#ifndef FORKSAFE_SERVE_EVENT_LOOP_HPP
#define FORKSAFE_SERVE_EVENT_LOOP_HPP

#include <sys/epoll.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fd.hpp"

namespace forksafe::serve {

class EventLoop {
 public:
  bool open(std::string* error) {
    fd_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!fd_) *error = "cannot create epoll instance: " + errno_text(errno);
    events_.resize(256);
    return fd_.valid();
  }
  bool add(int fd, std::uint32_t events, std::uint64_t tag) {
    return ctl(EPOLL_CTL_ADD, fd, events, tag);
  }
  bool modify(int fd, std::uint32_t events, std::uint64_t tag) {
    return ctl(EPOLL_CTL_MOD, fd, events, tag);
  }
  void remove(int fd) { ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

  /// Waits up to `timeout_ms`; EINTR counts as a (spurious) wake-up with no events.
  int wait(int timeout_ms) {
    int n = ::epoll_wait(fd_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
    return n < 0 ? 0 : n;
  }
  const epoll_event& event(int i) const { return events_[static_cast<std::size_t>(i)]; }

 private:
  bool ctl(int op, int fd, std::uint32_t events, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    return ::epoll_ctl(fd_.get(), op, fd, &ev) == 0;
  }

  UniqueFd fd_;
  std::vector<epoll_event> events_;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_EVENT_LOOP_HPP
