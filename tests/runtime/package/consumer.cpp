// Minimal app built out of tree with find_package(forksafe) and forksafe_add_app().
#include <forksafe/app.hpp>

FORKSAFE_APP(app) {
  app.get("/",
          [](const forksafe::Request&) { return forksafe::Response::text("from the package\n"); });
}
