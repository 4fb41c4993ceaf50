// Example app: a global visit counter. Correct with -w 1; with -w 4 every worker counts on its own.
//
// This is the bug forksafe exists for. `visits` lives in each worker's copy of the process, so four
// workers answer 1, 1, 2, 1, 3, 2, ... instead of 1, 2, 3, 4. forksafe-check flags the write below;
// the fix is to keep the count outside the workers (a database, Redis, a shared-memory atomic).
#include <forksafe/app.hpp>
#include <string>

namespace {
long visits = 0;  // deliberately unannotated: the example's whole point
}  // namespace

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(++visits) + "\n");
  });
}
