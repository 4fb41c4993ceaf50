// The master's side of forksafe::shared: the arena, its environment variable and its metrics.
#include "shared_arena.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "shm_store.hpp"

namespace forksafe::serve {

namespace {
constexpr const char* kStoreEnv = "FORKSAFE_SHARED_URL";
}

std::string validate_shared_settings(const Settings& s) {
  std::uint64_t size = 0;
  if (!shared::shm::parse_size(s.shared_memory, &size))
    return fmt::format("cannot use --shared-memory '{}': expected a size such as 64M, 1G or 0",
                       s.shared_memory);
  if (size != 0 && size < (1u << 20))
    return fmt::format("cannot use --shared-memory '{}': the arena needs at least 1M (or 0: none)",
                       s.shared_memory);
  const std::string& url = s.shared_store;
  if (!url.empty() && url.rfind("redis://", 0) != 0 && url.rfind("unix:", 0) != 0 &&
      url.rfind("shm:", 0) != 0)
    return fmt::format(
        "cannot use --shared-store '{}': expected redis://HOST[:PORT][/DB], unix:PATH or shm:PATH",
        url);
  return {};
}

bool SharedArena::open(const Settings& s, std::string* error) {
  try {
    if (!s.shared_store.empty()) {
      // Redis: only the URL goes to the workers; each connects after fork. A file arena (shm:PATH)
      // is opened here and inherited like the memfd one.
      if (s.shared_store.rfind("shm:", 0) == 0) {
        auto shm = std::dynamic_pointer_cast<shared::shm::ShmStore>(shared::open(s.shared_store));
        ::setenv(kStoreEnv, fmt::format("shm-fd:{}", shm->fd()).c_str(), 1);  // no open per worker
        store_ = shm;
      } else {
        shared::open(s.shared_store);  // parses the URL; connects nowhere
        ::setenv(kStoreEnv, s.shared_store.c_str(), 1);
      }
      description_ = s.shared_store;
      return true;
    }
    std::uint64_t size = 0;
    shared::shm::parse_size(s.shared_memory, &size);
    if (size == 0)
      return true;  // no arena: objects fail to open unless the environment names a store
    auto shm = shared::shm::ShmStore::create_memfd(size);
    ::setenv(kStoreEnv, fmt::format("shm-fd:{}", shm->fd()).c_str(), 1);
    store_ = shm;
    description_ = fmt::format("shm arena of {} MiB", size >> 20);
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}

std::optional<shared::StoreStats> SharedArena::stats() const {
  if (!store_) return std::nullopt;
  return store_->stats();
}

const void* SharedArena::mapping() const {
  auto* shm = dynamic_cast<shared::shm::ShmStore*>(store_.get());
  return shm ? shm->arena().base() : nullptr;
}

std::string render_shared_metrics(const SharedArena& arena) {
  auto st = arena.stats();
  if (!st) return {};
  return fmt::format(
      "# HELP forksafe_shared_bytes_used Bytes of the forksafe::shared arena reserved by objects.\n"
      "# TYPE forksafe_shared_bytes_used gauge\nforksafe_shared_bytes_used {}\n"
      "# TYPE forksafe_shared_bytes_total gauge\nforksafe_shared_bytes_total {}\n"
      "# TYPE forksafe_shared_objects gauge\nforksafe_shared_objects {}\n"
      "# HELP forksafe_shared_entries Entries in all forksafe::shared maps.\n"
      "# TYPE forksafe_shared_entries gauge\nforksafe_shared_entries {}\n"
      "# TYPE forksafe_shared_evictions_total counter\nforksafe_shared_evictions_total {}\n"
      "# HELP forksafe_shared_lock_recoveries_total Locks taken over from a worker that died "
      "holding them.\n"
      "# TYPE forksafe_shared_lock_recoveries_total counter\n"
      "forksafe_shared_lock_recoveries_total {}\n",
      st->bytes_used, st->bytes_total, st->objects, st->entries, st->evictions,
      st->lock_recoveries);
}

}  // namespace forksafe::serve
