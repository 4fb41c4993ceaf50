// Handler thread pool for -k threads: the event loop parses, the pool runs handlers, in order per
// connection (a connection has at most one request in the pool at a time).
#ifndef FORKSAFE_SERVE_THREAD_POOL_HPP
#define FORKSAFE_SERVE_THREAD_POOL_HPP

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fd.hpp"
#include "forksafe/app.hpp"

namespace forksafe::serve {

struct Job {
  int fd = -1;
  std::uint64_t conn_id = 0;
  bool keep_alive = true;
  std::int64_t start_us = 0;
  Request request;
  Response response;  // filled by the pool
  DispatchInfo info;  // filled by the pool
};

class ThreadPool {
 public:
  ThreadPool(const App& app, int threads, std::string* error);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  /// eventfd that becomes readable when finished jobs are waiting.
  int notify_fd() const { return notify_.get(); }
  void submit(Job job);
  /// Takes every finished job (and clears the eventfd).
  std::vector<Job> take_done();
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  /// Milliseconds the longest-running handler has been running (0 when idle); a stuck handler
  /// makes the loop stop heartbeating so the master's --timeout still applies to this worker type.
  std::int64_t longest_running_ms(std::int64_t now_ms) const;

 private:
  void run(std::size_t index);

  const App& app_;
  UniqueFd notify_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<Job> done_;
  bool stop_ = false;
  std::atomic<std::size_t> in_flight_{0};
  std::unique_ptr<std::atomic<std::int64_t>[]> busy_since_ms_;
  std::vector<std::thread> threads_;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_THREAD_POOL_HPP
