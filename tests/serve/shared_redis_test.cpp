// forksafe::shared on the redis backend, against a real redis-server on a temporary unix socket:
// the same semantics as shm, transactions under contention, connections after fork, the server
// going down (forksafe::Unavailable) and coming back.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "forksafe/shared.hpp"
#include "redis_server.hpp"

namespace {

using forksafe::shared::Counter;
using forksafe::shared::Map;
using forksafe::shared::MapOptions;
using fstest::RedisServer;
using namespace std::chrono_literals;

class SharedRedis : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "cannot start " FORKSAFE_REDIS_SERVER;
    store_ = forksafe::shared::open(server_.url());
  }
  RedisServer server_;
  std::shared_ptr<forksafe::shared::Store> store_;
};

std::optional<std::string> plus_one(std::optional<std::string_view> v) {
  return std::to_string(v ? std::stoll(std::string(*v)) + 1 : 1);
}

TEST_F(SharedRedis, CounterAddGetCompareAndSet) {
  Counter c("hits", store_);
  EXPECT_EQ(c.get(), 0);
  EXPECT_EQ(c.add(), 1);
  EXPECT_EQ(c.add(41), 42);
  EXPECT_FALSE(c.compare_and_set(7, 8));
  EXPECT_TRUE(c.compare_and_set(42, -5));
  EXPECT_EQ(Counter("hits", store_).get(), -5);
}

TEST_F(SharedRedis, MapSemanticsMatchShm) {
  MapOptions o;
  o.max_entries = 3;
  o.max_value_bytes = 10;
  Map m("m", o, store_);
  m.put(std::string("bin\0k", 5), std::string("v\0w", 3));
  EXPECT_EQ(*m.get(std::string("bin\0k", 5)), std::string("v\0w", 3));
  EXPECT_THROW(m.put("k", std::string(11, 'x')), forksafe::shared::Error);
  EXPECT_FALSE(m.get("k"));
  EXPECT_EQ(*m.update("n", plus_one), "1");
  EXPECT_EQ(*m.update("n", plus_one), "2");
  EXPECT_THROW(
      m.update("n", [](auto) -> std::optional<std::string> { throw std::runtime_error("x"); }),
      std::runtime_error);
  EXPECT_EQ(*m.get("n"), "2");
  m.put("c", "c");
  EXPECT_THROW(m.put("d", "d"), forksafe::shared::Error);  // full, no eviction
  EXPECT_TRUE(m.erase("c"));
  EXPECT_FALSE(m.erase("c"));
  EXPECT_FALSE(m.update("n", [](auto) { return std::optional<std::string>(); }));
  EXPECT_EQ(m.size(), 1u);
}

TEST_F(SharedRedis, EvictsLeastRecentlyUsedAndExpires) {
  MapOptions o;
  o.max_entries = 3;
  o.evict_lru = true;
  Map m("lru", o, store_);
  m.put("a", "1");
  m.put("b", "2");
  m.put("c", "3");
  EXPECT_TRUE(m.get("a"));
  m.put("d", "4");  // evicts b
  EXPECT_FALSE(m.get("b"));
  EXPECT_TRUE(m.get("a") && m.get("c") && m.get("d"));
  m.put("ttl", "x", 400ms);  // evicts the least recent
  EXPECT_EQ(m.get("ttl"), std::optional<std::string>("x"));
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(m.get("ttl"));
}

TEST_F(SharedRedis, FourProcessesLoseNoUpdate) {
  Counter c("n", store_);
  Map m("m", {}, store_);
  EXPECT_EQ(c.add(0), 0);  // the parent connects first: children must not use its connection
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::alarm(30);
      try {
        for (int k = 0; k < 150; ++k) {
          c.add();
          m.update("total", plus_one);
        }
      } catch (...) {
        ::_exit(1);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(c.get(), 600);
  EXPECT_EQ(*m.get("total"), "600");
}

TEST_F(SharedRedis, ServerDownIsUnavailableThenRecovers) {
  Counter c("up", store_);
  EXPECT_EQ(c.add(), 1);
  server_.stop();
  EXPECT_THROW(c.add(), forksafe::Unavailable);
  // Within the backoff, failing fast rather than waiting on the socket again.
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(c.get(), forksafe::Unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  ASSERT_TRUE(server_.start());
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    try {
      back = c.add() == 1;  // a fresh server without persistence starts from zero
    } catch (const forksafe::Unavailable&) {
      std::this_thread::sleep_for(50ms);
    }
  }
  EXPECT_TRUE(back);
}

TEST(SharedRedisUrl, UnreachableServerIsUnavailableNotAHang) {
  auto store = forksafe::shared::open("unix:/nonexistent/forksafe-redis.sock");
  Counter c("x", store);  // constructing never connects
  EXPECT_THROW(c.add(), forksafe::Unavailable);
}

}  // namespace
