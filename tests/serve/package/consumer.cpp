// Minimal app built out of tree with find_package(forksafe) and forksafe_add_app(), using the
// installed forksafe::shared library too.
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

namespace {
forksafe::shared::Counter hits("hits");
}

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text("from the package, visit " + std::to_string(hits.add()) + "\n");
  });
}
