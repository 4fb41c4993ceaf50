// Master/worker lifecycle against real processes: signals, recycling, graceful stop,
// zero-downtime reload, preload, boot failures and crash loops, and the counter example. Faults
// (kill -9, crashing or stuck handlers, the master killed) are in fault_test.cpp.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "harness.hpp"

namespace fstest {
namespace {

std::vector<std::string> args(std::initializer_list<std::string> extra,
                              const std::string& app = test_app()) {
  std::vector<std::string> out = {"-b", "127.0.0.1:0"};
  out.insert(out.end(), extra);
  out.push_back(app);
  return out;
}

TEST(Lifecycle, TtinAndTtouAdjustWorkersNeverBelowOne) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "2"}), 2));
  ASSERT_TRUE(s.wait_workers(2));
  s.signal(SIGTTIN);
  EXPECT_TRUE(s.wait_workers(3));
  s.signal(SIGTTOU);
  EXPECT_TRUE(s.wait_workers(2));
  s.signal(SIGTTOU);
  EXPECT_TRUE(s.wait_workers(1));
  s.signal(SIGTTOU);
  EXPECT_TRUE(s.wait_log("ttou; workers now 1", 2));
  EXPECT_TRUE(s.wait_workers(1));
  EXPECT_EQ(http_get(s.url("/hello")).status, 200);
}

TEST(Lifecycle, MaxRequestsRecyclesGracefully) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, args({"-w", "1", "--max-requests", "3", "--max-requests-jitter", "1"}), 1));
  std::set<std::string> pids;
  for (int i = 0; i < 10; ++i) {
    HttpResult r = http_get(s.url("/pid"));
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.error;
    pids.insert(r.body);
  }
  EXPECT_GE(pids.size(), 3u);
  EXPECT_TRUE(s.wait_log("Autorestarting worker", 2));
}

TEST(Lifecycle, GracefulTermCompletesInFlightRequestsOfThreadedWorkers) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "1", "-k", "threads", "--threads", "4"}), 1));
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 4; ++i)
    calls.push_back(std::async(std::launch::async, [&] { return http_get(s.url("/sleep/1500")); }));
  std::this_thread::sleep_for(500ms);  // the requests are now inside their handlers
  s.signal(SIGTERM);
  for (auto& c : calls) {
    HttpResult r = c.get();
    EXPECT_EQ(r.status, 200) << r.error;
  }
  auto status = s.wait_exit(15000ms);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(Server::exit_code(*status), 0);
}

TEST(Lifecycle, QuitStopsFast) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "1"}), 1));
  auto call = std::async(std::launch::async, [&] { return http_get(s.url("/sleep/5000")); });
  std::this_thread::sleep_for(300ms);
  auto start = std::chrono::steady_clock::now();
  s.signal(SIGQUIT);
  auto status = s.wait_exit(10000ms);
  ASSERT_TRUE(status.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4000ms);
  call.get();
}

TEST(Lifecycle, HupUnderLoadLosesNoRequest) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "2"}), 2));
  ASSERT_TRUE(s.wait_workers(2));
  auto old_workers = s.workers();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  std::mutex mu;
  std::vector<std::string> errors;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      Client c;  // keep-alive, like a real client
      while (!stop) {
        HttpResult r = (t % 2) ? c.get(s.url("/hello")) : http_get(s.url("/hello"));
        if (r.status == 200) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(r.error);
        }
      }
    });
  }
  std::this_thread::sleep_for(500ms);
  s.signal(SIGHUP);
  EXPECT_TRUE(s.wait_log("Reload complete"));
  EXPECT_TRUE(eventually([&] {
    auto now = s.workers();
    return now.size() == 2 && std::none_of(now.begin(), now.end(), [&](pid_t p) {
             return std::find(old_workers.begin(), old_workers.end(), p) != old_workers.end();
           });
  }));
  std::this_thread::sleep_for(500ms);
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(failed.load(), 0) << (errors.empty() ? "" : errors.front());
  EXPECT_GT(ok.load(), 50);
}

TEST(Lifecycle, PreloadRunsInitOnceInMaster) {
  TempDir dir;
  std::string init_log = dir.file("init.log");
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "3", "--preload"}), 3,
                               {{"FORKSAFE_TEST_INIT_LOG", init_log}}));
  EXPECT_EQ(count_lines_with(init_log, "init"), 1);
  EXPECT_EQ(read_file(init_log), "init " + std::to_string(s.pid()) + "\n");
}

TEST(Lifecycle, WithoutPreloadInitRunsInEachWorker) {
  TempDir dir;
  std::string init_log = dir.file("init.log");
  std::string exit_log = dir.file("exit.log");
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, args({"-w", "3"}), 3,
      {{"FORKSAFE_TEST_INIT_LOG", init_log}, {"FORKSAFE_TEST_EXIT_LOG", exit_log}}));
  EXPECT_EQ(count_lines_with(init_log, "init"), 3);
  EXPECT_EQ(read_file(init_log).find(" " + std::to_string(s.pid()) + "\n"), std::string::npos);
  s.signal(SIGTERM);
  ASSERT_TRUE(s.wait_exit().has_value());
  EXPECT_EQ(count_lines_with(exit_log, "worker-exit"), 3);
}

TEST(Lifecycle, WorkerBootFailureHaltsWithCode3) {
  TempDir dir;
  Server s;
  s.start(dir, args({"-w", "2"}), {{"FORKSAFE_TEST_FAIL_WORKER_INIT", "1"}});
  auto status = s.wait_exit(15000ms);
  ASSERT_TRUE(status.has_value()) << s.log();
  EXPECT_EQ(Server::exit_code(*status), 3);
  EXPECT_EQ(s.log_count("Worker failed to boot"), 1);
  EXPECT_LE(s.log_count("worker init refused"), 2) << "no respawn loop";
}

TEST(Lifecycle, AppLoadFailureHaltsWithCode4) {
  for (bool preload : {false, true}) {
    TempDir dir;
    Server s;
    std::vector<std::string> extra = {"-w", "2"};
    if (preload) extra.push_back("--preload");
    std::vector<std::string> a = {"-b", "127.0.0.1:0"};
    a.insert(a.end(), extra.begin(), extra.end());
    a.push_back(test_app());
    s.start(dir, a, {{"FORKSAFE_TEST_FAIL_REGISTER", "1"}});
    auto status = s.wait_exit(15000ms);
    ASSERT_TRUE(status.has_value()) << s.log();
    EXPECT_EQ(Server::exit_code(*status), 4) << s.log();
    EXPECT_GE(s.log_count("registration refused"), 1);
  }
}

std::vector<int> count_visits(const Server& s, int clients, int per_client) {
  std::vector<std::future<std::vector<int>>> futures;
  for (int c = 0; c < clients; ++c) {
    futures.push_back(std::async(std::launch::async, [&s, per_client] {
      std::vector<int> seen;
      Client client;
      for (int i = 0; i < per_client; ++i)
        seen.push_back(std::atoi(client.get(s.url("/")).body.c_str()));
      return seen;
    }));
  }
  std::vector<int> all;
  for (auto& f : futures) {
    auto part = f.get();
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

TEST(CounterExample, CountsWithOneWorkerDivergesWithFour) {
  {
    TempDir dir;
    Server s;
    ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "1"}, counter_app()), 1));
    std::vector<int> expected(40);
    for (int i = 0; i < 40; ++i) expected[static_cast<std::size_t>(i)] = i + 1;
    EXPECT_EQ(count_visits(s, 4, 10), expected) << "one worker: 1, 2, 3, ... 40";
  }
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "4"}, counter_app()), 4));
  // One worker's counter never repeats a value, so a count seen twice, in any round, came from two
  // workers. Rounds go on until that happens (bounded): on a loaded machine one worker can win
  // every accept of a round.
  std::multiset<int> seen;
  bool diverged = eventually([&] {
    for (int count : count_visits(s, 8, 10))
      if (seen.insert(count); seen.count(count) > 1) return true;
    return false;
  });
  EXPECT_TRUE(diverged) << "four workers each keep their own counter";
}

}  // namespace
}  // namespace fstest

namespace fstest {
namespace {

TEST(Lifecycle, CrashLoopIsBackedOffNotSpun) {
  TempDir dir;
  Server s;
  s.start(dir, args({"-w", "1"}), {{"FORKSAFE_TEST_CRASH_WORKER_INIT", "1"}});
  ASSERT_TRUE(s.wait_listening());
  std::this_thread::sleep_for(2500ms);
  int deaths = s.log_count("died unexpectedly");
  EXPECT_GE(deaths, 2);
  EXPECT_LE(deaths, 8) << "backoff (100, 200, 400, 800 ms ...) bounds the respawn rate";
  EXPECT_GE(s.log_count("next spawn in"), 2);
}

TEST(Lifecycle, HupWithPreloadDoesNotRerunInit) {
  TempDir dir;
  std::string init_log = dir.file("init.log");
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"-w", "2", "--preload"}), 2,
                               {{"FORKSAFE_TEST_INIT_LOG", init_log}}));
  s.signal(SIGHUP);
  EXPECT_TRUE(s.wait_log("Reload complete"));
  EXPECT_TRUE(s.wait_log("Booted worker", 4));
  EXPECT_EQ(count_lines_with(init_log, "init"), 1) << "preloaded app is not reloaded";
}

TEST(Lifecycle, FailedReloadKeepsTheOldGeneration) {
  TempDir dir;
  std::string config = dir.file("serve.toml");
  std::ofstream(config) << "workers = 2\n";
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, args({"--config", config}), 2));
  ASSERT_TRUE(s.wait_workers(2));
  auto before = s.workers();
  std::ofstream(config, std::ios::trunc) << "workers = 2\nuser = \"no-such-user-xyz\"\n";
  s.signal(SIGHUP);
  EXPECT_TRUE(s.wait_log("Reload failed"));
  EXPECT_EQ(http_get(s.url("/hello")).status, 200);
  EXPECT_TRUE(s.wait_workers(2));
  auto after = s.workers();
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after) << "the old workers keep serving";
  EXPECT_EQ(s.log_count("shutting down"), 0);
}

}  // namespace
}  // namespace fstest
