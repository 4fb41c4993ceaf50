// Event worker (-k event) and threaded worker (-k threads): one epoll loop owning every connection.
//
// Design: level-triggered epoll. Each connection keeps an input buffer, a RequestParser and an
// output buffer. Requests are taken from the parser one at a time, so pipelined requests are
// answered strictly in order: with -k event the handler runs inline and the next request is parsed
// right after; with -k threads the request goes to the pool and the connection stops reading until
// the response comes back through the pool's eventfd. The loop wakes at least every 250 ms to
// heartbeat, apply idle/header timeouts and notice signals.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "accept_throttle.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "exit_codes.hpp"
#include "peer_address.hpp"
#include "responder.hpp"
#include "thread_pool.hpp"
#include "worker.hpp"

namespace forksafe::serve {

namespace {

constexpr std::uint64_t kTagListener = 1ULL << 32;
constexpr std::uint64_t kTagSignals = 2ULL << 32;
constexpr std::uint64_t kTagPool = 3ULL << 32;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kOutHighWater = 1024 * 1024;
constexpr std::int64_t kLingerMs = 2000;

struct Conn {
  Conn(UniqueFd f, PeerAddress p, std::uint64_t i, const Limits& limits)
      : fd(std::move(f)), peer(std::move(p)), id(i), parser(limits) {}
  UniqueFd fd;
  PeerAddress peer;
  std::uint64_t id;
  RequestParser parser;
  std::string in;
  std::size_t in_pos = 0;
  std::string out;
  std::size_t out_pos = 0;
  bool busy = false;       // a request is in the thread pool
  bool closing = false;    // no more requests: close once `out` is flushed
  bool linger = false;     // close via shutdown + discard reads (unread input, errors)
  bool lingering = false;  // in the discard phase
  bool peer_eof = false;
  std::uint64_t served = 0;  // requests answered on this connection
  std::int64_t last_activity_ms = 0;
  std::int64_t request_start_ms = 0;
  std::uint32_t registered = 0;

  bool idle() const {
    return !busy && !parser.started() && out_pos == out.size() && in_pos == in.size();
  }
};

class EventWorker {
 public:
  EventWorker(WorkerEnv& env, WorkerControl& control)
      : env_(env), control_(control), responder_(env, control) {
    const Settings& s = *env.settings;
    limits_ = Limits{s.limit_request_line, s.limit_request_fields, s.limit_request_field_size,
                     s.limit_request_body};
  }

  void run(int threads) {
    std::string error;
    if (!loop_.open(&error)) {
      env_.log->error("{}", error);
      ::_exit(kExitWorkerBoot);  // a clean exit would be respawned at once, forever
    }
    if (threads > 0) {
      pool_ = std::make_unique<ThreadPool>(env_.app->app(), threads, &error);
      if (!error.empty()) {
        env_.log->error("{}", error);
        ::_exit(kExitWorkerBoot);
      }
      loop_.add(pool_->notify_fd(), EPOLLIN, kTagPool);
    }
    loop_.add(env_.signals->fd(), EPOLLIN, kTagSignals);
    set_accepting(true);
    std::int64_t last_sweep = monotonic_ms();
    for (;;) {
      int n = loop_.wait(accept_paused_ ? static_cast<int>(std::clamp<std::int64_t>(
                                              throttle_.pause_left_ms(now_ms_), 1, 250))
                                        : 250);
      now_ms_ = monotonic_ms();
      for (int i = 0; i < n; ++i) dispatch(loop_.event(i));
      if (accept_paused_ && !throttle_.paused(now_ms_)) {
        accept_paused_ = false;
        set_accepting(conns_count_ < env_.settings->worker_connections);
      }
      if (now_ms_ - last_sweep >= 250) {
        sweep();
        check_master(env_, control_);
        last_sweep = now_ms_;
      }
      heartbeat();
      env_.access->flush(*env_.log);
      if (control_.quit) break;
      if (control_.draining) {
        start_draining();
        if (conns_count_ == 0 && (!pool_ || pool_->in_flight() == 0)) break;
        if (now_ms_ > control_.drain_deadline_ms) {
          env_.log->warning("Graceful timeout: closing {} connections", conns_count_);
          break;
        }
      }
    }
    env_.access->flush(*env_.log);
    if (pool_ && pool_->in_flight() > 0) {
      env_.log->info("Worker exiting (pid: {}) with handlers still running", ::getpid());
      ::_exit(0);  // joining a stuck handler thread would hang forever
    }
  }

 private:
  void dispatch(const epoll_event& ev) {
    std::uint64_t tag = ev.data.u64;
    if (tag == kTagSignals) {
      handle_worker_signals(env_, control_);
    } else if (tag == kTagPool) {
      complete_jobs();
    } else if ((tag & ~0xffffffffULL) == kTagListener) {
      accept_from((*env_.listeners)[tag & 0xffffffffULL].fd.get());
    } else {
      Conn* c = find(static_cast<int>(tag));
      if (!c) return;
      if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(*c);
      c = find(static_cast<int>(tag));
      if (c && (ev.events & EPOLLOUT)) flush(*c);
    }
  }

  Conn* find(int fd) {
    if (fd < 0 || static_cast<std::size_t>(fd) >= conns_.size()) return nullptr;
    return conns_[static_cast<std::size_t>(fd)].get();
  }

  void set_accepting(bool on) {
    if (on == accepting_ || (on && control_.draining)) return;
    accepting_ = on;
    auto& ls = *env_.listeners;
    for (std::size_t i = 0; i < ls.size(); ++i) {
      if (on)
        loop_.add(ls[i].fd.get(), EPOLLIN, kTagListener | i);
      else
        loop_.remove(ls[i].fd.get());
    }
  }

  // One accept per readiness report, and no EPOLLEXCLUSIVE: every idle worker is woken and the
  // first to call accept4 wins, so connections go to workers that are free right now. (Exclusive
  // wake-ups always pick the same epoll instance, busy or not, and one worker would take all.)
  void accept_from(int listen_fd) {
    const int max_conns = env_.settings->worker_connections;
    for (int i = 0; i < 1; ++i) {
      if (conns_count_ >= max_conns) {
        set_accepting(false);
        return;
      }
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (throttle_.on_error(errno, now_ms_, *env_.log)) {
          accept_paused_ = true;  // out of descriptors: the listener stays readable, so step away
          set_accepting(false);
        }
        return;
      }
      throttle_.on_success(now_ms_, *env_.log);
      if (ss.ss_family != AF_UNIX) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      }
      if (static_cast<std::size_t>(fd) >= conns_.size())
        conns_.resize(static_cast<std::size_t>(fd) * 2 + 64);
      auto c =
          std::make_unique<Conn>(UniqueFd(fd), PeerAddress::from_sockaddr(ss), ++next_id_, limits_);
      c->last_activity_ms = now_ms_;
      c->registered = EPOLLIN | EPOLLRDHUP;
      loop_.add(fd, c->registered, static_cast<std::uint64_t>(fd));
      conns_[static_cast<std::size_t>(fd)] = std::move(c);
      ++conns_count_;
    }
  }

  void on_readable(Conn& c) {
    char buf[kReadChunk];
    for (int round = 0; round < 4; ++round) {
      ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
      if (n > 0) {
        c.last_activity_ms = now_ms_;
        if (c.lingering) continue;  // discarding until the client closes
        c.in.append(buf, static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < sizeof buf) break;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      c.peer_eof = true;  // EOF or error: answer what was received, then close
      break;
    }
    if (c.lingering) {
      if (c.peer_eof || now_ms_ > c.request_start_ms) close(c);
      return;
    }
    process_input(c);
    if (find(c.fd.get()) == &c) flush(c);
  }

  void process_input(Conn& c) {
    while (!c.busy && !c.closing && c.in_pos < c.in.size() &&
           c.out.size() - c.out_pos < kOutHighWater) {
      if (!c.parser.started()) c.request_start_ms = now_ms_;
      std::size_t used = 0;
      auto st = c.parser.feed(c.in.data() + c.in_pos, c.in.size() - c.in_pos, &used);
      c.in_pos += used;
      if (c.parser.take_continue()) c.out.append("HTTP/1.1 100 Continue\r\n\r\n");
      if (st == RequestParser::Status::kError) {
        responder_.finish_error(c.parser.error_status(), c.parser.error_reason(), c.peer, &c.out);
        c.closing = c.linger = true;
        break;
      }
      if (st == RequestParser::Status::kNeedMore) break;
      Request req = c.parser.take();
      bool keep = c.parser.keep_alive() && env_.settings->keep_alive > 0 && !c.peer_eof;
      c.parser.next();
      ++c.served;
      req.peer = c.peer.to_string();
      run_request(c, std::move(req), keep);
    }
    if (c.in_pos == c.in.size()) {
      c.in.clear();
      c.in_pos = 0;
    } else if (c.in_pos > kReadChunk) {
      c.in.erase(0, c.in_pos);
      c.in_pos = 0;
    }
    if (c.peer_eof && !c.busy && c.in_pos == c.in.size()) c.closing = true;
  }

  void run_request(Conn& c, Request req, bool keep) {
    std::int64_t start = monotonic_us();
    if (pool_) {
      Job job;
      job.fd = c.fd.get();
      job.conn_id = c.id;
      job.keep_alive = keep;
      job.start_us = start;
      job.request = std::move(req);
      c.busy = true;
      pool_->submit(std::move(job));
      update_interest(c);
      return;
    }
    DispatchInfo info;
    Response resp = env_.app->app().handle(req, &info);
    if (!responder_.finish(req, c.peer, resp, info, keep, start, &c.out)) c.closing = true;
  }

  void complete_jobs() {
    for (Job& job : pool_->take_done()) {
      Conn* c = find(job.fd);
      if (!c || c->id != job.conn_id) continue;  // client went away meanwhile
      c->busy = false;
      if (!responder_.finish(job.request, c->peer, job.response, job.info, job.keep_alive,
                             job.start_us, &c->out))
        c->closing = true;
      process_input(*c);
      if (find(job.fd) == c) flush(*c);
    }
  }

  void flush(Conn& c) {
    while (c.out_pos < c.out.size()) {
      ssize_t n =
          ::send(c.fd.get(), c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_pos += static_cast<std::size_t>(n);
        c.last_activity_ms = now_ms_;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      close(c);  // peer reset: nothing more can be delivered
      return;
    }
    if (c.out_pos == c.out.size()) {
      c.out.clear();
      c.out_pos = 0;
      if (!c.closing && !c.busy && c.in_pos < c.in.size())
        process_input(c);  // backpressure released
      if (c.out_pos < c.out.size()) return flush(c);
      if (c.closing && !c.busy) {
        if (c.linger || c.in_pos < c.in.size()) {
          start_linger(c);
        } else {
          close(c);
        }
        return;
      }
    }
    update_interest(c);
  }

  void start_linger(Conn& c) {
    // Closing with unread input would make the kernel send RST, which can destroy the response we
    // just wrote (a 413 before the body arrived). Half-close and discard input for a moment
    // instead.
    ::shutdown(c.fd.get(), SHUT_WR);
    c.lingering = true;
    c.request_start_ms = now_ms_ + kLingerMs;  // reused as the linger deadline
    c.in.clear();
    c.in_pos = 0;
    update_interest(c);
  }

  void update_interest(Conn& c) {
    // While a request is in the pool and nothing is queued to write, the connection leaves epoll
    // entirely: a reset peer would otherwise report EPOLLHUP on every wake-up until the job ends.
    if (c.busy && c.out_pos == c.out.size()) {
      if (c.registered) loop_.remove(c.fd.get());
      c.registered = 0;
      return;
    }
    std::uint32_t want = EPOLLRDHUP;
    if (c.lingering || (!c.busy && !c.closing && c.out.size() - c.out_pos < kOutHighWater))
      want |= EPOLLIN;
    if (c.out_pos < c.out.size()) want |= EPOLLOUT;
    if (c.registered == 0) {
      loop_.add(c.fd.get(), want, static_cast<std::uint64_t>(c.fd.get()));
    } else if (want != c.registered) {
      loop_.modify(c.fd.get(), want, static_cast<std::uint64_t>(c.fd.get()));
    }
    c.registered = want;
  }

  void close(Conn& c) {
    int fd = c.fd.get();
    if (c.registered) loop_.remove(fd);
    conns_[static_cast<std::size_t>(fd)].reset();
    --conns_count_;
    if (!accepting_ && !accept_paused_ && !control_.draining &&
        conns_count_ < env_.settings->worker_connections)
      set_accepting(true);
  }

  void sweep() {
    const Settings& s = *env_.settings;
    const std::int64_t keep_alive_ms = static_cast<std::int64_t>(s.keep_alive * 1000);
    const std::int64_t header_ms = static_cast<std::int64_t>(s.header_timeout * 1000);
    const std::int64_t write_ms = std::max<std::int64_t>(header_ms, 30000);
    for (auto& slot : conns_) {
      if (!slot) continue;
      Conn& c = *slot;
      if (c.busy) continue;
      if (c.lingering) {
        if (now_ms_ > c.request_start_ms) close(c);
        continue;
      }
      if (c.out_pos < c.out.size()) {
        if (now_ms_ - c.last_activity_ms > write_ms) close(c);
        continue;
      }
      if (c.parser.started()) {
        bool too_slow = c.parser.reading_body() ? now_ms_ - c.last_activity_ms > header_ms
                                                : now_ms_ - c.request_start_ms > header_ms;
        if (too_slow && !c.closing) {
          responder_.finish_error(408, "request not received in time", c.peer, &c.out);
          c.closing = c.linger = true;
          flush(c);
        }
        continue;
      }
      // A fresh connection gets the header timeout to send its first request; only a connection
      // that has been answered is held to the (usually shorter) keep-alive timeout.
      const std::int64_t idle_limit = c.served ? keep_alive_ms : header_ms;
      if (c.idle() && now_ms_ - c.last_activity_ms > idle_limit) close(c);
    }
  }

  void start_draining() {
    if (drain_started_) return;
    drain_started_ = true;
    set_accepting(false);
    // Our copies of the listeners go; the sockets stay open in the master and other workers, so
    // connections waiting in the accept queue are served by them, not dropped.
    for (auto& l : *env_.listeners) l.fd.reset();
    // Idle keep-alive connections are closed now (a client racing a request onto one retries, as
    // HTTP allows for a reused connection); a fresh connection whose first request is still in
    // flight is kept and answered with "Connection: close", so no new client sees a reset.
    for (auto& slot : conns_) {
      if (!slot) continue;
      if (slot->idle() && slot->served > 0) {
        close(*slot);
      } else if (slot->served > 0 && !slot->busy && !slot->parser.started() &&
                 slot->in_pos == slot->in.size()) {
        slot->closing = true;  // only a response is left to write; close once it is out
      }
    }
  }

  void heartbeat() {
    if (pool_ && env_.settings->timeout > 0 &&
        pool_->longest_running_ms(now_ms_) >
            static_cast<std::int64_t>(env_.settings->timeout * 1000))
      return;  // a handler thread is stuck: let the master's timeout see it
    env_.slot->heartbeat_ms.store(now_ms_, std::memory_order_relaxed);
  }

  WorkerEnv& env_;
  WorkerControl& control_;
  Responder responder_;
  Limits limits_;
  EventLoop loop_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::unique_ptr<Conn>> conns_;
  int conns_count_ = 0;
  std::uint64_t next_id_ = 0;
  std::int64_t now_ms_ = 0;
  bool accepting_ = false;
  bool accept_paused_ = false;  // out of descriptors: see AcceptThrottle
  AcceptThrottle throttle_;
  bool drain_started_ = false;
};

}  // namespace

void run_event_worker(WorkerEnv& env, WorkerControl& control, int threads) {
  EventWorker worker(env, control);
  worker.run(threads);
}

}  // namespace forksafe::serve
