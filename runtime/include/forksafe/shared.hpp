// forksafe::shared: state every worker process shares — named counters and maps kept in the
// server's shared-memory arena (one machine) or in Redis (several machines), behind one API.
//
// Under forksafe-serve the store is chosen by the server (--shared-memory, --shared-store) and
// found through FORKSAFE_SHARED_URL; `shared::Counter visits("visits");` at namespace scope is
// the whole setup, and every worker of every generation gets the same counter. Outside
// forksafe-serve, open a store by URL and pass it: `auto store = shared::open("redis://host/0");
// shared::Map sessions("sessions", {}, store);` (docs/shared-state.md).
//
// Constructing a Counter or Map looks its name up (creating it if new) and never connects to a
// server: Redis connections are opened on first use in each process, so an object built before
// fork (--preload) is safe. Construction never throws (a failure to open is reported by ok() and
// error(), and thrown by every operation). Operations throw shared::Error on misuse (a value over
// the map's limit is refused, never truncated; a full map without eviction), and
// forksafe::Unavailable when the store cannot be reached: forksafe-serve answers that with 503.
#ifndef FORKSAFE_SHARED_HPP
#define FORKSAFE_SHARED_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "forksafe/annotations.hpp"
#include "forksafe/unavailable.hpp"

namespace forksafe::shared {

/// Misuse or a full store: a value or key over the limit, a full map, a bad URL.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// The store cannot be reached (Redis down, timed out); forksafe-serve answers 503.
using Unavailable = forksafe::Unavailable;

/// How a map is laid out; applies when the map is first created (later opens get the existing map).
struct MapOptions {
  /// Most entries the map holds. The shm backend reserves them when the map is created.
  std::size_t max_entries = 1024;
  /// When full: false refuses a new key with shared::Error, true evicts the least recently used.
  bool evict_lru = false;
  std::size_t max_key_bytes = 256;
  /// Larger values are refused with shared::Error, never truncated.
  std::size_t max_value_bytes = 4096;
};

/// Use of a store, for metrics and --verify's report.
struct StoreStats {
  std::string backend;                // "shm" or "redis"
  std::uint64_t bytes_used = 0;       // shm: arena bytes reserved by counters and maps
  std::uint64_t bytes_total = 0;      // shm: arena size
  std::uint64_t objects = 0;          // named counters and maps
  std::uint64_t entries = 0;          // live map entries (all maps)
  std::uint64_t evictions = 0;        // entries evicted by LRU (all maps)
  std::uint64_t lock_recoveries = 0;  // locks taken over from a process that died holding them
};

namespace detail {
class CounterImpl {
 public:
  virtual ~CounterImpl() = default;
  /// The counter's word when it lives in memory this process maps (shm): Counter then updates it
  /// inline with one atomic instruction instead of a virtual call.
  virtual std::int64_t* word() { return nullptr; }
  virtual std::int64_t add(std::int64_t delta) = 0;
  virtual std::int64_t get() = 0;
  virtual bool compare_and_set(std::int64_t expected, std::int64_t desired) = 0;
};
using UpdateFn = std::function<std::optional<std::string>(std::optional<std::string_view>)>;
class MapImpl {
 public:
  virtual ~MapImpl() = default;
  virtual std::optional<std::string> get(std::string_view key) = 0;
  virtual void put(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) = 0;
  virtual bool erase(std::string_view key) = 0;
  virtual std::optional<std::string> update(std::string_view key, const UpdateFn& fn,
                                            std::chrono::milliseconds ttl) = 0;
  virtual std::size_t size() = 0;
};
}  // namespace detail

/// A backend: the shared-memory arena or a Redis server. Shared by every object opened from it.
class Store {
 public:
  virtual ~Store() = default;
  virtual StoreStats stats() = 0;
  virtual std::unique_ptr<detail::CounterImpl> counter(const std::string& name) = 0;
  virtual std::unique_ptr<detail::MapImpl> map(const std::string& name,
                                               const MapOptions& options) = 0;
};

/// Opens a store by URL: "redis://HOST[:PORT][/DB]", "unix:PATH[?db=N]" (Redis on a socket),
/// "shm:PATH[?size=64M]" (an arena in a file every process on the machine maps, e.g. under
/// /dev/shm). Throws shared::Error on a bad URL or an arena that cannot be created.
std::shared_ptr<Store> open(const std::string& url);

/// The store named by $FORKSAFE_SHARED_URL (forksafe-serve sets it), opened once per process.
/// Throws shared::Error when it is unset.
std::shared_ptr<Store> default_store();

namespace detail {
// Never throw: a Counter or Map at namespace scope is constructed while the app library loads,
// where an exception would terminate the process. The error is kept and thrown on first use.
std::unique_ptr<CounterImpl> open_counter(const std::string& name, std::shared_ptr<Store> store,
                                          std::string* error) noexcept;
std::unique_ptr<MapImpl> open_map(const std::string& name, const MapOptions& options,
                                  std::shared_ptr<Store> store, std::string* error) noexcept;
[[noreturn]] void fail(const std::string& error);
}  // namespace detail

/// A named 64-bit counter. add() is one atomic instruction on shm and one INCRBY on Redis.
/// `store` defaults to default_store().
class FORKSAFE_SHARED_TYPE Counter {
 public:
  explicit Counter(const std::string& name, std::shared_ptr<Store> store = nullptr)
      : impl_(detail::open_counter(name, std::move(store), &error_)),
        word_(impl_ ? impl_->word() : nullptr) {}
  /// Adds `delta` and returns the new value.
  std::int64_t add(std::int64_t delta = 1) {
    if (word_) return __atomic_add_fetch(word_, delta, __ATOMIC_SEQ_CST);
    return impl().add(delta);
  }
  std::int64_t get() {
    if (word_) return __atomic_load_n(word_, __ATOMIC_SEQ_CST);
    return impl().get();
  }
  /// Sets the value to `desired` if it is `expected`; false (and no change) otherwise.
  bool compare_and_set(std::int64_t expected, std::int64_t desired) {
    return impl().compare_and_set(expected, desired);
  }
  /// False when the counter could not be opened (no store, a full arena); every operation then
  /// throws shared::Error with error(). Check it in an init hook to fail fast.
  bool ok() const { return impl_ != nullptr; }
  const std::string& error() const { return error_; }

 private:
  detail::CounterImpl& impl() {
    if (!impl_) detail::fail(error_);
    return *impl_;
  }
  std::string error_;
  std::unique_ptr<detail::CounterImpl> impl_;
  std::int64_t* word_;
};

/// A named map from byte-string keys to byte-string values, with optional per-entry TTL.
/// `store` defaults to default_store().
class FORKSAFE_SHARED_TYPE Map {
 public:
  explicit Map(const std::string& name, const MapOptions& options = {},
               std::shared_ptr<Store> store = nullptr)
      : impl_(detail::open_map(name, options, std::move(store), &error_)) {}

  /// The value, or nullopt when absent or expired.
  std::optional<std::string> get(std::string_view key) { return impl().get(key); }
  /// Inserts or replaces; `ttl` > 0 makes the entry expire that long from now.
  void put(std::string_view key, std::string_view value,
           std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
    impl().put(key, value, ttl);
  }
  /// True if the key was present.
  bool erase(std::string_view key) { return impl().erase(key); }
  /// Runs `fn(current value or nullopt)` with the entry locked against every other writer and
  /// stores what it returns (nullopt: erase); returns that. If `fn` throws nothing changes. On
  /// Redis the entry is WATCHed and `fn` may run again when another client changed it: keep it
  /// free of side effects. `fn` must not use this map (nor, on Redis, any object of its store).
  std::optional<std::string> update(std::string_view key, const detail::UpdateFn& fn,
                                    std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
    return impl().update(key, fn, ttl);
  }
  /// Entries held, including expired ones not yet reclaimed (shm reclaims them when it needs room).
  std::size_t size() { return impl().size(); }
  /// False when the map could not be opened; every operation then throws shared::Error.
  bool ok() const { return impl_ != nullptr; }
  const std::string& error() const { return error_; }

 private:
  detail::MapImpl& impl() {
    if (!impl_) detail::fail(error_);
    return *impl_;
  }
  std::string error_;
  std::unique_ptr<detail::MapImpl> impl_;
};

}  // namespace forksafe::shared

#endif  // FORKSAFE_SHARED_HPP
