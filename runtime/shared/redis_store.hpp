// The redis Store: Counter and Map on a Redis server through hiredis (see redis_store.cpp).
#ifndef FORKSAFE_SHARED_REDIS_STORE_HPP
#define FORKSAFE_SHARED_REDIS_STORE_HPP

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "forksafe/shared.hpp"

struct redisContext;
struct redisReply;

namespace forksafe::shared::redis {

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_path;  // set: connect to this socket instead of host:port
  int db = 0;
  int timeout_ms = 1000;  // connect and each command
};

/// "redis://HOST[:PORT][/DB]" or "unix:PATH[?db=N]"; false (with *error) on anything else.
bool parse_url(const std::string& url, Endpoint* out, std::string* error);

/// One reply, copied out of hiredis.
struct Result {
  bool nil = false;
  long long integer = 0;
  std::string text;
  std::string error;
  std::vector<Result> items;
};

class RedisStore final : public Store, public std::enable_shared_from_this<RedisStore> {
 public:
  static std::shared_ptr<RedisStore> open(Endpoint endpoint);
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  StoreStats stats() override;
  std::unique_ptr<detail::CounterImpl> counter(const std::string& name) override;
  std::unique_ptr<detail::MapImpl> map(const std::string& name, const MapOptions& o) override;

  /// The process's connection, held (under a mutex) for a sequence of commands such as
  /// WATCH ... EXEC. Throws forksafe::Unavailable when the server cannot be reached.
  class Session {
   public:
    explicit Session(RedisStore& store);
    Result run(const std::vector<std::string>& args);

   private:
    RedisStore& store_;
    std::unique_lock<std::mutex> lock_;
    redisContext* context_;
  };

  std::string describe() const;

 private:
  explicit RedisStore(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}
  redisContext* connection();
  void drop_connection(const std::string& why);

  Endpoint endpoint_;
  std::mutex mutex_;
  redisContext* context_ = nullptr;
  pid_t owner_pid_ = 0;
  std::string last_error_;
  std::int64_t backoff_ms_ = 0;
  std::int64_t retry_at_ms_ = 0;
};

}  // namespace forksafe::shared::redis

#endif  // FORKSAFE_SHARED_REDIS_STORE_HPP
