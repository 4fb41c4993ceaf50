// The master's side of forksafe::shared: creates the shm arena (or records the Redis URL) before
// any fork, hands it to workers through FORKSAFE_SHARED_URL, and reads its use for metrics.
//
// The arena is a memfd mapped MAP_SHARED, created once per master: workers of every generation
// inherit the descriptor, so state survives HUP reloads and worker respawns (not a USR2 re-exec:
// the descriptor is close-on-exec). The master never locks it and never connects to Redis.
#ifndef FORKSAFE_SERVE_SHARED_ARENA_HPP
#define FORKSAFE_SERVE_SHARED_ARENA_HPP

#include <memory>
#include <optional>
#include <string>

#include "forksafe/shared.hpp"
#include "settings.hpp"

namespace forksafe::serve {

/// Checks --shared-memory and --shared-store; returns the problem in one line, or empty.
std::string validate_shared_settings(const Settings& s);

class SharedArena {
 public:
  /// In the master, before --preload and before the first fork. False (with *error) on failure.
  bool open(const Settings& s, std::string* error);
  /// "shm arena of 64 MiB", "redis://...", or "off".
  const std::string& description() const { return description_; }
  /// The arena's use (shm only; the master does not talk to Redis).
  std::optional<shared::StoreStats> stats() const;
  /// Start of the arena's mapping in the master, for --verify (nullptr without one).
  const void* mapping() const;

 private:
  std::shared_ptr<shared::Store> store_;
  std::string description_ = "off";
};

/// Prometheus lines for the arena's use (empty without an shm arena).
std::string render_shared_metrics(const SharedArena& arena);

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_SHARED_ARENA_HPP
