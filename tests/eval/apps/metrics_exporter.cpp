// probe-exporter: Prometheus-style exporter that probes a list of targets and exposes latency
// histograms. cpp-httplib, handlers registered as lambdas in main().
#include "httplib.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<double, 8> kBucketBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};

struct LatencyHistogram {
  std::array<std::uint64_t, kBucketBounds.size() + 1> counts{};
  double sum = 0;
  std::uint64_t n = 0;
};

struct ErrorCounters {
  unsigned long timeouts;
  unsigned long refused;
  unsigned long dns;
};

LatencyHistogram g_latency;
ErrorCounters g_errors;
std::atomic<std::uint64_t> g_requests_total{0};
std::array<std::atomic<std::uint64_t>, 6> g_status_classes{};
const pid_t g_boot_pid = getpid();
pid_t g_pid = getpid();
pid_t g_master_pid = 0;
std::string g_hostname;
std::mutex g_labels_mu;
std::vector<std::string> g_label_sets;
std::vector<std::string> g_active_targets;
std::vector<std::string> g_pending_targets;
Clock::time_point g_last_scrape;
std::thread g_scraper;

void flush_loop() {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(10));
    std::fflush(nullptr);
  }
}

const bool g_flusher_started = [] {
  std::thread(flush_loop).detach();
  return true;
}();

void observe(double seconds) {
  std::size_t i = 0;
  while (i < kBucketBounds.size() && seconds > kBucketBounds[i]) ++i;
  g_latency.counts[i]++;
  g_latency.sum += seconds;
  g_latency.n++;
}

void bump(unsigned long& counter) { ++counter; }

double probe(const std::string& target) {
  auto start = Clock::now();
  if (target.empty()) bump(g_errors.dns);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void scrape_loop() {
  for (;;) {
    for (const auto& t : g_active_targets) observe(probe(t));
    g_last_scrape = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(15));
  }
}

std::string render() {
  std::string out;
  char line[160];
  for (std::size_t i = 0; i < g_latency.counts.size(); ++i) {
    std::snprintf(line, sizeof line, "probe_latency_bucket{le=\"%g\",pid=\"%d\"} %llu\n",
                  i < kBucketBounds.size() ? kBucketBounds[i] : 1e9, static_cast<int>(g_pid),
                  static_cast<unsigned long long>(g_latency.counts[i]));
    out += line;
  }
  out += "probe_errors_dns " + std::to_string(g_errors.dns) + "\n";
  out += "http_requests_total " + std::to_string(g_requests_total.load()) + "\n";
  return out;
}

}  // namespace

int main() {
  g_master_pid = getpid();
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0) g_hostname = host;
  g_active_targets = {"https://example.com", "https://example.org"};
  g_scraper = std::thread(scrape_loop);

  httplib::Server svr;

  svr.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    auto start = Clock::now();
    g_requests_total++;
    res.set_content(render(), "text/plain; version=0.0.4");
    g_status_classes[res.status / 100]++;
    observe(std::chrono::duration<double>(Clock::now() - start).count());
  });

  svr.Post("/probe", [](const httplib::Request& req, httplib::Response& res) {
    g_requests_total++;
    double s = probe(req.body);
    if (s > 5.0) bump(g_errors.timeouts);
    observe(s);
    {
      std::lock_guard<std::mutex> lk(g_labels_mu);
      g_label_sets.push_back("target=\"" + req.body + "\"");
    }
    res.set_content(std::to_string(s), "text/plain");
    g_status_classes[res.status / 100]++;
  });

  svr.Post("/targets", [](const httplib::Request& req, httplib::Response& res) {
    g_pending_targets.push_back(req.body);
    res.status = 202;
  });

  svr.Post("/targets/commit", [](const httplib::Request&, httplib::Response& res) {
    std::swap(g_active_targets, g_pending_targets);
    g_pending_targets.clear();
    res.status = 204;
  });

  svr.Post("/admin/reset", [](const httplib::Request&, httplib::Response& res) {
    std::memset(&g_errors, 0, sizeof g_errors);
    res.set_content("reset by " + g_hostname + " master " + std::to_string(g_master_pid) + " boot " +
                        std::to_string(g_boot_pid),
                    "text/plain");
  });

  svr.listen("0.0.0.0", 9115);
  g_scraper.join();
  return g_flusher_started ? 0 : 1;
}
