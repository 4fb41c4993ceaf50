// Fixture for forksafe::shared (runtime/include/forksafe/shared.hpp): a class marked
// FORKSAFE_SHARED_TYPE keeps its state where every worker sees it and synchronises its updates,
// so using it from handlers is neither per-worker state nor a race.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state,forksafe-unsynchronized-state
#include <memory>
#include <string>

#include "forksafe/shared.hpp"

forksafe::shared::Counter g_hits("hits");
forksafe::shared::Map g_sessions("sessions");
std::unique_ptr<forksafe::shared::Map> g_cache;  // behind a pointer: still the shared map
forksafe::shared::Counter& Ids() {
  static forksafe::shared::Counter ids("ids");
  return ids;
}

// A user's own shared type, marked the same way.
struct FORKSAFE_SHARED_TYPE ExternalQueue {
  void push(const std::string&) {}
};
ExternalQueue g_queue;

long g_plainHits = 0;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state

FORKSAFE_INIT void Init() { g_cache = std::make_unique<forksafe::shared::Map>("cache"); }

FORKSAFE_HANDLER void Handle(const std::string& token) {
  g_hits.add();
  g_sessions.put(token, "user");
  g_sessions.erase("old");
  g_cache->put(token, "v");
  (void)Ids().add(1);
  g_queue.push(token);
  ++g_plainHits;
}
