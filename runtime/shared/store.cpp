// forksafe::shared's entry points: open a store by URL, and the process's default store.
#include <cstdlib>
#include <mutex>

#include "forksafe/annotations.hpp"
#include "forksafe/shared.hpp"
#include "redis_store.hpp"
#include "shm_store.hpp"

namespace forksafe::shared {

std::shared_ptr<Store> open(const std::string& url) {
  if (url.rfind("shm-fd:", 0) == 0) {
    // forksafe-serve's arena, inherited over fork (see runtime/src/shared_arena.cpp).
    const std::string n = url.substr(7);
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos)
      throw Error("cannot open shared store '" + url + "': bad descriptor number");
    return shm::ShmStore::attach_fd(std::atoi(n.c_str()));
  }
  if (url.rfind("shm:", 0) == 0) {
    std::string path = url.substr(4);
    std::uint64_t size = 64ull << 20;
    const std::size_t q = path.find("?size=");
    if (q != std::string::npos) {
      if (!shm::parse_size(path.substr(q + 6), &size))
        throw Error("cannot open shared store '" + url + "': bad size (use e.g. 64M)");
      path.resize(q);
    }
    if (path.empty()) throw Error("cannot open shared store '" + url + "': no file path");
    return shm::ShmStore::open_file(path, size);
  }
  redis::Endpoint endpoint;
  std::string error;
  if (!redis::parse_url(url, &endpoint, &error))
    throw Error("cannot open shared store: " + error +
                " (use redis://HOST[:PORT][/DB], unix:PATH or shm:PATH)");
  return redis::RedisStore::open(endpoint);
}

std::shared_ptr<Store> default_store() {
  // One handle per process, opened on first use; a Redis store connects only when first used in
  // each process, and an shm arena is meant to be inherited, so a handle opened before fork (by a
  // static initializer of the app) is safe.
  FORKSAFE_PER_WORKER static std::mutex mutex;
  // NOLINTNEXTLINE(forksafe-prefork-descriptor)
  FORKSAFE_PER_WORKER static std::shared_ptr<Store> store;
  std::lock_guard<std::mutex> lock(mutex);
  if (!store) {
    const char* url = std::getenv("FORKSAFE_SHARED_URL");
    if (!url || !*url)
      throw Error(
          "no shared store: FORKSAFE_SHARED_URL is not set (forksafe-serve sets it; elsewhere "
          "set it to redis://HOST:PORT/DB or shm:PATH, or pass shared::open(URL) to the object)");
    store = open(url);
  }
  return store;
}

namespace detail {

std::unique_ptr<CounterImpl> open_counter(const std::string& name, std::shared_ptr<Store> store,
                                          std::string* error) noexcept {
  try {
    if (!store) store = default_store();
  } catch (const std::exception& e) {
    *error = std::string("cannot use shared counter '") + name + "': " + e.what();
    return nullptr;
  }
  try {
    return store->counter(name);
  } catch (const std::exception& e) {
    *error = e.what();  // already names the counter
  }
  return nullptr;
}

std::unique_ptr<MapImpl> open_map(const std::string& name, const MapOptions& options,
                                  std::shared_ptr<Store> store, std::string* error) noexcept {
  try {
    if (!store) store = default_store();
  } catch (const std::exception& e) {
    *error = std::string("cannot use shared map '") + name + "': " + e.what();
    return nullptr;
  }
  try {
    return store->map(name, options);
  } catch (const std::exception& e) {
    *error = e.what();  // already names the map
  }
  return nullptr;
}

void fail(const std::string& error) { throw Error(error); }

}  // namespace detail
}  // namespace forksafe::shared
