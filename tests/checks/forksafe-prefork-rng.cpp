// Fixture for forksafe-prefork-rng: engines seeded before fork repeat across workers.
// RUN-ARGS: --checks=-*,forksafe-prefork-rng
#include <cstdlib>
#include <random>

#include "forksafe/annotations.hpp"

std::mt19937 g_tokenRng(std::random_device{}());  // expect: forksafe-prefork-rng
std::mt19937_64 g_defaultSeeded;                 // expect: forksafe-prefork-rng
std::minstd_rand g_seededInInit;                 // expect: forksafe-prefork-rng
struct TokenIssuer {
  std::mt19937 engine{1234};
  unsigned next() { return engine(); }
};
TokenIssuer g_issuer;                            // expect: forksafe-prefork-rng

// Negatives.
std::mt19937 g_reseededAfterFork(1);             // reseeded in the worker hook
thread_local std::mt19937 t_engine(std::random_device{}());
std::mt19937 g_neverUsedPerRequest(5);
std::uniform_int_distribution<int> g_dist(1, 6);

FORKSAFE_INIT void Init() {
  g_seededInInit.seed(42);
  srand(7);                                      // expect: forksafe-prefork-rng
}

FORKSAFE_WORKER_INIT void WorkerInit() {
  g_reseededAfterFork.seed(std::random_device{}());
  srandom(17);                                   // after fork: fine
}

FORKSAFE_HANDLER unsigned Token() {
  static std::mt19937 lazyEngine(std::random_device{}());  // first used in the worker: fine
  return g_tokenRng() ^ static_cast<unsigned>(g_defaultSeeded()) ^ g_seededInInit() ^
         g_issuer.next() ^ g_reseededAfterFork() ^ t_engine() ^ lazyEngine() ^
         static_cast<unsigned>(g_dist(t_engine)) ^ static_cast<unsigned>(rand());
}
