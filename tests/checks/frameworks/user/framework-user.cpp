// Fixture: a framework added by the user in .forksafe.yaml (next to this file): Router::on
// registers handlers, TINY_HANDLER defines one, start() starts serving and returns.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include "tinyhttp.h"

#include <string>

long posts = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'POST /posts'
long pings = 0;  // expect: forksafe-per-worker-state // expect-message: handler 'GET /ping'
long afterServe = 0;  // expect: forksafe-per-worker-state // expect-message: main() after start()
std::string title;

TINY_HANDLER("/ping", ping) {
  ++pings;
  return body;
}

int main() {
  title = "blog";
  tiny::Router router;
  router.on("POST", "/posts", [](const std::string& body) {
    ++posts;
    return title + body;
  });
  tiny::start(router);
  ++afterServe;
}
