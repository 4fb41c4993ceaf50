// Shared-memory scoreboard implementation.
#include "scoreboard.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <new>

#include "fd.hpp"

namespace forksafe::serve {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "scoreboard needs lock-free atomics");

void Slot::clear() {
  pid.store(0, std::memory_order_relaxed);
  state.store(static_cast<std::uint32_t>(SlotState::kFree), std::memory_order_relaxed);
  heartbeat_ms.store(0, std::memory_order_relaxed);
  requests.store(0, std::memory_order_relaxed);
  for (auto& c : by_status) c.store(0, std::memory_order_relaxed);
  for (auto& c : latency) c.store(0, std::memory_order_relaxed);
  latency_sum_us.store(0, std::memory_order_relaxed);
}

void Slot::record(int status, std::uint64_t micros) {
  requests.fetch_add(1, std::memory_order_relaxed);
  if (status >= 100 && status < 600) by_status[status].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b + 1 < kLatencyBuckets && micros > kLatencyBucketsUs[b]) ++b;
  latency[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us.fetch_add(micros, std::memory_order_relaxed);
}

Scoreboard::~Scoreboard() {
  if (slots_) ::munmap(slots_, count_ * sizeof(Slot));
}

bool Scoreboard::create(std::size_t slots, std::string* error) {
  void* mem = ::mmap(nullptr, slots * sizeof(Slot), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    *error = fmt::format("cannot map scoreboard: {}", errno_text(errno));
    return false;
  }
  slots_ = static_cast<Slot*>(mem);
  count_ = slots;
  for (std::size_t i = 0; i < slots; ++i) new (&slots_[i]) Slot();
  return true;
}

}  // namespace forksafe::serve
