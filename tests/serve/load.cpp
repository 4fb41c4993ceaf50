// Integration-test harness, load side: implementation.
#include "load.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fstest {

Load::Load(std::string url, int clients, bool keep_alive, long timeout_ms)
    : per_thread_(static_cast<std::size_t>(clients)) {
  for (int t = 0; t < clients; ++t) {
    threads_.emplace_back([this, url, keep_alive, timeout_ms, t] {
      Client reused;
      auto& out = per_thread_[static_cast<std::size_t>(t)];
      while (!stop_) {
        Sample s;
        s.start = Clock::now();
        HttpResult r = keep_alive ? reused.get(url, timeout_ms) : http_get(url, timeout_ms);
        s.end = Clock::now();
        s.status = r.status;
        s.error = r.error;
        out.push_back(std::move(s));
      }
    });
  }
}

Load::~Load() { stop(); }

void Load::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  for (auto& part : per_thread_) {
    samples_.insert(samples_.end(), part.begin(), part.end());
    part.clear();
  }
}

int Load::succeeded() const {
  int n = 0;
  for (const Sample& s : samples_) n += s.status == 200;
  return n;
}

std::vector<Sample> Load::failures() const {
  std::vector<Sample> out;
  for (const Sample& s : samples_)
    if (s.status != 200) out.push_back(s);
  return out;
}

namespace {

int connect_nonblocking(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

BurstResult burst(int port, int connections, const std::string& request, Millis deadline) {
  struct Conn {
    int fd = -1;
    bool sent = false;
    bool retried = false;
    std::string in;
  };
  BurstResult result;
  const auto start = Clock::now();
  int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> conns(static_cast<std::size_t>(connections));
  int open = 0;
  auto finish = [&](Conn& c, bool answered) {
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    --open;
    if (!answered) {
      ++result.failed;
    } else if (c.in.compare(0, 12, "HTTP/1.1 200") == 0) {
      ++result.ok;
    } else {
      ++result.other_status;
      if (result.first_error.empty()) result.first_error = "answer: " + c.in.substr(0, 40);
    }
    result.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  };
  // Connects slot `i` (again) and registers it; a failed connect counts as failed.
  auto open_slot = [&](int i) {
    Conn& c = conns[static_cast<std::size_t>(i)];
    c.fd = connect_nonblocking(port);
    c.sent = false;
    c.in.clear();
    if (c.fd < 0) {
      ++result.failed;
      if (result.first_error.empty())
        result.first_error = std::string("connect: ") + std::strerror(errno);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, c.fd, &ev);
    ++open;
  };
  // A reset before any response byte is retried once (see the header); true when it was.
  auto retry_after_reset = [&](Conn& c, int err) {
    if (err != ECONNRESET || c.retried || !c.in.empty()) return false;
    c.retried = true;
    ++result.reset_retried;
    ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    --open;
    open_slot(static_cast<int>(&c - conns.data()));
    return true;
  };
  for (int i = 0; i < connections; ++i) open_slot(i);
  std::vector<epoll_event> events(1024);
  while (open > 0 && Clock::now() - start < deadline) {
    int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), 50);
    for (int i = 0; i < n; ++i) {
      Conn& c = conns[events[static_cast<std::size_t>(i)].data.u32];
      if (c.fd < 0) continue;
      const std::uint32_t got = events[static_cast<std::size_t>(i)].events;
      if (!c.sent && (got & EPOLLOUT)) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0 && ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                            static_cast<ssize_t>(request.size())) {
          c.sent = true;
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.u32 = events[static_cast<std::size_t>(i)].data.u32;
          ::epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev);
        } else {
          const int why = err ? err : errno;
          if (retry_after_reset(c, why)) continue;
          if (result.first_error.empty())
            result.first_error = std::string("connect/send: ") + std::strerror(why);
          finish(c, false);
          continue;
        }
      }
      if (c.sent && (got & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        char buf[4096];
        for (;;) {
          ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
          if (r > 0) {
            c.in.append(buf, static_cast<std::size_t>(r));
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EINTR)) break;
          if (r < 0 && retry_after_reset(c, errno)) break;
          if (r < 0 && result.first_error.empty())
            result.first_error = std::string("recv: ") + std::strerror(errno);
          finish(c, !c.in.empty());
          break;
        }
      }
    }
  }
  for (Conn& c : conns)
    if (c.fd >= 0) ::close(c.fd);
  result.unfinished = open;
  ::close(epfd);
  return result;
}

SlowLoris::SlowLoris(int port, int n, Millis interval) {
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
      ::close(fd);
      break;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    static const std::string kHead = "GET /hello HTTP/1.1\r\nHost: loris\r\nX-Slow: ";
    ::send(fd, kHead.data(), kHead.size(), MSG_NOSIGNAL);
    fds_.push_back(fd);
  }
  thread_ = std::thread([this, interval] { run(interval); });
}

SlowLoris::~SlowLoris() {
  stop();
  for (int fd : fds_)
    if (fd >= 0) ::close(fd);
}

void SlowLoris::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SlowLoris::run(Millis interval) {
  std::vector<std::string> seen(fds_.size());
  std::vector<bool> open(fds_.size(), true);
  while (!stop_) {
    for (std::size_t i = 0; i < fds_.size(); ++i) {
      if (!open[i]) continue;
      char buf[512];
      ssize_t r;
      while ((r = ::recv(fds_[i], buf, sizeof buf, 0)) > 0)
        seen[i].append(buf, static_cast<std::size_t>(r));
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        open[i] = false;
        if (seen[i].compare(0, 12, "HTTP/1.1 408") == 0) ++answered_408_;
        ++closed_;
        continue;
      }
      ::send(fds_[i], "a", 1, MSG_NOSIGNAL);
    }
    for (Millis slept{0}; slept < interval && !stop_; slept += 10ms)
      std::this_thread::sleep_for(10ms);
  }
}

}  // namespace fstest
