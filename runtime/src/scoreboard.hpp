// Shared-memory scoreboard: one slot per worker for heartbeat, state and metrics counters.
//
// The master maps it MAP_SHARED|MAP_ANONYMOUS before forking, so every worker writes its own slot
// and the master reads all of them without any file (a disk heartbeat can stall on a busy disk and
// cause false timeouts). Fields are lock-free atomics; each has a single writer.
#ifndef FORKSAFE_SERVE_SCOREBOARD_HPP
#define FORKSAFE_SERVE_SCOREBOARD_HPP

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace forksafe::serve {

inline constexpr std::size_t kMaxSlots = 1024;
/// Latency histogram upper bounds in microseconds (Prometheus "le" labels); last bucket is +Inf.
inline constexpr std::uint64_t kLatencyBucketsUs[] = {
    1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
inline constexpr std::size_t kLatencyBuckets =
    sizeof(kLatencyBucketsUs) / sizeof(kLatencyBucketsUs[0]) + 1;

enum class SlotState : std::uint32_t { kFree = 0, kBooting = 1, kReady = 2, kStopping = 3 };

struct Slot {
  std::atomic<std::int32_t> pid{0};
  std::atomic<std::uint32_t> state{0};
  std::atomic<std::int64_t> heartbeat_ms{0};  // CLOCK_MONOTONIC, milliseconds
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> by_status[600];  // index = status code (100..599)
  std::atomic<std::uint64_t> latency[kLatencyBuckets];
  std::atomic<std::uint64_t> latency_sum_us{0};

  void clear();
  void record(int status, std::uint64_t micros);
};

/// Owns the mapping. Move-only; unmapped in the destructor (workers inherit the mapping).
class Scoreboard {
 public:
  Scoreboard() = default;
  Scoreboard(const Scoreboard&) = delete;
  Scoreboard& operator=(const Scoreboard&) = delete;
  ~Scoreboard();

  bool create(std::size_t slots, std::string* error);
  Slot& slot(std::size_t i) { return slots_[i]; }
  std::size_t size() const { return count_; }

 private:
  Slot* slots_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace forksafe::serve

#endif  // FORKSAFE_SERVE_SCOREBOARD_HPP
