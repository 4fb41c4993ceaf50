// Fixture: Crow, through a STAND-IN header (include/crow.h; Debian has no Crow) that reproduces
// CROW_ROUTE, methods("POST"_method) and run(). The callables a CROW_ROUTE registers are the
// handlers, named by their route.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state --extra-arg=-isystem%S/include
#include <crow.h>

#include <map>
#include <string>

long views = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'GET /users/<int>'
long edits = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'PUT,POST /edit'
std::map<std::string, std::string> notes;  // expect: forksafe-per-worker-state // expect-message: handler 'POST /notes'
std::string motd;
long shutdowns = 0;  // written after run() returns: shutdown, neither init nor a request
int workers = 0;

int main() {
  crow::SimpleApp app;
  motd = "welcome";
  workers = 4;
  CROW_ROUTE(app, "/users/<int>")([](int id) {
    ++views;
    return crow::response(motd + std::to_string(id));
  });
  CROW_ROUTE(app, "/notes").methods("POST"_method)([](const crow::request& req) {
    notes[req.url] = req.body;
    return crow::response(201);
  });
  CROW_ROUTE(app, "/edit").methods("PUT"_method, "POST"_method)([] {
    ++edits;
    return crow::response(204);
  });
  app.port(18080).multithreaded().run();
  ++shutdowns;
}
