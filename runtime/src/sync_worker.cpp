// Sync worker (-k sync): one connection at a time, one request per connection, "Connection: close".
//
// Like Gunicorn's sync worker it is meant to sit behind a buffering proxy. Client I/O waits in
// slices of at most one second so the heartbeat keeps flowing while a slow client is read; only
// the handler itself can silence the heartbeat, which is exactly what --timeout should catch.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "accept_throttle.hpp"
#include "clock.hpp"
#include "peer_address.hpp"
#include "responder.hpp"
#include "worker.hpp"

namespace forksafe::serve {

namespace {

class SyncWorker {
 public:
  SyncWorker(WorkerEnv& env, WorkerControl& control)
      : env_(env), control_(control), responder_(env, control) {
    const Settings& s = *env.settings;
    limits_ = Limits{s.limit_request_line, s.limit_request_fields, s.limit_request_field_size,
                     s.limit_request_body};
  }

  void run() {
    std::vector<pollfd> fds;
    fds.push_back({env_.signals->fd(), POLLIN, 0});
    for (auto& l : *env_.listeners) fds.push_back({l.fd.get(), POLLIN, 0});
    while (!control_.draining && !control_.quit) {
      heartbeat();
      // While accept is paused (out of descriptors) only the signal pipe is watched.
      const std::int64_t pause_ms = throttle_.pause_left_ms(monotonic_ms());
      for (auto& p : fds) p.revents = 0;
      int n = ::poll(fds.data(), pause_ms ? 1 : fds.size(),
                     static_cast<int>(pause_ms ? std::min<std::int64_t>(pause_ms, 1000) : 1000));
      env_.access->flush(*env_.log);
      if (fds[0].revents & POLLIN) handle_worker_signals(env_, control_);
      check_master(env_, control_);
      if (n <= 0 || control_.draining || control_.quit) continue;
      for (std::size_t i = 1; i < fds.size() && !control_.quit; ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int fd = ::accept4(fds[i].fd, reinterpret_cast<sockaddr*>(&ss), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          // Out of descriptors: pause instead of spinning on a listener that stays readable.
          if (throttle_.on_error(errno, monotonic_ms(), *env_.log)) break;
          continue;  // another worker won the race, or the client left
        }
        throttle_.on_success(monotonic_ms(), *env_.log);
        serve(UniqueFd(fd), ss);
        heartbeat();
      }
    }
    env_.access->flush(*env_.log);
  }

 private:
  void heartbeat() { env_.slot->heartbeat_ms.store(monotonic_ms(), std::memory_order_relaxed); }

  /// Waits for `events` on `fd` until `deadline_ms`, heartbeating each second; false on timeout.
  bool wait_for(int fd, short events, std::int64_t deadline_ms) {
    for (;;) {
      std::int64_t left = deadline_ms - monotonic_ms();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, 1000)));
      heartbeat();
      if (n > 0) return true;
      if (control_.quit) return false;
    }
  }

  bool write_out(int fd, const std::string& out, std::int64_t deadline_ms) {
    std::size_t pos = 0;
    while (pos < out.size()) {
      ssize_t n = ::send(fd, out.data() + pos, out.size() - pos, MSG_NOSIGNAL);
      if (n > 0) {
        pos += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_for(fd, POLLOUT, deadline_ms)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  void serve(UniqueFd fd, const sockaddr_storage& ss) {
    const PeerAddress peer = PeerAddress::from_sockaddr(ss);
    const Settings& s = *env_.settings;
    const std::int64_t header_ms = static_cast<std::int64_t>(s.header_timeout * 1000);
    std::int64_t deadline = monotonic_ms() + header_ms;
    RequestParser parser(limits_);
    std::string out;
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (wait_for(fd.get(), POLLIN, deadline)) continue;
        if (parser.started())
          responder_.finish_error(408, "request not received in time", peer, &out);
        break;
      }
      if (n <= 0) return;  // client closed before sending a whole request
      if (parser.reading_body()) deadline = monotonic_ms() + header_ms;
      std::size_t used = 0;
      auto st = parser.feed(buf, static_cast<std::size_t>(n), &used);
      if (parser.take_continue()) {
        std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
        if (!write_out(fd.get(), cont, deadline)) return;
      }
      if (st == RequestParser::Status::kError) {
        responder_.finish_error(parser.error_status(), parser.error_reason(), peer, &out);
        break;
      }
      if (st == RequestParser::Status::kRequest) {
        Request req = parser.take();
        req.peer = peer.to_string();
        std::int64_t start = monotonic_us();
        DispatchInfo info;
        Response resp = env_.app->app().handle(req, &info);
        heartbeat();
        responder_.finish(req, peer, resp, info, false, start, &out);
        break;
      }
    }
    if (out.empty()) return;
    if (!write_out(fd.get(), out, monotonic_ms() + std::max<std::int64_t>(header_ms, 30000)))
      return;
    ::shutdown(fd.get(), SHUT_WR);
    // Read and drop what the client still sends until it closes (at most a second), so close()
    // does not reset the connection under the response: a client that pipelined a second request
    // or whose body was refused (413) would otherwise lose the answer.
    std::int64_t linger_until = monotonic_ms() + 1000;
    while (wait_for(fd.get(), POLLIN, linger_until)) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    }
  }

  WorkerEnv& env_;
  WorkerControl& control_;
  Responder responder_;
  Limits limits_;
  AcceptThrottle throttle_;
};

}  // namespace

void run_sync_worker(WorkerEnv& env, WorkerControl& control) {
  SyncWorker worker(env, control);
  worker.run();
}

}  // namespace forksafe::serve
