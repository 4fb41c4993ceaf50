// orders-svc: order intake behind our in-house pre-fork server (libprefork). The server calls
// master_init() once, forks N workers, runs worker_init() in each, then dispatches requests to the
// FORKSAFE_HANDLER functions registered in main().
#include "forksafe/annotations.hpp"
#include "hiredis/hiredis.h"
#include "sqlite3.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct Request {
  std::string method;
  std::string path;
  std::string body;
};
struct Response {
  int status = 200;
  std::string body;
};

using HandlerFn = Response (*)(const Request&);
struct RouteEntry {
  const char* method;
  const char* path;
  HandlerFn fn;
};
// Provided by libprefork.
int prefork_serve(int workers, void (*worker_init)(), const std::vector<RouteEntry>& routes);

namespace orders {

struct Config {
  std::string db_path = "/var/lib/orders/orders.db";
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  int workers = 8;
  bool audit = false;
};

static const std::unordered_map<std::string, int> kListPrices = {{"sku-1", 1299}, {"sku-2", 450}};

static Config g_config;
static redisContext* g_redis = nullptr;
static sqlite3* g_db = nullptr;
static FILE* g_audit_log = nullptr;
static std::thread g_heartbeat;
static pid_t g_worker_pid = 0;
static std::mt19937 g_rng;
static std::atomic<long> g_orders_created{0};
thread_local long t_requests_on_thread = 0;
FORKSAFE_PER_WORKER static std::unordered_map<std::string, std::string> g_price_cache;
static std::mutex g_recent_mu;
FORKSAFE_PER_WORKER static std::vector<std::string> g_recent_ids;
static std::unordered_map<std::string, int> g_inventory = {{"sku-1", 100}, {"sku-2", 40}};
static std::once_flag g_schema_once;

static void load_config_file(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return;
  char key[64], value[256];
  while (std::fscanf(f, "%63s %255s", key, value) == 2) {
    std::string k = key;
    if (k == "db") g_config.db_path = value;
    else if (k == "redis") g_config.redis_host = value;
    else if (k == "workers") g_config.workers = std::atoi(value);
    else if (k == "audit") g_config.audit = std::string(value) == "on";
  }
  std::fclose(f);
}

FORKSAFE_INIT void master_init(const char* config_path) {
  load_config_file(config_path);
  g_redis = redisConnect(g_config.redis_host.c_str(), g_config.redis_port);
  if (g_config.audit) g_audit_log = std::fopen("/var/log/orders/audit.log", "a");
  g_rng.seed(12345);  // reproducible ids in tests; every worker reseeds in worker_init()
  g_heartbeat = std::thread([] {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(5));
  });
  std::thread([] { std::fflush(stdout); }).detach();
}

FORKSAFE_WORKER_INIT void worker_init() {
  g_worker_pid = getpid();
  g_rng.seed(static_cast<unsigned>(g_worker_pid) ^ static_cast<unsigned>(std::time(nullptr)));
  if (sqlite3_open(g_config.db_path.c_str(), &g_db) != SQLITE_OK) g_db = nullptr;
  std::call_once(g_schema_once, [] {
    sqlite3_exec(g_db, "CREATE TABLE IF NOT EXISTS orders(id TEXT, sku TEXT, price INT)", nullptr,
                 nullptr, nullptr);
  });
}

static int price_of(const std::string& sku) {
  auto hit = g_price_cache.find(sku);
  if (hit != g_price_cache.end()) return std::atoi(hit->second.c_str());
  int price = kListPrices.count(sku) ? kListPrices.at(sku) : 0;
  auto* reply = static_cast<redisReply*>(redisCommand(g_redis, "HGET prices %s", sku.c_str()));
  if (reply != nullptr && reply->str != nullptr) price = std::atoi(reply->str);
  if (reply != nullptr) freeReplyObject(reply);
  g_price_cache[sku] = std::to_string(price);
  return price;
}

static std::string new_order_id() {
  std::uniform_int_distribution<unsigned> dist;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d-%08x", static_cast<int>(g_worker_pid), dist(g_rng));
  return buf;
}

static void remember(const std::string& id) {
  std::lock_guard<std::mutex> lk(g_recent_mu);
  g_recent_ids.push_back(id);
  if (g_recent_ids.size() > 100) g_recent_ids.erase(g_recent_ids.begin());
}

FORKSAFE_HANDLER Response create_order(const Request& req) {
  ++t_requests_on_thread;
  const std::string& sku = req.body;
  int& stock = g_inventory[sku];
  if (stock <= 0) return {409, "out of stock"};
  --stock;
  int price = price_of(sku);
  std::string id = new_order_id();
  std::string sql = "INSERT INTO orders VALUES('" + id + "','" + sku + "'," + std::to_string(price) + ")";
  sqlite3_exec(g_db, sql.c_str(), nullptr, nullptr, nullptr);
  g_orders_created.fetch_add(1);
  remember(id);
  return {201, id};
}

FORKSAFE_HANDLER Response get_stats(const Request&) {
  ++t_requests_on_thread;
  std::lock_guard<std::mutex> lk(g_recent_mu);
  return {200, std::to_string(g_orders_created.load()) + " orders, last " +
                   (g_recent_ids.empty() ? std::string("-") : g_recent_ids.back())};
}

// Offline maintenance: `orders-svc CONF --restock FILE`. Runs instead of the server.
static void restock_from_file(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return;
  char sku[64];
  int n = 0;
  while (std::fscanf(f, "%63s %d", sku, &n) == 2) {
    g_inventory[sku] += n;
    if (g_audit_log != nullptr) std::fprintf(g_audit_log, "restock %s +%d\n", sku, n);
  }
  std::fclose(f);
}

}  // namespace orders

int main(int argc, char** argv) {
  orders::master_init(argc > 1 ? argv[1] : "/etc/orders.conf");
  if (argc > 3 && std::string(argv[2]) == "--restock") {
    orders::restock_from_file(argv[3]);
    return 0;
  }
  return prefork_serve(orders::g_config.workers, &orders::worker_init,
                       {{"POST", "/orders", &orders::create_order}, {"GET", "/stats", &orders::get_stats}});
}
