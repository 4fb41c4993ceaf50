// Example app (broken ID generator): every worker hands out 1, 2, 3, ... on its own: duplicate IDs.
#include <cstdint>
#include <forksafe/app.hpp>
#include <string>

namespace {
std::uint64_t next_order_id = 1;
}  // namespace

FORKSAFE_APP(app) {
  app.post("/orders", [](const forksafe::Request&) {
    return forksafe::Response::text("order " + std::to_string(next_order_id++) + "\n", 201);
  });
}
