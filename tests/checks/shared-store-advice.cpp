// Fixture: in a forksafe app, forksafe-per-worker-state names the forksafe::shared type that
// holds the state for every worker; other shapes (and other frameworks) keep the general advice.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "forksafe/app.hpp"

namespace {
long hits = 0;  // expect: forksafe-per-worker-state // expect-message: keep it in a forksafe::shared::Counter (<forksafe/shared.hpp>)
std::unordered_map<std::string, std::string> sessions;  // expect: forksafe-per-worker-state // expect-message: keep it in a forksafe::shared::Map
std::vector<std::string> recent;  // expect: forksafe-per-worker-state // expect-message: keep it in an external store shared by all workers
}  // namespace

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request& req) {
    ++hits;
    sessions[std::string(req.header("X-Token"))] = "seen";
    recent.push_back(req.path);
    return forksafe::Response::text("ok\n");
  });
}
