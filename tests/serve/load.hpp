// Integration-test harness, load side: background HTTP clients, a burst of raw connections, and
// slow-loris connections that trickle their headers. Everything is bounded and joined on
// destruction, like the rest of the harness.
#ifndef FORKSAFE_TESTS_SERVE_LOAD_HPP
#define FORKSAFE_TESTS_SERVE_LOAD_HPP

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"

namespace fstest {

using Clock = std::chrono::steady_clock;

/// One request issued by Load.
struct Sample {
  Clock::time_point start;
  Clock::time_point end;
  long status = 0;  // 0: transport failure
  std::string error;
};

/// `clients` threads issuing GET `url` back to back until stop(). With `keep_alive` each thread
/// reuses one libcurl connection (as real clients do); otherwise every request connects afresh.
class Load {
 public:
  Load(std::string url, int clients, bool keep_alive = true, long timeout_ms = 10000);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  /// Stops and joins the clients; idempotent.
  void stop();
  /// Every request, in no particular order (call after stop()).
  const std::vector<Sample>& samples() const { return samples_; }
  int succeeded() const;
  std::vector<Sample> failures() const;

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::vector<std::vector<Sample>> per_thread_;
  std::vector<Sample> samples_;
};

/// What burst() saw.
struct BurstResult {
  int ok = 0;             // answered 200
  int other_status = 0;   // answered, but not 200
  int failed = 0;         // refused, reset or closed without a response
  int reset_retried = 0;  // reset before any response byte, then retried once (see burst())
  int unfinished = 0;     // still open at the deadline
  Millis elapsed{0};      // until the last connection finished
  std::string first_error;
};

/// Opens `connections` TCP connections to 127.0.0.1:`port` at once (non-blocking connects from one
/// epoll loop), sends `request` on each as soon as it is connected, and reads each response until
/// the server closes. Gives up at `deadline`. The caller needs RLIMIT_NOFILE > `connections`.
///
/// A connection reset before any response byte is retried once, as HTTP clients do for a fresh
/// connection and an idempotent request, and counted in `reset_retried`: when a burst overflows
/// the listen queue, Linux itself answers a few completed handshakes with RST before the server
/// can accept them (seen in a capture: the SYN dropped, retransmitted 3 s later, SYN-ACK, and the
/// server's kernel resetting the connection 6 ms later). A second reset counts as `failed`.
BurstResult burst(int port, int connections, const std::string& request, Millis deadline);

/// `n` connections that send the start of a request and then one more header byte every
/// `interval` from a background thread, never finishing the headers: a slow-loris client.
class SlowLoris {
 public:
  SlowLoris(int port, int n, Millis interval);
  ~SlowLoris();
  SlowLoris(const SlowLoris&) = delete;
  SlowLoris& operator=(const SlowLoris&) = delete;

  /// Connections that were established.
  int connected() const { return static_cast<int>(fds_.size()); }
  /// Connections the server has closed so far, and how many of them were answered 408 first.
  int closed_by_server() const { return closed_.load(); }
  int answered_408() const { return answered_408_.load(); }
  void stop();

 private:
  void run(Millis interval);

  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<int> closed_{0};
  std::atomic<int> answered_408_{0};
  std::thread thread_;
};

}  // namespace fstest

#endif  // FORKSAFE_TESTS_SERVE_LOAD_HPP
