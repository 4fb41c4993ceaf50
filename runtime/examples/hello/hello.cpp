// Example app used by the benchmark: the smallest useful handler.
#include <forksafe/app.hpp>

FORKSAFE_APP(app) {
  app.get("/",
          [](const forksafe::Request&) { return forksafe::Response::text("Hello, world!\n"); });
}
