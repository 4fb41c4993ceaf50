// edge-gw: API gateway front (Crow). Per-IP token-bucket rate limiting, cookie sessions,
// upstream routing table that ops can patch at runtime, and a toy /fib endpoint for load tests.
#include "crow.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <unordered_map>

using Clock = std::chrono::steady_clock;

struct Bucket {
  double tokens = 10.0;
  Clock::time_point last = Clock::now();
};

static constexpr double kRefillPerSec = 5.0;
static constexpr double kBurst = 10.0;
static std::mutex rate_mu;
static std::unordered_map<std::string, Bucket> rate_buckets;

static bool allow_request(const std::string& ip) {
  std::lock_guard<std::mutex> guard(rate_mu);
  Bucket& b = rate_buckets[ip];
  auto now = Clock::now();
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(kBurst, b.tokens + elapsed * kRefillPerSec);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

struct Session {
  std::string user;
  Clock::time_point expires;
};

static std::map<std::string, Session> sessions;
static std::mt19937_64 token_rng{std::random_device{}()};
static unsigned long long served = 0;

static void count_served() { ++served; }

static std::string new_token() {
  static const char hex[] = "0123456789abcdef";
  std::string t;
  t.reserve(32);
  for (int i = 0; i < 32; ++i) t.push_back(hex[token_rng() & 0xF]);
  return t;
}

static std::shared_mutex config_mu;
static std::unordered_map<std::string, std::string> upstreams = {
    {"users", "http://10.0.0.5:9000"},
    {"orders", "http://10.0.0.6:9000"},
};

static std::string upstream_for(const std::string& svc) {
  std::shared_lock<std::shared_mutex> lk(config_mu);
  auto it = upstreams.find(svc);
  return it == upstreams.end() ? std::string() : it->second;
}

static long fib(int n) {
  static std::unordered_map<int, long> memo;
  if (n < 2) return n;
  auto it = memo.find(n);
  if (it != memo.end()) return it->second;
  long v = fib(n - 1) + fib(n - 2);
  memo[n] = v;
  return v;
}

int main() {
  crow::SimpleApp app;

  CROW_ROUTE(app, "/login").methods("POST"_method)([](const crow::request& req) {
    count_served();
    if (!allow_request(req.remote_ip_address)) return crow::response(429);
    std::string user = req.get_header_value("X-User");
    if (user.empty()) return crow::response(400, "missing user");
    std::string tok = new_token();
    sessions[tok] = Session{user, Clock::now() + std::chrono::hours(1)};
    crow::response res(200, tok);
    res.set_header("Set-Cookie", "sid=" + tok + "; HttpOnly");
    return res;
  });

  CROW_ROUTE(app, "/logout").methods("POST"_method)([](const crow::request& req) {
    count_served();
    sessions.erase(req.get_header_value("X-Session"));
    return crow::response(204);
  });

  CROW_ROUTE(app, "/whoami")([](const crow::request& req) {
    count_served();
    auto it = sessions.find(req.get_header_value("X-Session"));
    if (it == sessions.end() || it->second.expires < Clock::now()) return crow::response(401);
    return crow::response(200, it->second.user);
  });

  CROW_ROUTE(app, "/route/<string>")([](const crow::request& req, std::string svc) {
    count_served();
    if (!allow_request(req.remote_ip_address)) return crow::response(429);
    std::string target = upstream_for(svc);
    if (target.empty()) return crow::response(404);
    crow::response res(307);
    res.set_header("Location", target + req.url);
    return res;
  });

  CROW_ROUTE(app, "/admin/upstreams").methods("PUT"_method)([](const crow::request& req) {
    auto eq = req.body.find('=');
    if (eq == std::string::npos) return crow::response(400, "expected name=url");
    std::unique_lock<std::shared_mutex> lk(config_mu);
    upstreams[req.body.substr(0, eq)] = req.body.substr(eq + 1);
    return crow::response(204);
  });

  CROW_ROUTE(app, "/fib/<int>")([](int n) {
    if (n < 0 || n > 90) return crow::response(400);
    return crow::response(200, std::to_string(fib(n)));
  });

  CROW_ROUTE(app, "/healthz")([] { return crow::response(200, "ok " + std::to_string(served)); });

  app.port(18080).multithreaded().run();
}
