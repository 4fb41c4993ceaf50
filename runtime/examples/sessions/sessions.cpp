// Example app (broken session store): log in on one worker, and the next worker has never heard of
// you.
//
// The session map is a global, so each worker process has its own copy: POST /login lands on one
// worker, GET /me is answered by whichever worker accepts next, which usually answers 401.
#include <forksafe/app.hpp>
#include <string>
#include <unordered_map>

#include "../common/state_file.hpp"

namespace {
std::unordered_map<std::string, std::string> sessions;  // token -> user name
}  // namespace

FORKSAFE_APP(app) {
  app.post("/login", [](const forksafe::Request& req) {
    std::string token = examples::random_token();
    sessions[token] = req.query_param("user").value_or("anonymous");
    return forksafe::Response::text(token + "\n");
  });
  app.get("/me", [](const forksafe::Request& req) {
    auto it = sessions.find(req.query_param("token").value_or(""));
    if (it == sessions.end()) return forksafe::Response::text("unknown session\n", 401);
    return forksafe::Response::text("hello " + it->second + "\n");
  });
}
