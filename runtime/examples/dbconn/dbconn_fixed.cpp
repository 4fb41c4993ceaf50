// Example app (fixed connection): each worker opens its own descriptor after fork (on_worker_init),
// in append mode, so writes from different workers never share an offset.
#include <fcntl.h>
#include <unistd.h>

#include <forksafe/app.hpp>
#include <string>

#include "../common/state_file.hpp"

namespace {
int db = -1;  // one per worker: written only in on_worker_init
}  // namespace

FORKSAFE_APP(app) {
  app.on_worker_init([] {
    db = ::open(examples::state_path("ledger.db").c_str(),
                O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  });
  app.on_worker_exit([] { ::close(db); });
  app.post("/entries", [](const forksafe::Request& req) {
    std::string line = req.query_param("item").value_or("?") + "\n";
    if (::write(db, line.data(), line.size()) < 0)
      return forksafe::Response::text("write failed\n", 500);
    return forksafe::Response::text("stored\n", 201);
  });
}
