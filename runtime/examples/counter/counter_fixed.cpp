// Example app (fixed counter): the count lives in a locked file all workers share, so -w 4 counts
// 1, 2, 3, 4.
#include <forksafe/app.hpp>
#include <string>

#include "../common/state_file.hpp"

FORKSAFE_APP(app) {
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(examples::add_to_counter("visits", 1)) + "\n");
  });
}
