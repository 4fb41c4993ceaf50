// Handler thread pool implementation.
#include "thread_pool.hpp"

#include <sys/eventfd.h>

#include "clock.hpp"
#include "scoreboard.hpp"

namespace forksafe::serve {

ThreadPool::ThreadPool(const App& app, int threads, std::string* error)
    : app_(app), busy_since_ms_(new std::atomic<std::int64_t>[static_cast<std::size_t>(threads)]) {
  notify_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!notify_) {
    *error = "cannot create eventfd: " + errno_text(errno);
    return;
  }
  for (int i = 0; i < threads; ++i) {
    busy_since_ms_[static_cast<std::size_t>(i)].store(0);
    threads_.emplace_back([this, i] { run(static_cast<std::size_t>(i)); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::submit(Job job) {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

std::vector<Job> ThreadPool::take_done() {
  std::uint64_t count;
  while (::read(notify_.get(), &count, sizeof count) < 0 && errno == EINTR) {
  }
  std::vector<Job> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out.swap(done_);
  }
  in_flight_.fetch_sub(out.size(), std::memory_order_relaxed);
  return out;
}

std::int64_t ThreadPool::longest_running_ms(std::int64_t now_ms) const {
  std::int64_t longest = 0;
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    std::int64_t since = busy_since_ms_[i].load(std::memory_order_relaxed);
    if (since && now_ms - since > longest) longest = now_ms - since;
  }
  return longest;
}

void ThreadPool::run(std::size_t index) {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_ && queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    busy_since_ms_[index].store(monotonic_ms(), std::memory_order_relaxed);
    job.response = app_.handle(job.request, &job.info);
    busy_since_ms_[index].store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(job));
    }
    std::uint64_t one = 1;
    while (::write(notify_.get(), &one, sizeof one) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace forksafe::serve
