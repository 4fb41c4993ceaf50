// sho.rt: a tiny URL shortener on cpp-httplib.
//
//   POST /api/links        body = long URL      -> 201 short URL
//   GET  /<code>                                -> 302 to the long URL
//   GET  /api/stats                             -> JSON counters
//   GET  /api/lucky                             -> a random existing-looking code
#include "httplib.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::size_t kAlphabetSize = sizeof(kAlphabet) - 1;
const std::string kBaseUrl = "https://sho.rt/";

struct Settings {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::size_t max_url_len = 2048;
};
Settings g_settings;

std::unordered_map<std::string, std::string> g_links;
std::uint64_t g_next_id = 100000;
std::atomic<std::uint64_t> g_total_hits{0};
std::mutex g_clicks_mu;
std::unordered_map<std::string, std::uint64_t> g_clicks;
FILE* g_access_log = nullptr;
std::string g_last_error;

std::string encode_base62(std::uint64_t n) {
  std::string out;
  do {
    out.insert(out.begin(), kAlphabet[n % kAlphabetSize]);
    n /= kAlphabetSize;
  } while (n != 0);
  return out;
}

std::string next_code() { return encode_base62(g_next_id++); }

bool looks_like_url(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

void log_access(const httplib::Request& req, int status) {
  if (g_access_log == nullptr) return;
  std::fprintf(g_access_log, "%s %s %s %d\n", req.remote_addr.c_str(), req.method.c_str(),
               req.path.c_str(), status);
  std::fflush(g_access_log);
}

void parse_args(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") {
      g_settings.port = std::atoi(argv[i + 1]);
    } else if (flag == "--host") {
      g_settings.host = argv[i + 1];
    } else if (flag == "--max-url") {
      g_settings.max_url_len = static_cast<std::size_t>(std::atol(argv[i + 1]));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  parse_args(argc, argv);
  std::srand(static_cast<unsigned>(std::time(nullptr)));
  g_access_log = std::fopen("/var/log/shortener/access.log", "a");

  httplib::Server svr;

  svr.Post("/api/links", [](const httplib::Request& req, httplib::Response& res) {
    if (req.body.size() > g_settings.max_url_len || !looks_like_url(req.body)) {
      g_last_error = "rejected url from " + req.remote_addr;
      res.status = 400;
      log_access(req, res.status);
      return;
    }
    std::string code = next_code();
    g_links[code] = req.body;
    res.status = 201;
    res.set_content(kBaseUrl + code, "text/plain");
    log_access(req, res.status);
  });

  svr.Get(R"(/(\w+))", [](const httplib::Request& req, httplib::Response& res) {
    g_total_hits.fetch_add(1, std::memory_order_relaxed);
    const std::string& code = req.matches.at(1);
    auto it = g_links.find(code);
    if (it == g_links.end()) {
      res.status = 404;
      log_access(req, res.status);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(g_clicks_mu);
      ++g_clicks[code];
    }
    res.set_redirect(it->second);
    log_access(req, res.status);
  });

  svr.Get("/api/stats", [](const httplib::Request&, httplib::Response& res) {
    std::size_t clicked = 0;
    {
      std::lock_guard<std::mutex> lock(g_clicks_mu);
      clicked = g_clicks.size();
    }
    std::string body = "{\"hits\":" + std::to_string(g_total_hits.load()) +
                       ",\"links\":" + std::to_string(g_links.size()) +
                       ",\"clicked\":" + std::to_string(clicked) + ",\"last_error\":\"" +
                       g_last_error + "\"}";
    res.set_content(body, "application/json");
  });

  svr.Get("/api/lucky", [](const httplib::Request&, httplib::Response& res) {
    // "I'm feeling lucky": libc rand() is good enough for this.
    int r = std::rand();
    res.set_content(kBaseUrl + encode_base62(static_cast<std::uint64_t>(r) % 1000000), "text/plain");
  });

  std::printf("sho.rt listening on %s:%d\n", g_settings.host.c_str(), g_settings.port);
  return svr.listen(g_settings.host, g_settings.port) ? 0 : 1;
}
