// Example app (fixed session store): sessions live in a forksafe::shared::Map every worker shares
// (the server's shared-memory arena, or Redis with --shared-store), so any worker knows you.
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

#include "../common/random_token.hpp"

namespace {
using namespace std::chrono_literals;

forksafe::shared::Map sessions("sessions", [] {
  forksafe::shared::MapOptions o;
  o.max_entries = 10000;  // the least recently used session goes first when full
  o.evict_lru = true;
  o.max_value_bytes = 256;
  return o;
}());

}  // namespace

FORKSAFE_APP(app) {
  app.post("/login", [](const forksafe::Request& req) {
    std::string token = examples::random_token();
    if (token.empty()) return forksafe::Response::text("cannot make a session token\n", 500);
    sessions.put(token, req.query_param("user").value_or("anonymous"), 1h);
    return forksafe::Response::text(token + "\n");
  });
  app.get("/me", [](const forksafe::Request& req) {
    auto user = sessions.get(req.query_param("token").value_or(""));
    if (!user) return forksafe::Response::text("unknown session\n", 401);
    return forksafe::Response::text("hello " + *user + "\n");
  });
}
