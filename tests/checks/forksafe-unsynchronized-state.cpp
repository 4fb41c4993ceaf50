// Fixture for forksafe-unsynchronized-state: request-path writes without a lock race under
// threaded workers; atomics and locks fix that (not the per-worker divergence).
// RUN-ARGS: --checks=-*,forksafe-unsynchronized-state
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <vector>

#include "forksafe/annotations.hpp"

int g_racy = 0;                          // expect: forksafe-unsynchronized-state
std::map<std::string, int> g_racyMap;    // expect: forksafe-unsynchronized-state
std::mt19937 g_sharedEngine(7);          // expect: forksafe-unsynchronized-state
FORKSAFE_PER_WORKER std::vector<int> g_perWorkerButRacy;  // expect: forksafe-unsynchronized-state
struct Counters {
  std::atomic<int> ok{0};
  int failed = 0;
};
Counters g_counters;                     // expect: forksafe-unsynchronized-state
int g_halfGuarded = 0;                   // expect: forksafe-unsynchronized-state
int g_afterUnlock = 0;                   // expect: forksafe-unsynchronized-state
int g_helperUnlocked = 0;                // expect: forksafe-unsynchronized-state

// Negatives: atomics, every kind of lock, thread_local, mutexes themselves.
std::atomic<long> g_atomic{0};
std::mutex g_mutex;
std::shared_mutex g_rw;
int g_lockGuarded = 0;
int g_uniqueLocked = 0;
int g_scopedLocked = 0;
int g_sharedLocked = 0;
int g_manualLocked = 0;
thread_local int g_perThread = 0;
std::map<int, int> g_guardedMap;
int g_helperLocked = 0;

void TouchUnlocked() { g_helperUnlocked++; }  // expect-note: forksafe-unsynchronized-state
void TouchLocked() { g_helperLocked++; }

FORKSAFE_HANDLER void Handler(int key) {
  g_racy++;                              // expect-note: forksafe-unsynchronized-state
  g_racyMap["k"] = key;
  (void)g_sharedEngine();
  g_perWorkerButRacy.push_back(key);
  g_counters.ok++;
  g_counters.failed++;
  g_atomic.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_lockGuarded = key;
    g_guardedMap[key] = 1;
    TouchLocked();
  }
  if (key > 0) {
    std::unique_lock<std::mutex> lock(g_mutex);
    g_uniqueLocked++;
    lock.unlock();
    g_afterUnlock++;
  }
  {
    std::scoped_lock lock(g_mutex);
    g_scopedLocked++;
  }
  {
    std::unique_lock<std::shared_mutex> lock(g_rw);
    g_sharedLocked++;
  }
  g_mutex.lock();
  g_manualLocked++;
  g_mutex.unlock();
  g_perThread++;
  g_halfGuarded = 1;
  TouchUnlocked();
}

FORKSAFE_HANDLER void Other() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_halfGuarded = 2;
}

// A member function that takes its own lock synchronizes the write even when the caller holds
// none; pthread locks count like std ones; an array of atomics is written atomically.
#include <array>
#include <pthread.h>
class Sequence {
 public:
  long next() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ++value_;
  }
  void reset() { value_ = 0; }

 private:
  std::mutex mutex_;
  long value_ = 0;
};
Sequence g_sequence;
Sequence g_resettable;                   // expect: forksafe-unsynchronized-state
pthread_mutex_t g_cLock = PTHREAD_MUTEX_INITIALIZER;
unsigned long g_cGuarded = 0;
std::array<std::atomic<unsigned long>, 6> g_statusClasses{};

FORKSAFE_HANDLER void Internal(int status) {
  g_sequence.next();
  g_resettable.reset();
  pthread_mutex_lock(&g_cLock);
  g_cGuarded++;
  pthread_mutex_unlock(&g_cLock);
  g_statusClasses[status / 100]++;
}
