// Example app (fixed ID generator): IDs come from one locked counter file, unique across workers.
#include <forksafe/app.hpp>
#include <string>

#include "../common/state_file.hpp"

FORKSAFE_APP(app) {
  app.post("/orders", [](const forksafe::Request&) {
    std::int64_t id = examples::add_to_counter("order-ids", 1);
    if (id < 0) return forksafe::Response::text("cannot allocate an ID\n", 503);
    return forksafe::Response::text("order " + std::to_string(id) + "\n", 201);
  });
}
