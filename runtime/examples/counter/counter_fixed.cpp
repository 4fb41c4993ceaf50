// Example app (fixed counter): the count is a forksafe::shared::Counter in the server's
// shared-memory arena (or Redis with --shared-store), so -w 4 counts 1, 2, 3, 4.
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

namespace {
forksafe::shared::Counter visits("visits");  // one counter for every worker
}

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(visits.add(1)) + "\n");
  });
}
