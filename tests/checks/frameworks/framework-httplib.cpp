// Fixture: cpp-httplib, compiled against the real <httplib.h> (Debian's libcpp-httplib-dev).
// Handlers are the callables passed to Server::Get/Post/...; main() runs listen() in a
// std::thread: what main does before starting that thread is init, what follows it is request
// time, and neither Get() nor listen() is a write of the global server.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state,forksafe-unsynchronized-state
#include <httplib.h>

#include <string>
#include <thread>

httplib::Server svr;
long hits = 0;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state // expect-message: handler 'GET /users/:id'
long logins = 0;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state // expect-message: handler 'POST /login'
long afterStart = 0;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state // expect-message: main() after starting the thread that runs listen()
std::string greeting;
int port = 0;
int unusedSetting = 0;

void on_login(const httplib::Request&, httplib::Response& res) {
  ++logins;
  res.set_content("ok", "text/plain");
}

// Nothing calls it and a framework is known, so it is not guessed to be a request path.
void set_unused(int v) { unusedSetting = v; }

int main() {
  greeting = "hello";
  port = 8080;
  svr.Get("/users/:id", [](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content(greeting, "text/plain");
  });
  svr.Post("/login", on_login);
  std::thread server([&] { svr.listen("127.0.0.1", port); });
  ++afterStart;
  server.join();
}
