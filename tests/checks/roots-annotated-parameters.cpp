// Fixture: a framework marks its registration parameters, so callables passed there become
// handler, init or worker-init roots without annotations in user code.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "forksafe/annotations.hpp"

class Router {
 public:
  template <class F>
  void on(const std::string& path, FORKSAFE_HANDLER F&& handler) {
    routes_[path] = std::function<std::string()>(handler);
  }
  void at_start(FORKSAFE_INIT std::function<void()> hook) { hooks_.push_back(hook); }
  void per_worker(FORKSAFE_WORKER_INIT std::function<void()> hook) { hooks_.push_back(hook); }
  void later(std::function<void()> task) { hooks_.push_back(task); }

 private:
  std::map<std::string, std::function<std::string()>> routes_;
  std::vector<std::function<void()>> hooks_;
};

int g_hits = 0;                          // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::vector<std::string> g_log;          // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_loaded = 0;
int g_workerReady = 0;
int g_notRegistered = 0;

std::string Status() {
  g_log.push_back("status");
  return "ok";
}

void Setup(Router& router) {
  router.on("/hit", [] {
    ++g_hits;
    return std::string("hit");
  });
  router.on("/status", Status);
  router.at_start([] { g_loaded = 1; });
  router.per_worker([] { g_workerReady = 1; });
  router.later([] { g_notRegistered++; });  // a plain parameter: not a handler root
}
