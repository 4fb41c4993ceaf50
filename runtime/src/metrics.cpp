// Prometheus metrics rendering and the tiny blocking responder the master uses for scrapes.
#include "metrics.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include "fd.hpp"

namespace forksafe::serve {

std::string render_metrics(Scoreboard& board, const MasterCounters& counters) {
  std::string out;
  auto it = std::back_inserter(out);
  out += "# HELP forksafe_requests_total Requests answered, by worker slot and status code.\n";
  out += "# TYPE forksafe_requests_total counter\n";
  std::uint64_t buckets[kLatencyBuckets] = {};
  std::uint64_t sum_us = 0, count = 0;
  for (std::size_t i = 0; i < board.size(); ++i) {
    Slot& s = board.slot(i);
    if (s.pid.load(std::memory_order_relaxed) == 0) continue;
    for (int code = 100; code < 600; ++code) {
      std::uint64_t n = s.by_status[code].load(std::memory_order_relaxed);
      if (n)
        fmt::format_to(it, "forksafe_requests_total{{worker=\"{}\",status=\"{}\"}} {}\n", i, code,
                       n);
    }
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      std::uint64_t n = s.latency[b].load(std::memory_order_relaxed);
      buckets[b] += n;
      count += n;
    }
    sum_us += s.latency_sum_us.load(std::memory_order_relaxed);
  }
  out += "# HELP forksafe_request_duration_seconds Handler-to-response latency.\n";
  out += "# TYPE forksafe_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    cumulative += buckets[b];
    if (b + 1 < kLatencyBuckets) {
      fmt::format_to(it, "forksafe_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                     static_cast<double>(kLatencyBucketsUs[b]) / 1e6, cumulative);
    } else {
      fmt::format_to(it, "forksafe_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                     cumulative);
    }
  }
  fmt::format_to(it, "forksafe_request_duration_seconds_sum {}\n",
                 static_cast<double>(sum_us) / 1e6);
  fmt::format_to(it, "forksafe_request_duration_seconds_count {}\n", count);
  fmt::format_to(it, "# TYPE forksafe_workers_alive gauge\nforksafe_workers_alive {}\n",
                 counters.workers_alive);
  fmt::format_to(
      it, "# TYPE forksafe_worker_restarts_total counter\nforksafe_worker_restarts_total {}\n",
      counters.worker_restarts);
  fmt::format_to(
      it, "# TYPE forksafe_worker_timeouts_total counter\nforksafe_worker_timeouts_total {}\n",
      counters.worker_timeouts);
  return out;
}

void serve_metrics_connection(int fd, const std::string& body) {
  std::string request;
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) return;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    request.append(buf, static_cast<std::size_t>(n));
  }
  std::string response = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      body.size(), body);
  std::size_t pos = 0;
  while (pos < response.size()) {
    ssize_t n = ::send(fd, response.data() + pos, response.size() - pos, MSG_NOSIGNAL);
    if (n > 0) {
      pos += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EINTR)) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) <= 0) return;
    } else {
      return;
    }
  }
}

}  // namespace forksafe::serve
