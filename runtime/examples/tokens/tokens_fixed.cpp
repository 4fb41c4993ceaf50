// Example app (fixed token issuer): each worker seeds its own RNG after fork (on_worker_init); the
// RNG is per-worker by design (annotated) and locked for threaded workers.
#include <cstdio>
#include <forksafe/app.hpp>
#include <mutex>
#include <random>
#include <string>

namespace {
FORKSAFE_PER_WORKER std::mt19937_64 rng;
std::mutex rng_mutex;
}  // namespace

FORKSAFE_APP(app) {
  app.on_worker_init([] {
    std::lock_guard<std::mutex> lock(rng_mutex);
    rng.seed(std::random_device{}());
  });
  app.get("/token", [](const forksafe::Request&) {
    unsigned long long value;
    {
      std::lock_guard<std::mutex> lock(rng_mutex);
      value = rng();
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", value);
    return forksafe::Response::text(std::string(hex) + "\n");
  });
}
