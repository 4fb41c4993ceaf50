// The redis Store (hiredis): one connection per process, opened on first use after fork, with
// bounded timeouts and reconnect backoff; maps are a key per entry plus a recency sorted set,
// changed by Lua scripts so every operation is one atomic step on the server.
//
// Layout for map NAME: "fs:m:NAME:" + key holds a value (with PX when it has a TTL); the sorted
// set "fs:z:NAME" scores each key by a per-map tick ("fs:t:NAME") bumped on every put (and on
// every get with evict_lru): ZCARD is the size, the lowest score the least recently used. A key
// that expired leaves its member behind until the map needs room or the key is read. Counter
// NAME is the string "fs:c:NAME".
#include "redis_store.hpp"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "shm_arena.hpp"

namespace forksafe::shared::redis {
namespace {

// KEYS: entry, zset, tick. ARGV: member, value, ttl_ms, max_entries, evict (0/1).
// Returns 1, or an error reply "full" when the map is full and does not evict.
constexpr const char* kPutScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  local max = tonumber(ARGV[4])
  if redis.call('ZCARD', KEYS[2]) >= max then
    for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
      if redis.call('EXISTS', ARGV[6] .. m) == 0 then redis.call('ZREM', KEYS[2], m) end
    end
  end
  while redis.call('ZCARD', KEYS[2]) >= max do
    if ARGV[5] ~= '1' then return redis.error_reply('full') end
    local old = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
    redis.call('DEL', ARGV[6] .. old)
    redis.call('ZREM', KEYS[2], old)
    redis.call('HINCRBY', 'fs:stats', 'evictions', 1)
  end
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
return 1
)lua";

// KEYS: entry, zset, tick. ARGV: member, evict (0/1).
constexpr const char* kGetScript = R"lua(
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('ZREM', KEYS[2], ARGV[1])
elseif ARGV[2] == '1' then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
return v
)lua";

// KEYS: entry, zset. ARGV: member.
constexpr const char* kEraseScript = R"lua(
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
)lua";

// KEYS: counter. ARGV: expected, desired.
constexpr const char* kCasScript = R"lua(
if tonumber(redis.call('GET', KEYS[1]) or '0') == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua";

using Reply = std::unique_ptr<redisReply, void (*)(void*)>;

// hiredis writes with write(): on a connection the server closed that raises SIGPIPE, which would
// kill a program that did not ignore it. Blocked for the command, and a SIGPIPE it raised is
// consumed before unblocking (the classic per-thread recipe).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        sigtimedwait(&pipe_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

Result to_result(const redisReply* r) {
  Result out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.error.assign(r->str, r->len);
      break;
    case REDIS_REPLY_NIL:
      out.nil = true;
      break;
    case REDIS_REPLY_ARRAY:
      for (std::size_t i = 0; i < r->elements; ++i) out.items.push_back(to_result(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

std::string ms_text(std::chrono::milliseconds ttl) {
  return std::to_string(ttl.count() > 0 ? ttl.count() : 0);
}

class RedisCounter final : public detail::CounterImpl {
 public:
  RedisCounter(std::shared_ptr<RedisStore> store, std::string key)
      : store_(std::move(store)), key_(std::move(key)) {}
  std::int64_t add(std::int64_t delta) override {
    return checked(RedisStore::Session(*store_).run({"INCRBY", key_, std::to_string(delta)}))
        .integer;
  }
  std::int64_t get() override {
    Result r = checked(RedisStore::Session(*store_).run({"GET", key_}));
    return r.nil ? 0 : std::stoll(r.text);
  }
  bool compare_and_set(std::int64_t expected, std::int64_t desired) override {
    return checked(RedisStore::Session(*store_).run({"EVAL", kCasScript, "1", key_,
                                                     std::to_string(expected),
                                                     std::to_string(desired)}))
               .integer == 1;
  }

 private:
  Result checked(Result r) const {
    if (!r.error.empty())
      throw Error("shared counter '" + key_.substr(5) + "' on " + store_->describe() + ": " +
                  r.error);
    return r;
  }
  std::shared_ptr<RedisStore> store_;
  std::string key_;
};

class RedisMap final : public detail::MapImpl {
 public:
  RedisMap(std::shared_ptr<RedisStore> store, const std::string& name, const MapOptions& o)
      : store_(std::move(store)),
        name_(name),
        options_(o),
        prefix_("fs:m:" + name + ":"),
        zset_("fs:z:" + name),
        tick_("fs:t:" + name) {}

  std::optional<std::string> get(std::string_view key) override {
    check_sizes(key, 0);
    // Without LRU a get changes nothing: a plain GET (an expired key's member is dropped when
    // the map needs room). With LRU the script also records the use.
    Result r = checked(RedisStore::Session(*store_).run(
        options_.evict_lru ? std::vector<std::string>{"EVAL", kGetScript, "3", entry(key), zset_,
                                                      tick_, std::string(key), evict()}
                           : std::vector<std::string>{"GET", entry(key)}));
    if (r.nil) return std::nullopt;
    return std::move(r.text);
  }

  void put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) override {
    check_sizes(key, value.size());
    checked(RedisStore::Session(*store_).run(put_command(key, value, ttl)));
  }

  bool erase(std::string_view key) override {
    check_sizes(key, 0);
    return checked(RedisStore::Session(*store_).run(
                       {"EVAL", kEraseScript, "2", entry(key), zset_, std::string(key)}))
               .integer > 0;
  }

  std::optional<std::string> update(std::string_view key, const detail::UpdateFn& fn,
                                    std::chrono::milliseconds ttl) override {
    check_sizes(key, 0);
    const std::string k = entry(key);
    // WATCH the entry, read it, run fn, then write in MULTI/EXEC: EXEC fails (nil) when another
    // client changed the entry meanwhile, and we start again.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      RedisStore::Session s(*store_);
      checked(s.run({"WATCH", k}));
      Result cur = checked(s.run({"GET", k}));
      std::optional<std::string> next;
      try {
        next = cur.nil ? fn(std::nullopt) : fn(std::string_view(cur.text));
        if (next) check_sizes(key, next->size());
      } catch (...) {
        s.run({"UNWATCH"});
        throw;
      }
      checked(s.run({"MULTI"}));
      if (next)
        s.run(put_command(key, *next, ttl));
      else
        s.run({"EVAL", kEraseScript, "2", k, zset_, std::string(key)});
      Result done = s.run({"EXEC"});
      if (done.nil) continue;  // the entry changed under us
      if (!done.error.empty() || (done.items.size() == 1 && !done.items[0].error.empty()))
        fail(done.error.empty() ? done.items[0].error : done.error);
      return next;
    }
    throw Error("cannot update shared map '" + name_ + "': the entry kept changing (1000 tries)");
  }

  std::size_t size() override {
    return static_cast<std::size_t>(
        checked(RedisStore::Session(*store_).run({"ZCARD", zset_})).integer);
  }

 private:
  std::string entry(std::string_view key) const { return prefix_ + std::string(key); }
  std::string evict() const { return options_.evict_lru ? "1" : "0"; }
  std::vector<std::string> put_command(std::string_view key, std::string_view value,
                                       std::chrono::milliseconds ttl) const {
    return {"EVAL",
            kPutScript,
            "3",
            entry(key),
            zset_,
            tick_,
            std::string(key),
            std::string(value),
            ms_text(ttl),
            std::to_string(options_.max_entries),
            evict(),
            prefix_};
  }
  void check_sizes(std::string_view key, std::size_t value_size) const {
    if (key.size() > options_.max_key_bytes)
      throw Error("cannot store in shared map '" + name_ + "': a key of " +
                  std::to_string(key.size()) + " bytes is over the map's limit of " +
                  std::to_string(options_.max_key_bytes) + " (MapOptions::max_key_bytes)");
    if (value_size > options_.max_value_bytes)
      throw Error("cannot store in shared map '" + name_ + "': a value of " +
                  std::to_string(value_size) + " bytes is over the map's limit of " +
                  std::to_string(options_.max_value_bytes) + " (MapOptions::max_value_bytes)");
  }
  [[noreturn]] void fail(const std::string& error) const {
    if (error.find("full") != std::string::npos)
      throw Error("cannot add to shared map '" + name_ + "': it is full (" +
                  std::to_string(options_.max_entries) +
                  " entries; raise MapOptions::max_entries or set evict_lru)");
    throw Error("shared map '" + name_ + "' on " + store_->describe() + ": " + error);
  }
  Result checked(Result r) const {
    if (!r.error.empty()) fail(r.error);
    return r;
  }

  std::shared_ptr<RedisStore> store_;
  std::string name_;
  MapOptions options_;
  std::string prefix_, zset_, tick_;
};

}  // namespace

RedisStore::~RedisStore() {
  // A context inherited over fork belongs to the parent too: closing our copy of its descriptor
  // is harmless, and redisFree sends nothing.
  if (context_) redisFree(context_);
}

std::string RedisStore::describe() const {
  return endpoint_.unix_path.empty()
             ? "redis://" + endpoint_.host + ":" + std::to_string(endpoint_.port) + "/" +
                   std::to_string(endpoint_.db)
             : "unix:" + endpoint_.unix_path;
}

void RedisStore::drop_connection(const std::string& why) {
  if (context_) redisFree(context_);
  context_ = nullptr;
  last_error_ = why;
  backoff_ms_ = backoff_ms_ == 0 ? 50 : std::min<std::int64_t>(backoff_ms_ * 2, 1000);
  retry_at_ms_ = shm::now_ms() + backoff_ms_;
}

redisContext* RedisStore::connection() {
  if (context_ && owner_pid_ != ::getpid()) {
    // Inherited over fork: never share a connection with another process.
    redisFree(context_);
    context_ = nullptr;
  }
  if (context_) return context_;
  const std::int64_t now = shm::now_ms();
  if (now < retry_at_ms_)
    throw Unavailable("cannot reach the shared store " + describe() + ": " + last_error_ +
                      " (next attempt in " + std::to_string(retry_at_ms_ - now) + " ms)");
  const timeval tv{endpoint_.timeout_ms / 1000, (endpoint_.timeout_ms % 1000) * 1000};
  redisContext* c = endpoint_.unix_path.empty()
                        ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv)
                        : redisConnectUnixWithTimeout(endpoint_.unix_path.c_str(), tv);
  if (!c || c->err) {
    const std::string why = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    drop_connection(why);
    throw Unavailable("cannot reach the shared store " + describe() + ": " + why);
  }
  ::fcntl(c->fd, F_SETFD, FD_CLOEXEC);
  redisSetTimeout(c, tv);
  context_ = c;
  owner_pid_ = ::getpid();
  if (endpoint_.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(c, "SELECT %d", endpoint_.db)), freeReplyObject);
    if (!r || r->type == REDIS_REPLY_ERROR) {
      const std::string why = r ? std::string(r->str, r->len) : std::string(c->errstr);
      drop_connection(why);
      throw Unavailable("cannot select database " + std::to_string(endpoint_.db) + " on " +
                        describe() + ": " + why);
    }
  }
  backoff_ms_ = 0;
  return context_;
}

RedisStore::Session::Session(RedisStore& store)
    : store_(store), lock_(store.mutex_), context_(store.connection()) {}

Result RedisStore::Session::run(const std::vector<std::string>& args) {
  if (!context_)
    throw Unavailable("cannot talk to the shared store " + store_.describe() + ": " +
                      store_.last_error_);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  SigpipeBlock no_sigpipe;
  Reply r(static_cast<redisReply*>(
              redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data())),
          freeReplyObject);
  if (!r) {
    const std::string why = context_->errstr;
    store_.drop_connection(why);
    context_ = nullptr;
    throw Unavailable("cannot talk to the shared store " + store_.describe() + ": " + why);
  }
  return to_result(r.get());
}

std::shared_ptr<RedisStore> RedisStore::open(Endpoint endpoint) {
  return std::shared_ptr<RedisStore>(new RedisStore(std::move(endpoint)));
}

StoreStats RedisStore::stats() {
  StoreStats s;
  s.backend = "redis";
  return s;
}

std::unique_ptr<detail::CounterImpl> RedisStore::counter(const std::string& name) {
  return std::make_unique<RedisCounter>(shared_from_this(), "fs:c:" + name);
}

std::unique_ptr<detail::MapImpl> RedisStore::map(const std::string& name, const MapOptions& o) {
  if (o.max_entries == 0)
    throw Error("cannot create shared map '" + name + "': max_entries must be at least 1");
  return std::make_unique<RedisMap>(shared_from_this(), name, o);
}

bool parse_url(const std::string& url, Endpoint* out, std::string* error) {
  Endpoint e;
  auto number = [](const std::string& s, int lo, int hi, int* v) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      return false;
    *v = std::stoi(s);
    return *v >= lo && *v <= hi;
  };
  if (url.rfind("unix:", 0) == 0) {
    std::string rest = url.substr(5);
    const std::size_t q = rest.find("?db=");
    if (q != std::string::npos) {
      if (!number(rest.substr(q + 4), 0, 1 << 20, &e.db)) {
        *error = "bad database number in '" + url + "'";
        return false;
      }
      rest.resize(q);
    }
    if (rest.empty()) {
      *error = "no socket path in '" + url + "'";
      return false;
    }
    e.unix_path = rest;
  } else if (url.rfind("redis://", 0) == 0) {
    std::string rest = url.substr(8);
    const std::size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      if (slash + 1 < rest.size() && !number(rest.substr(slash + 1), 0, 1 << 20, &e.db)) {
        *error = "bad database number in '" + url + "'";
        return false;
      }
      rest.resize(slash);
    }
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string::npos && rest.find(']') == std::string::npos &&
        rest.find(':') == colon) {
      if (!number(rest.substr(colon + 1), 1, 65535, &e.port)) {
        *error = "bad port in '" + url + "'";
        return false;
      }
      rest.resize(colon);
    }
    if (rest.empty()) {
      *error = "no host in '" + url + "'";
      return false;
    }
    e.host = rest;
  } else {
    *error = "'" + url + "' is not a redis://HOST[:PORT][/DB] or unix:PATH URL";
    return false;
  }
  *out = e;
  return true;
}

}  // namespace forksafe::shared::redis
