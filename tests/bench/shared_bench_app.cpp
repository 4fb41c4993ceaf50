// App for tests/bench/shared_bench.sh: the same counter and map operations over HTTP on the shm
// arena, on Redis ($FORKSAFE_BENCH_REDIS) and on locked files (examples/common/state_file.hpp).
#include <cstdlib>
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <memory>
#include <string>

#include "../../runtime/examples/common/state_file.hpp"

namespace {
namespace shared = forksafe::shared;

shared::MapOptions options() {
  shared::MapOptions o;
  o.max_entries = 4096;
  o.max_value_bytes = 256;
  return o;
}

struct Objects {
  shared::Counter counter;
  shared::Map map;
  explicit Objects(const std::shared_ptr<shared::Store>& store)
      : counter("bench", store), map("bench", options(), store) {}
};

std::unique_ptr<Objects> open_redis() {
  const char* url = std::getenv("FORKSAFE_BENCH_REDIS");
  if (!url || !*url) return nullptr;
  return std::make_unique<Objects>(shared::open(url));  // connects on first use, after fork
}

Objects shm(nullptr);  // the default store: the arena forksafe-serve made
const std::unique_ptr<Objects> redis = open_redis();
const std::string kValue(64, 'v');

std::string key(const forksafe::Request& req) { return "session-" + std::string(req.param("n")); }

Objects& on_redis() {
  if (!redis) throw forksafe::Unavailable("FORKSAFE_BENCH_REDIS is not set");
  return *redis;
}
}  // namespace

FORKSAFE_APP(app) {
  using forksafe::Request;
  using forksafe::Response;
  app.get("/shm/count",
          [](const Request&) { return Response::text(std::to_string(shm.counter.add(1)) + "\n"); });
  app.get("/shm/get/:n", [](const Request& r) {
    return Response::text(shm.map.get(key(r)).value_or("none") + "\n");
  });
  app.get("/shm/put/:n", [](const Request& r) {
    shm.map.put(key(r), kValue);
    return Response::text("ok\n");
  });
  app.get("/redis/count", [](const Request&) {
    return Response::text(std::to_string(on_redis().counter.add(1)) + "\n");
  });
  app.get("/redis/get/:n", [](const Request& r) {
    return Response::text(on_redis().map.get(key(r)).value_or("none") + "\n");
  });
  app.get("/redis/put/:n", [](const Request& r) {
    on_redis().map.put(key(r), kValue);
    return Response::text("ok\n");
  });
  app.get("/file/count", [](const Request&) {
    return Response::text(std::to_string(examples::add_to_counter("bench-counter", 1)) + "\n");
  });
  app.get("/file/get/:n", [](const Request& r) {
    return Response::text(examples::read_state(key(r)).value_or("none") + "\n");
  });
  app.get("/file/put/:n", [](const Request& r) {
    examples::write_state(key(r), kValue);
    return Response::text("ok\n");
  });
}
