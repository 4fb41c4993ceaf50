// forksafe::shared under forksafe-serve with 4 real workers: no lost increment under concurrent
// load, workers killed with SIGKILL in the middle of writes, state kept across HUP, metrics, and
// an unreachable Redis answered with 503.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <string>
#include <thread>

#include "harness.hpp"
#include "load.hpp"
#include "redis_server.hpp"

namespace {

using namespace fstest;

std::string shared_app() { return FORKSAFE_SHARED_APP; }

long as_number(const HttpResult& r) { return r.status == 200 ? std::stol(r.body) : -1; }

TEST(SharedServe, FourWorkersLoseNoIncrementUnderLoad) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-w", "4", shared_app()}, 4));
  Load load(s.url("/count"), 8);
  std::this_thread::sleep_for(scaled(1500ms));
  load.stop();
  ASSERT_TRUE(load.failures().empty()) << load.failures().front().error;
  ASSERT_GT(load.succeeded(), 100);
  EXPECT_EQ(as_number(http_get(s.url("/total"))), load.succeeded());
}

// -k threads: handler threads of one worker share its objects (ctest -L threads, TSan).
TEST(SharedServe, ThreadedWorkersLoseNoUpdate) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "2", "-k", "threads", "--threads", "4", shared_app()}, 2));
  Load load(s.url("/churn"), 6);
  std::this_thread::sleep_for(scaled(1000ms));
  load.stop();
  ASSERT_TRUE(load.failures().empty()) << load.failures().front().error;
  ASSERT_GT(load.succeeded(), 5);
  EXPECT_EQ(as_number(http_get(s.url("/total"))), load.succeeded());
  EXPECT_EQ(http_get(s.url("/check")).body, "ok\n");
}

TEST(SharedServe, WorkersKilledMidWriteLeaveNoLockHeldAndNoBrokenMap) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-w", "4", shared_app()}, 4));
  {
    Load load(s.url("/churn"), 4);
    for (int i = 0; i < 8; ++i) {
      std::this_thread::sleep_for(150ms);
      auto workers = s.workers();
      if (!workers.empty()) ::kill(workers[static_cast<std::size_t>(i) % workers.size()], SIGKILL);
    }
    load.stop();
  }
  ASSERT_TRUE(s.wait_workers(4));
  // Every worker can still take every lock, and the structure is whole.
  for (int i = 0; i < 8; ++i) EXPECT_EQ(http_get(s.url("/check")).body, "ok\n");
  EXPECT_EQ(http_get(s.url("/put/after/kill")).status, 200);
  EXPECT_EQ(http_get(s.url("/get/after")).body, "kill\n");
  const long before = as_number(http_get(s.url("/total")));
  EXPECT_EQ(as_number(http_get(s.url("/count"))), before + 1);
}

TEST(SharedServe, HupKeepsTheState) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-w", "2", shared_app()}, 2));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(as_number(http_get(s.url("/count"))), i);
  EXPECT_EQ(http_get(s.url("/put/user/ada")).status, 200);
  const auto old_workers = s.workers();
  s.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    auto now = s.workers();
    if (now.size() != 2) return false;
    for (pid_t p : now)
      for (pid_t o : old_workers)
        if (p == o) return false;
    return true;
  }));
  EXPECT_EQ(as_number(http_get(s.url("/count"))), 4);
  EXPECT_EQ(http_get(s.url("/get/user")).body, "ada\n");
}

TEST(SharedServe, MetricsShowTheArena) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir,
      {"-b", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0", "--shared-memory", "8M", shared_app()},
      1));
  for (const char* k : {"a", "b", "c"}) http_get(s.url(std::string("/put/") + k + "/v"));
  std::smatch m;
  std::string log = s.log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Metrics at: (http://127\.0\.0\.1:\d+))")));
  std::string body = http_get(std::string(m[1]) + "/metrics").body;
  EXPECT_NE(body.find("forksafe_shared_entries 3\n"), std::string::npos) << body;
  EXPECT_NE(body.find("forksafe_shared_bytes_total 8388608\n"), std::string::npos);
  EXPECT_NE(body.find("forksafe_shared_objects 2\n"), std::string::npos);
  EXPECT_NE(body.find("forksafe_shared_lock_recoveries_total 0\n"), std::string::npos);
  EXPECT_NE(body.find("forksafe_shared_evictions_total 0\n"), std::string::npos);
}

TEST(SharedServe, VerifyDoesNotCountTheArenaAsAppDataAndReportsItsUse) {
  TempDir dir;
  Server s;
  const std::string report = dir.file("report.json");
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "2", "--verify=" + report, shared_app()}, 2));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(http_get(s.url("/count")).status, 200);
  EXPECT_EQ(http_get(s.url("/put/a/b")).status, 200);
  s.signal(SIGTERM);
  ASSERT_TRUE(s.wait_exit());
  const std::string json = read_file(report);
  EXPECT_NE(json.find("\"mutations\": []"), std::string::npos) << json;
  EXPECT_NE(json.find("\"shared_store\": {"), std::string::npos) << json;
  EXPECT_NE(json.find("\"entries\": 1"), std::string::npos) << json;
  EXPECT_NE(s.log().find("shared state (forksafe::shared, not app data): shm arena"),
            std::string::npos)
      << s.log();
}

TEST(SharedServe, RedisStoreSurvivesARedisRestartAnd503sWhileItIsDown) {
  RedisServer redis;
  ASSERT_TRUE(redis.start());
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-w", "2", "--shared-store", redis.url(), shared_app()}, 2));
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(as_number(http_get(s.url("/count"))), i);
  EXPECT_EQ(http_get(s.url("/put/user/ada")).status, 200);
  EXPECT_EQ(http_get(s.url("/get/user")).body, "ada\n");
  redis.stop();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(http_get(s.url("/count")).status, 503);
  ASSERT_TRUE(redis.start());  // empty: no persistence
  // Each worker reconnects on its own next request after its back-off, so any one request may
  // still meet a worker that has not: what must hold is that every request eventually succeeds.
  EXPECT_TRUE(eventually([&] { return http_get(s.url("/count")).status == 200; }));
  EXPECT_TRUE(eventually([&] { return http_get(s.url("/put/user/bob")).status == 200; }));
  EXPECT_TRUE(eventually([&] { return http_get(s.url("/get/user")).body == "bob\n"; }));
  EXPECT_GE(s.log_count("cannot reach the shared store unix:"), 1) << s.log();  // the 503s' cause
}

TEST(SharedServe, AFullArenaIsAClearErrorAndTheRestKeepsWorking) {
  TempDir dir;
  Server s;
  // The app's map (256 entries of 4 KiB) does not fit in 1 MiB; its counter does.
  ASSERT_TRUE(
      s.start_and_wait(dir, {"-b", "127.0.0.1:0", "--shared-memory", "1M", shared_app()}, 1));
  EXPECT_EQ(as_number(http_get(s.url("/count"))), 1);
  EXPECT_EQ(http_get(s.url("/put/a/b")).status, 500);
  EXPECT_TRUE(s.wait_log("cannot create shared map 'items': it needs")) << s.log();
  EXPECT_GE(s.log_count("(raise --shared-memory)"), 1);
  EXPECT_EQ(as_number(http_get(s.url("/count"))), 2);
}

TEST(SharedServe, UnreachableRedisIsA503) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "--shared-store", "unix:" + dir.file("none.sock"), shared_app()},
      1));
  HttpResult r = http_get(s.url("/count"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "Service Unavailable\n");
}

TEST(SharedServe, BadSharedSettingsExitWithUsageError) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--shared-memory", "lots"},
        std::vector<std::string>{"--shared-memory", "1K"},
        std::vector<std::string>{"--shared-store", "http://x"}}) {
    TempDir dir;
    Server s;
    std::vector<std::string> args{"-b", "127.0.0.1:0"};
    args.insert(args.end(), bad.begin(), bad.end());
    args.push_back(shared_app());
    s.start(dir, args);
    auto status = s.wait_exit();
    ASSERT_TRUE(status);
    EXPECT_EQ(Server::exit_code(*status), 2) << bad[1];
    EXPECT_NE(s.log().find("cannot use " + bad[0] + " '" + bad[1] + "'"), std::string::npos)
        << s.log();
  }
}

}  // namespace
