// Example app (fixed ID generator): IDs come from one forksafe::shared::Counter, unique across
// workers (and across machines with --shared-store=redis://...).
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

namespace {
forksafe::shared::Counter order_ids("order-ids");
}

FORKSAFE_APP(app) {
  app.post("/orders", [](const forksafe::Request&) {
    return forksafe::Response::text("order " + std::to_string(order_ids.add(1)) + "\n", 201);
  });
}
