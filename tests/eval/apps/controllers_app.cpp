// accounts-api: MVC-style controllers. Our framework (not shown) instantiates one controller per
// request and calls the on<Verb><Thing> member it routed to. Run the checker with
//   --handlers='.*Controller::on[A-Z].*'
#include "libpq-fe.h"

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace web {
struct HttpRequest {
  std::string method, path, body;
  std::map<std::string, std::string> params;
  std::string param(const std::string& k) const {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  }
};
struct HttpResponse {
  int status = 200;
  std::string body;
};
}  // namespace web

namespace app {

class Metrics {
 public:
  static Metrics& instance() {
    static Metrics m;
    return m;
  }
  void record(const std::string& route, int status) {
    ++requests_;
    if (status >= 500) ++errors_;
    ++by_route_[route];
  }
  long requests() const { return requests_; }

 private:
  Metrics() = default;
  long requests_ = 0;
  long errors_ = 0;
  std::map<std::string, long> by_route_;
};

class IdGenerator {
 public:
  static IdGenerator& instance() {
    static IdGenerator gen;
    return gen;
  }
  std::string next(const char* prefix) {
    std::lock_guard<std::mutex> lk(mu_);
    return prefix + std::to_string(++counter_);
  }

 private:
  std::mutex mu_;
  unsigned long counter_ = 0;
};

class Database {
 public:
  explicit Database(const char* conninfo) : conn_(PQconnectdb(conninfo)) {}
  std::vector<std::string> query(const std::string& sql) const {
    std::vector<std::string> rows;
    PGresult* r = PQexec(conn_, sql.c_str());
    for (int i = 0; i < PQntuples(r); ++i) rows.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return rows;
  }

 private:
  PGconn* conn_;
};

Database g_primary("host=db1.internal dbname=accounts");

static long g_cache_puts = 0;

class Cache {
 public:
  virtual ~Cache() = default;
  virtual std::string get(const std::string& key) = 0;
  virtual void put(const std::string& key, const std::string& value) = 0;
};

class InProcessCache : public Cache {
 public:
  std::string get(const std::string& key) override {
    auto it = entries_.find(key);
    return it == entries_.end() ? std::string() : it->second;
  }
  void put(const std::string& key, const std::string& value) override {
    entries_[key] = value;
    ++g_cache_puts;
  }

 private:
  std::unordered_map<std::string, std::string> entries_;
};

class ServiceLocator {
 public:
  static ServiceLocator& get() {
    static ServiceLocator loc;
    return loc;
  }
  void provide(Cache* cache) { cache_ = cache; }
  void set_region(std::string region) { region_ = std::move(region); }
  Cache* cache() const { return cache_; }
  const std::string& region() const { return region_; }

 private:
  Cache* cache_ = nullptr;
  std::string region_;
};

thread_local const web::HttpRequest* t_current_request = nullptr;

class UserController {
 public:
  web::HttpResponse onGetUser(const web::HttpRequest& req);
  web::HttpResponse onCreateUser(const web::HttpRequest& req);

 private:
  static int s_created;
  static const std::map<std::string, int> s_limits;
  inline static std::atomic<long> s_lookups{0};
};

int UserController::s_created = 0;
const std::map<std::string, int> UserController::s_limits = {{"max_body", 4096}, {"max_name", 64}};

web::HttpResponse UserController::onGetUser(const web::HttpRequest& req) {
  t_current_request = &req;
  s_lookups++;
  const std::string id = req.param("id");
  Cache* cache = ServiceLocator::get().cache();
  std::string cached = cache->get("user:" + id);
  if (!cached.empty()) {
    Metrics::instance().record("GET /users", 200);
    return {200, cached};
  }
  auto rows = g_primary.query("SELECT name FROM users WHERE id = " + id);
  if (rows.empty()) {
    Metrics::instance().record("GET /users", 404);
    return {404, "no such user"};
  }
  cache->put("user:" + id, rows[0]);
  Metrics::instance().record("GET /users", 200);
  return {200, rows[0]};
}

web::HttpResponse UserController::onCreateUser(const web::HttpRequest& req) {
  t_current_request = &req;
  if (req.body.size() > static_cast<std::size_t>(s_limits.at("max_body"))) return {413, "too large"};
  std::string id = IdGenerator::instance().next("u-");
  g_primary.query("INSERT INTO users(id, name, region) VALUES('" + id + "','" + req.body + "','" +
                  ServiceLocator::get().region() + "')");
  ++s_created;
  Metrics::instance().record("POST /users", 201);
  return {201, id};
}

static std::string build_version() { return std::string("accounts-api/") + __DATE__; }

class HealthController {
 public:
  web::HttpResponse onGetHealth(const web::HttpRequest&) {
    static const std::string version = build_version();
    return {200, version + " requests=" + std::to_string(Metrics::instance().requests())};
  }
};

}  // namespace app

int main() {
  std::srand(static_cast<unsigned>(std::time(nullptr)));  // retry jitter in the framework
  app::ServiceLocator::get().provide(new app::InProcessCache());
  const char* region = std::getenv("REGION");
  app::ServiceLocator::get().set_region(region ? region : "eu-west-1");
  // framework_run(...) dispatches to the controllers; not part of this file.
  return 0;
}
