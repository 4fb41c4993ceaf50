// Example app (broken pre-fork connection, run with --preload): the "database" descriptor is opened
// in the master and shared by every worker, file offset included, so concurrent appends overwrite
// each other.
#include <fcntl.h>
#include <unistd.h>

#include <forksafe/app.hpp>
#include <string>

#include "../common/state_file.hpp"

namespace {
int db = -1;  // stands in for a database connection
}  // namespace

FORKSAFE_APP(app) {
  app.on_init([] {
    db = ::open(examples::state_path("ledger.db").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  });
  app.post("/entries", [](const forksafe::Request& req) {
    std::string line = req.query_param("item").value_or("?") + "\n";
    ::lseek(db, 0, SEEK_END);  // the offset is shared with every other worker
    if (::write(db, line.data(), line.size()) < 0)
      return forksafe::Response::text("write failed\n", 500);
    return forksafe::Response::text("stored\n", 201);
  });
}
