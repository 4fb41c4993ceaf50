// HTTP/1.1 behaviour of a real forksafe-serve process: routing, keep-alive, pipelining, chunked
// bodies, 100-continue, HEAD, limits, framing attacks, timeouts, and the three worker types.
#include <gtest/gtest.h>

#include <future>
#include <regex>

#include "harness.hpp"

namespace fstest {
namespace {

const std::string kGet = "GET /users/1 HTTP/1.1\r\nHost: t\r\n\r\n";

class HttpTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        server_.start_and_wait(dir_,
                               {"-b", "127.0.0.1:0", "-k", GetParam(), "--threads", "4",
                                "--limit-request-body", "1000", "--keep-alive", "5", test_app()},
                               1));
  }
  bool sync() const { return std::string(GetParam()) == "sync"; }
  TempDir dir_;
  Server server_;
};

TEST_P(HttpTest, RoutingAndParameters) {
  HttpResult r = http_get(server_.url("/users/42"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "user 42");
  EXPECT_EQ(http_get(server_.url("/query?q=a%20b+c")).body, "a b c");
  EXPECT_EQ(http_get(server_.url("/missing")).status, 404);
  Client c;
  HttpRequest post;
  post.method = "POST";
  post.url = server_.url("/users/1");
  HttpResult not_allowed = c.perform(post);
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_NE(not_allowed.headers.find("Allow: GET, DELETE"), std::string::npos);
  HttpRequest head;
  head.method = "HEAD";
  head.url = server_.url("/hello");
  HttpResult h = c.perform(head);
  EXPECT_EQ(h.status, 200);
  EXPECT_TRUE(h.body.empty());
  EXPECT_NE(h.headers.find("Content-Length: 5"), std::string::npos);
}

TEST_P(HttpTest, KeepAliveReusesTheConnection) {
  Client c;
  HttpResult first = c.get(server_.url("/hello"));
  HttpResult second = c.get(server_.url("/hello"));
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.new_connections, 1);
  if (sync()) {
    EXPECT_NE(first.headers.find("Connection: close"), std::string::npos);
    EXPECT_EQ(second.new_connections, 1);
  } else {
    EXPECT_EQ(second.new_connections, 0);
  }
}

TEST_P(HttpTest, PipelinedResponsesComeBackInOrder) {
  RawConn conn(server_.port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      conn.send("GET /sleep/50 HTTP/1.1\r\nHost: t\r\n\r\n"
                "GET /users/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                "GET /users/3 HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto responses = parse_responses(conn.read_responses(sync() ? 1 : 3));
  if (sync()) {  // one request per connection
    ASSERT_EQ(responses.size(), 1u);
    EXPECT_EQ(responses[0].second.rfind("slept 50", 0), 0u);
    return;
  }
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].second.rfind("slept 50", 0), 0u);
  EXPECT_EQ(responses[1].second, "user 2");
  EXPECT_EQ(responses[2].second, "user 3");
}

TEST_P(HttpTest, ChunkedBodyAndContinue) {
  RawConn conn(server_.port());
  ASSERT_TRUE(
      conn.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                "Expect: 100-continue\r\n\r\n"));
  std::string interim =
      conn.read_until([](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u);
  ASSERT_TRUE(conn.send("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"));
  auto responses = parse_responses(conn.read_responses(1));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].first, 200);
  EXPECT_EQ(responses[0].second, "hello, world");
}

TEST_P(HttpTest, LimitsAnswer400And431And413) {
  auto one = [&](const std::string& wire) {
    RawConn conn(server_.port());
    conn.send(wire);
    auto responses = parse_responses(conn.read_responses(1));
    bool closed = conn.wait_closed(5000ms);
    EXPECT_TRUE(closed) << "connection should close after a protocol error";
    return responses.empty() ? 0 : responses[0].first;
  };
  EXPECT_EQ(one("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n"), 400);
  std::string many = "GET / HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(one(many + "\r\n"), 431);
  EXPECT_EQ(one("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n"), 431);
  EXPECT_EQ(one("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
                std::string(5000, 'x')),
            413);
  EXPECT_EQ(one("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                "800\r\n" +
                std::string(2048, 'x') + "\r\n0\r\n\r\n"),
            413);
  HttpRequest ok;
  ok.method = "POST";
  ok.url = server_.url("/echo");
  ok.body = std::string(1000, 'k');
  EXPECT_EQ(Client().perform(ok).status, 200);
}

TEST_P(HttpTest, AmbiguousFramingIsRejected) {
  auto status_of = [&](const std::string& wire) {
    RawConn conn(server_.port());
    conn.send(wire);
    auto responses = parse_responses(conn.read_responses(2, 3000ms));
    EXPECT_LE(responses.size(), 1u) << "a smuggled second request was answered";
    return responses.empty() ? 0 : responses[0].first;
  };
  const std::string smuggled = "GET /users/666 HTTP/1.1\r\nHost: t\r\n\r\n";
  EXPECT_EQ(status_of("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n0\r\n\r\n" +
                      smuggled),
            400);
  EXPECT_EQ(
      status_of(
          "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n" +
          smuggled),
      400);
  EXPECT_EQ(status_of("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: +4\r\n\r\n" + smuggled),
            400);
  EXPECT_EQ(status_of("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" +
                      smuggled),
            400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);  // two Host
  EXPECT_EQ(status_of("GET /hello HTTP/1.1\r\n\r\n"), 200);  // no Host: accepted, like Gunicorn
}

TEST_P(HttpTest, HandlerExceptionIs500AndWorkerKeepsServing) {
  std::string pid_before = http_get(server_.url("/pid")).body;
  HttpResult r = http_get(server_.url("/throw"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(http_get(server_.url("/pid")).body, pid_before);
  EXPECT_TRUE(server_.wait_log("secret internal detail"));
  EXPECT_TRUE(server_.wait_log("route /throw"));
}

INSTANTIATE_TEST_SUITE_P(WorkerTypes, HttpTest, ::testing::Values("event", "sync", "threads"));

TEST(HttpTimeouts, IdleAndHeaderTimeoutsOnEveryWorkerType) {
  for (const char* kind : {"event", "sync", "threads"}) {
    TempDir dir;
    Server server;
    ASSERT_TRUE(server.start_and_wait(
        dir,
        {"-b", "127.0.0.1:0", "-k", kind, "--keep-alive", "1", "--header-timeout", "1", test_app()},
        1));
    RawConn idle(server.port());
    ASSERT_TRUE(idle.send(kGet));
    EXPECT_EQ(parse_responses(idle.read_responses(1)).size(), 1u) << kind;
    EXPECT_TRUE(idle.wait_closed(5000ms)) << kind << ": idle connection should be closed";
    RawConn slow(server.port());
    ASSERT_TRUE(slow.send("GET /users/1 HTTP/1.1\r\nHost: t\r\n"));  // never finishes its headers
    auto responses = parse_responses(slow.read_responses(1, 5000ms));
    ASSERT_EQ(responses.size(), 1u) << kind;
    EXPECT_EQ(responses[0].first, 408) << kind;
    EXPECT_TRUE(slow.wait_closed(5000ms)) << kind;
  }
}

TEST(HttpThreads, SlowHandlersRunConcurrently) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(server.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-k", "threads", "--threads", "4", test_app()}, 1));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 4; ++i)
    calls.push_back(
        std::async(std::launch::async, [&] { return http_get(server.url("/sleep/800")); }));
  for (auto& c : calls) EXPECT_EQ(c.get().status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3000ms)
      << "4 x 800 ms handlers did not overlap";
}

TEST(HttpListeners, Ipv6AndUnixSocket) {
  TempDir dir;
  Server server;
  std::string sock = dir.file("app.sock");
  ASSERT_TRUE(server.start_and_wait(
      dir, {"-b", "127.0.0.1:0", "-b", "[::1]:0", "-b", "unix:" + sock, test_app()}, 1));
  HttpRequest viaunix;
  viaunix.url = "http://localhost/users/9";
  viaunix.unix_socket = sock;
  EXPECT_EQ(Client().perform(viaunix).body, "user 9");
  std::smatch m;
  std::string log = server.log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(Listening at: http://\[::1\]:(\d+))")));
  RawConn v6(std::stoi(m[1]), "::1");
  ASSERT_TRUE(v6.ok());
  v6.send(kGet);
  auto responses = parse_responses(v6.read_responses(1));
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].second, "user 1");
}

}  // namespace
}  // namespace fstest

namespace fstest {
namespace {

TEST(HttpBodies, LargeBodiesRoundTripOnEveryWorkerType) {
  std::string body(900000, 'x');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7919) % 26);
  for (const char* kind : {"event", "sync", "threads"}) {
    TempDir dir;
    Server s;
    ASSERT_TRUE(s.start_and_wait(dir, {"-b", "127.0.0.1:0", "-k", kind, test_app()}, 1));
    Client c;
    for (bool expect_continue : {false, true}) {
      HttpRequest req;
      req.method = "POST";
      req.url = s.url("/echo");
      req.body = body;
      if (!expect_continue) req.headers = {"Expect:"};  // libcurl adds 100-continue by default
      HttpResult r = c.perform(req);
      ASSERT_EQ(r.status, 200) << kind << ": " << r.error;
      EXPECT_EQ(r.body.size(), body.size()) << kind;
      EXPECT_TRUE(r.body == body) << kind;
    }
  }
}

}  // namespace
}  // namespace fstest
