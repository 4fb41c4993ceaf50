// Unit tests for the server's building blocks: listeners, scoreboard + metrics, access log format.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "listeners.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "scoreboard.hpp"

namespace fs = forksafe::serve;

namespace {

// The contents of a temporary file, which is removed.
std::string take_file(const char* path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  ::unlink(path);
  return ss.str();
}

TEST(Listeners, BindsEphemeralLoopbackPorts) {
  std::string error;
  fs::Listener v4 = fs::bind_listener("127.0.0.1:0", 16, &error);
  ASSERT_TRUE(v4.fd) << error;
  EXPECT_EQ(v4.name.rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_NE(v4.name, "http://127.0.0.1:0");
  fs::Listener v6 = fs::bind_listener("[::1]:0", 16, &error);
  if (v6.fd) {
    EXPECT_EQ(v6.name.rfind("http://[::1]:", 0), 0u);
  }
}

TEST(Listeners, BadSpecsAreExplained) {
  for (const char* spec : {"nonsense", "127.0.0.1:99999", "127.0.0.1:abc", "[::1:80"}) {
    std::string error;
    fs::Listener l = fs::bind_listener(spec, 16, &error);
    EXPECT_FALSE(l.fd) << spec;
    EXPECT_EQ(error.rfind("cannot ", 0), 0u) << error;
  }
}

TEST(Scoreboard, RecordsAndRendersPrometheusText) {
  fs::Scoreboard board;
  std::string error;
  ASSERT_TRUE(board.create(4, &error)) << error;
  board.slot(1).pid.store(1234);
  board.slot(1).record(200, 500);
  board.slot(1).record(200, 2000);
  board.slot(1).record(404, 20000000);
  fs::MasterCounters counters;
  counters.workers_alive = 1;
  counters.worker_restarts = 2;
  std::string text = fs::render_metrics(board, counters);
  EXPECT_NE(text.find("forksafe_requests_total{worker=\"1\",status=\"200\"} 2"), std::string::npos);
  EXPECT_NE(text.find("forksafe_requests_total{worker=\"1\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("forksafe_request_duration_seconds_bucket{le=\"0.001\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("forksafe_request_duration_seconds_bucket{le=\"+Inf\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("forksafe_request_duration_seconds_count 3"), std::string::npos);
  EXPECT_NE(text.find("forksafe_worker_restarts_total 2"), std::string::npos);
}

TEST(AccessLog, FormatsDirectives) {
  char path[] = "/tmp/forksafe-access-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    fs::AccessLog log(path, "%h \"%r\" %>s %b %m %U%q %R %{X-Id}i %{X-Out}o %% %Z");
    std::string error;
    ASSERT_TRUE(log.reopen(&error)) << error;
    forksafe::Headers in, out;
    in.add("X-Id", "abc");
    out.add("X-Out", "def");
    fs::AccessRecord r;
    r.peer_host = "127.0.0.1";
    r.method = "GET";
    r.target = "/u/1?x=2";
    r.path = "/u/1";
    r.query = "x=2";
    r.status = 200;
    r.body_bytes = 0;
    r.route = "/u/:id";
    r.request_headers = &in;
    r.response_headers = &out;
    fs::ErrorLog errors;
    log.record(r, errors);
    log.flush(errors);
  }
  EXPECT_EQ(take_file(path),
            "127.0.0.1 \"GET /u/1?x=2 HTTP/1.1\" 200 - GET /u/1?x=2 /u/:id abc def % %Z\n");
}

TEST(AccessLog, WriteFailureIsReportedOncePerEpisodeAndNeverThrows) {
  char path[] = "/tmp/forksafe-errors-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    fs::ErrorLog errors(path, fs::Level::kInfo);
    std::string error;
    ASSERT_TRUE(errors.reopen(&error)) << error;
    fs::AccessLog log("/dev/full", "%m %U");  // every write fails with ENOSPC
    ASSERT_TRUE(log.reopen(&error)) << error;
    fs::AccessRecord r;
    r.method = "GET";
    r.path = "/";
    for (int i = 0; i < 5; ++i) {
      log.record(r, errors);
      log.flush(errors);
    }
  }
  std::string text = take_file(path);
  EXPECT_NE(text.find("cannot write access log '/dev/full': No space left on device"),
            std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "one report per episode:\n" << text;
}

}  // namespace
