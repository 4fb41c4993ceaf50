// Example app (broken token issuer, run with --preload): the RNG is seeded before fork, so every
// worker issues the same sequence of "random" tokens.
#include <cstdio>
#include <forksafe/app.hpp>
#include <random>
#include <string>

namespace {
std::mt19937_64 rng;
}  // namespace

FORKSAFE_APP(app) {
  // With --preload this runs once, in the master: all workers inherit the same RNG state.
  app.on_init([] { rng.seed(std::random_device{}()); });
  app.get("/token", [](const forksafe::Request&) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
    return forksafe::Response::text(std::string(hex) + "\n");
  });
}
