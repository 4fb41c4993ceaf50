// Example app (fixed session store): sessions are files every worker reads, so any worker knows
// you.
#include <forksafe/app.hpp>
#include <string>

#include "../common/state_file.hpp"

namespace {
// Tokens are hex from random_token(); anything else could name a path outside the state dir.
bool valid_token(const std::string& t) {
  return t.size() == 32 && t.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

FORKSAFE_APP(app) {
  app.post("/login", [](const forksafe::Request& req) {
    std::string token = examples::random_token();
    if (!examples::write_state("session-" + token, req.query_param("user").value_or("anonymous")))
      return forksafe::Response::text("cannot store session\n", 500);
    return forksafe::Response::text(token + "\n");
  });
  app.get("/me", [](const forksafe::Request& req) {
    std::string token = req.query_param("token").value_or("");
    auto user = valid_token(token) ? examples::read_state("session-" + token) : std::nullopt;
    if (!user) return forksafe::Response::text("unknown session\n", 401);
    return forksafe::Response::text("hello " + *user + "\n");
  });
}
