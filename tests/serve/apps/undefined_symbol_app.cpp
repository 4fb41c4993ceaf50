// An app that links against a function nobody defines: the server must name it, demangled, with
// the library that needed it, before it binds a listener.
#include <forksafe/app.hpp>
#include <string>

int helper_defined_elsewhere(int);  // deliberately never defined

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(helper_defined_elsewhere(1)));
  });
}
