// kvd: a small key/value service. The shared front-end library (libkvfront) parses the line
// protocol ("GET key", "PUT key value", "STATS", "NONCE"), forks the workers and runs several
// threads per worker that call our dispatch() concurrently.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

struct Req {
  std::string verb, key, value;
};
struct Resp {
  int code;
  std::string body;
};
// libkvfront
int kvfront_run(const char* listen_addr, int threads_per_worker, Resp (*dispatch)(const Req&));

namespace kv {

template <typename K, typename V>
class LruCache {
 public:
  using EvictFn = std::function<void(const K&)>;
  LruCache(std::size_t capacity, const EvictFn* on_evict) : cap_(capacity), on_evict_(on_evict) {}

  bool get(const K& key, V& out) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    order_.splice(order_.begin(), order_, it->second);
    out = it->second->second;
    return true;
  }
  void put(const K& key, V value) {
    auto it = index_.find(key);
    if (it != index_.end()) order_.erase(it->second);
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    if (order_.size() > cap_) {
      if (on_evict_ != nullptr && *on_evict_) (*on_evict_)(order_.back().first);
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  std::size_t size() const { return index_.size(); }

 private:
  using Entry = std::pair<K, V>;
  std::size_t cap_;
  const EvictFn* on_evict_;
  std::list<Entry> order_;
  std::unordered_map<K, typename std::list<Entry>::iterator> index_;
};

struct Stats {
  unsigned long gets = 0, puts = 0, misses = 0;
};

static std::function<void(const std::string&)> g_on_evict;
static unsigned long g_evictions = 0;
static LruCache<std::string, std::string> g_hot(1024, &g_on_evict);
static std::shared_mutex g_store_mu;
static std::unordered_map<std::string, std::string> g_store;
static Stats g_stats;
static std::size_t g_max_value_len = 1 << 20;
static const std::vector<std::string> kReservedKeys = {"__meta", "__stats"};
thread_local std::string t_scratch;
thread_local std::mt19937_64 t_rng{std::random_device{}()};
static std::random_device g_entropy;

}  // namespace kv

using namespace kv;

static Resp handle_get(const Req& r) {
  g_stats.gets++;
  std::string v;
  if (g_hot.get(r.key, v)) return {200, v};
  {
    std::shared_lock<std::shared_mutex> lk(g_store_mu);
    auto it = g_store.find(r.key);
    if (it == g_store.end()) return {404, ""};
    v = it->second;
  }
  g_hot.put(r.key, v);
  return {200, v};
}

static Resp handle_put(const Req& r) {
  if (std::find(kReservedKeys.begin(), kReservedKeys.end(), r.key) != kReservedKeys.end())
    return {403, "reserved"};
  if (r.value.size() > g_max_value_len) return {413, "too large"};
  {
    std::unique_lock<std::shared_mutex> lk(g_store_mu);
    g_store[r.key] = r.value;
  }
  g_hot.put(r.key, r.value);
  g_stats.puts++;
  return {204, ""};
}

static Resp handle_stats(const Req&) {
  t_scratch.clear();
  char line[96];
  std::snprintf(line, sizeof line, "gets %lu\nputs %lu\nmisses %lu\nhot %zu\nevictions %lu\n",
                g_stats.gets, g_stats.puts, g_stats.misses, g_hot.size(), g_evictions);
  t_scratch += line;
  return {200, t_scratch};
}

static Resp handle_nonce(const Req&) {
  std::uniform_int_distribution<unsigned long long> dist;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llx%08x", dist(t_rng), g_entropy());
  return {200, buf};
}

static const std::map<std::string, std::function<Resp(const Req&)>> kRoutes = {
    {"GET", handle_get}, {"PUT", handle_put}, {"STATS", handle_stats}, {"NONCE", handle_nonce}};

Resp dispatch(const Req& r) {
  auto it = kRoutes.find(r.verb);
  if (it == kRoutes.end()) {
    std::lock_guard<std::shared_mutex> lk(g_store_mu);
    g_stats.misses++;
    return {400, "unknown verb"};
  }
  return it->second(r);
}

int main() {
  if (const char* lim = std::getenv("KVD_MAX_VALUE")) g_max_value_len = std::strtoul(lim, nullptr, 10);
  g_on_evict = [](const std::string& key) {
    ++g_evictions;
    std::fprintf(stderr, "evicted %s\n", key.c_str());
  };
  const char* addr = std::getenv("KVD_LISTEN");
  return kvfront_run(addr != nullptr ? addr : "0.0.0.0:7070", 8, &dispatch);
}
