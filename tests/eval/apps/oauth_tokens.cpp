// tokend: OAuth2-ish token endpoint (client-credentials grant), cpp-httplib.
#include "httplib.h"
#include "libpq-fe.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace auth {

struct TokenInfo {
  std::string client;
  std::string scope;
  std::time_t expires;
};

constexpr std::time_t kTokenTtl = 3600;

std::string g_signing_key;
const unsigned char* g_key_bytes = nullptr;
std::size_t g_key_len = 0;
std::mt19937_64 g_token_rng;
std::shared_mutex g_tokens_mu;
std::unordered_map<std::string, TokenInfo> g_tokens;
std::unordered_map<std::string, std::time_t> g_last_seen;
std::set<std::string> g_revoked;
std::atomic<unsigned> g_issued{0};
PGconn* g_pg = nullptr;
std::once_flag g_jwks_once;
std::string g_jwks_json;

std::map<std::string, int>& client_counts() {
  static std::map<std::string, int> counts;
  return counts;
}

std::string random_hex(std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) s += digits[g_token_rng() % 16];
  return s;
}

std::string sign(const std::string& payload) {
  unsigned long h = 1469598103934665603ul;
  for (char c : payload) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ul;
  for (std::size_t i = 0; i < g_key_len; ++i) h = (h ^ g_key_bytes[i]) * 1099511628211ul;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016lx", h);
  return buf;
}

void audit(const std::string& what, const std::string& client) {
  static pid_t worker_pid = getpid();
  std::string sql = "INSERT INTO audit(pid, what, client) VALUES(" + std::to_string(worker_pid) +
                    ",'" + what + "','" + client + "')";
  PQclear(PQexec(g_pg, sql.c_str()));
}

const std::string& jwks() {
  std::call_once(g_jwks_once, [] {
    g_jwks_json = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"" + sign("kid") + "\"}]}";
  });
  return g_jwks_json;
}

}  // namespace auth

int main() {
  using namespace auth;
  const char* key = std::getenv("TOKEND_SIGNING_KEY");
  g_signing_key = key != nullptr ? key : "dev-only-key";
  g_key_bytes = reinterpret_cast<const unsigned char*>(g_signing_key.data());
  g_key_len = g_signing_key.size();
  g_token_rng.seed(std::random_device{}());
  g_pg = PQconnectdb("host=pg.internal dbname=tokend");

  httplib::Server svr;

  svr.Post("/oauth/token", [](const httplib::Request& req, httplib::Response& res) {
    std::string client = req.get_param_value("client_id");
    if (client.empty()) {
      res.status = 400;
      return;
    }
    client_counts()[client]++;
    std::string token = random_hex(32);
    std::string body = token + "." + sign(token);
    {
      std::unique_lock<std::shared_mutex> lk(g_tokens_mu);
      g_tokens[token] = TokenInfo{client, req.get_param_value("scope"), std::time(nullptr) + kTokenTtl};
    }
    g_issued++;
    audit("issue", client);
    res.set_content("{\"access_token\":\"" + body + "\",\"expires_in\":3600}", "application/json");
  });

  svr.Post("/oauth/revoke", [](const httplib::Request& req, httplib::Response& res) {
    g_revoked.insert(req.get_param_value("token"));
    audit("revoke", req.get_param_value("client_id"));
    res.status = 200;
  });

  svr.Post("/oauth/introspect", [](const httplib::Request& req, httplib::Response& res) {
    std::string token = req.get_param_value("token");
    bool active = false;
    if (g_revoked.count(token) == 0) {
      std::shared_lock<std::shared_mutex> lk(g_tokens_mu);
      auto it = g_tokens.find(token);
      if (it != g_tokens.end() && it->second.expires > std::time(nullptr)) {
        active = true;
        g_last_seen[token] = std::time(nullptr);
      }
    }
    res.set_content(active ? "{\"active\":true}" : "{\"active\":false}", "application/json");
  });

  svr.Get("/.well-known/jwks.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(jwks(), "application/json");
  });

  svr.Get("/stats", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("issued " + std::to_string(g_issued.load()), "text/plain");
  });

  return svr.listen("0.0.0.0", 8443) ? 0 : 1;
}
