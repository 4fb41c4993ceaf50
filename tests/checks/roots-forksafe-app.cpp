// Fixture: the forksafe handler API. FORKSAFE_APP's body is init, callables passed to
// app.get/post/put/patch/del/route are handlers, on_init hooks are init, on_worker_init hooks run
// after fork: no annotation is written by hand.
#include <forksafe/app.hpp>

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace {
long visits = 0;                         // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::mutex sessionsMutex;
std::map<std::string, std::string> sessions;  // expect: forksafe-per-worker-state
long deletes = 0;                        // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::mt19937 tokens(7);                  // expect: forksafe-prefork-rng
std::mt19937 reseeded(7);
std::string banner;
int workerReady = 0;
int exits = 0;

forksafe::Response Remove(const forksafe::Request&) {
  ++deletes;
  return forksafe::Response::empty(204);
}
}  // namespace

FORKSAFE_APP(app) {
  banner = "hello";
  std::thread([] {}).detach();           // expect: forksafe-prefork-thread
  app.get("/", [](const forksafe::Request&) {
    return forksafe::Response::text(banner + std::to_string(++visits) + "\n");
  });
  app.post("/login", [](const forksafe::Request& req) {
    std::lock_guard<std::mutex> lock(sessionsMutex);
    sessions[std::string(req.header("X-User"))] = req.body;
    return forksafe::Response::text(std::to_string(tokens()) + std::to_string(reseeded()));
  });
  app.del("/items/:id", Remove);
  app.on_init([] { banner += "!"; });
  app.on_worker_init([] {
    workerReady = 1;
    reseeded.seed(std::random_device{}());
  });
  app.on_worker_exit([] { ++exits; });
}
