// Test app for forksafe::shared under forksafe-serve: a counter, a map written in bursts (to kill
// workers in the middle of), and a consistency check of the arena.
#include <forksafe/app.hpp>
#include <forksafe/shared.hpp>
#include <string>

#include "shm_arena.hpp"
#include "shm_store.hpp"

namespace {
forksafe::shared::Counter hits("hits");
forksafe::shared::Map items("items", [] {
  forksafe::shared::MapOptions o;
  o.max_entries = 256;
  o.evict_lru = true;
  return o;
}());

std::optional<std::string> plus_one(std::optional<std::string_view> v) {
  return std::to_string(v ? std::stoll(std::string(*v)) + 1 : 1);
}
}  // namespace

FORKSAFE_APP(app) {
  app.get("/count", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(hits.add(1)) + "\n");
  });
  app.get("/total", [](const forksafe::Request&) {
    return forksafe::Response::text(std::to_string(hits.get()) + "\n");
  });
  app.get("/put/:key/:value", [](const forksafe::Request& req) {
    items.put(req.param("key"), req.param("value"));
    return forksafe::Response::text("ok\n");
  });
  app.get("/get/:key", [](const forksafe::Request& req) {
    auto v = items.get(req.param("key"));
    return v ? forksafe::Response::text(*v + "\n") : forksafe::Response::text("none\n", 404);
  });
  // Many writes per request, so a kill -9 lands inside one with good odds.
  app.get("/churn", [](const forksafe::Request&) {
    for (int i = 0; i < 200; ++i) {
      items.put("k" + std::to_string(i % 300), std::string(static_cast<std::size_t>(i % 97), 'v'));
      items.update("updates", plus_one);
      if (i % 5 == 0) items.erase("k" + std::to_string((i * 7) % 300));
    }
    return forksafe::Response::text(std::to_string(hits.add(1)) + "\n");
  });
  app.get("/check", [](const forksafe::Request&) {
    auto* shm =
        dynamic_cast<forksafe::shared::shm::ShmStore*>(forksafe::shared::default_store().get());
    if (!shm) return forksafe::Response::text("not shm\n", 500);
    std::string problem = forksafe::shared::shm::check_arena(shm->arena());
    return forksafe::Response::text(problem.empty() ? "ok\n" : problem + "\n");
  });
}
