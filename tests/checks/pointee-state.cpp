// Fixture for state behind pointers: fork copies the heap like .data, so a write to an object a
// static pointer, reference or smart pointer points to is per-worker state of that variable.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state,forksafe-unsynchronized-state
#include <sys/mman.h>

#include <cstdio>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

#include "forksafe/annotations.hpp"

struct Cache {
  std::map<std::string, std::string> items;
  long hits = 0;
  void put(const std::string& k, const std::string& v) { items[k] = v; }
  std::string get(const std::string& k) const {
    auto it = items.find(k);
    return it == items.end() ? "" : it->second;
  }
};
struct Counter { long n = 0; };
struct Registry {
  int added = 0;
  void add() { ++added; }
};
// A handle: its methods change nothing of its own members.
struct Connection {
  int fd = -1;
  long send(const std::string& s) const { return static_cast<long>(s.size()) + fd; }
  void flush() {}
};
struct Service {
  std::unique_ptr<Cache> store;
  void handle(const std::string& k) { store->put(k, "v"); }
};
struct App {
  Cache* cache = nullptr;
};

// --- raw, smart and reference indirection ----------------------------------------------------
Cache* g_cache = nullptr;                      // expect: forksafe-per-worker-state forksafe-unsynchronized-state
Counter* g_counter = nullptr;                  // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::unique_ptr<Cache> g_sessions;             // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::unique_ptr<Cache> g_viaGet;               // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::shared_ptr<Cache> g_shared;               // expect: forksafe-per-worker-state forksafe-unsynchronized-state
static Registry& g_registryRef = *new Registry;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state
Cache* const g_constPointer = new Cache;       // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::map<std::string, Counter*> g_byName;      // expect: forksafe-per-worker-state forksafe-unsynchronized-state
Service g_service;                             // expect: forksafe-per-worker-state forksafe-unsynchronized-state
App g_app;                                     // expect: forksafe-per-worker-state forksafe-unsynchronized-state
Cache* g_locked = nullptr;                     // expect: forksafe-per-worker-state
std::mutex g_lockedMutex;

// Lazily created singletons: the static pointer or reference inside the accessor is reported.
Registry& Instance() {
  static Registry* instance = new Registry;    // expect: forksafe-per-worker-state forksafe-unsynchronized-state
  return *instance;
}
Registry* InstancePtr() {
  static Registry* instancePtr = new Registry;  // expect: forksafe-per-worker-state forksafe-unsynchronized-state
  return instancePtr;
}

// Aimed at static storage: the target is reported, the pointer only explains.
long g_quota = 0;                              // expect: forksafe-per-worker-state forksafe-unsynchronized-state
long* g_slot = nullptr;
long g_tableTarget = 0;                        // expect: forksafe-per-worker-state forksafe-unsynchronized-state
long* g_table[2] = {nullptr, nullptr};

// Standard calls that take the variable by non-const reference write it.
int g_generation = 0;                          // expect: forksafe-per-worker-state forksafe-unsynchronized-state
std::string g_lastLine;                        // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_parsed = 0;                              // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_left = 0;                                // expect: forksafe-per-worker-state forksafe-unsynchronized-state
int g_right = 0;                               // expect: forksafe-per-worker-state forksafe-unsynchronized-state

// Shared memory is one object for every worker: not per-worker state, but still raced on.
long* g_sharedCount = nullptr;                 // expect: forksafe-unsynchronized-state
long* g_privateCount = nullptr;                // expect: forksafe-per-worker-state forksafe-unsynchronized-state

// --- negatives (a per-worker pointer still races) -------------------------------------------
Connection* g_connection = nullptr;            // methods that change nothing of the object
const Cache* g_readOnly = nullptr;             // pointer to const
Cache* g_initOnly = nullptr;                   // written through only at init
FORKSAFE_PER_WORKER Cache* g_perWorker = nullptr;  // expect: forksafe-unsynchronized-state
std::mutex* g_mutex = nullptr;                 // a pointer to a mutex is not state
std::FILE* g_log = nullptr;                    // a library handle: writing to it is I/O
// A library declared in a header that is not a system one (vendored), defined in no file here.
struct LibDb { int handle; };
int lib_exec(LibDb* db, const char* sql);
LibDb* g_libDb = nullptr;                      // handed to the library: its object, not our state
long g_filled = 0;                             // expect: forksafe-per-worker-state forksafe-unsynchronized-state
void lib_fill(long* out);

void Bump(Counter* c) { c->n++; }

FORKSAFE_INIT void Init() {
  g_cache = new Cache;
  g_counter = new Counter;
  g_sessions = std::make_unique<Cache>();
  g_viaGet = std::make_unique<Cache>();
  g_shared = std::make_shared<Cache>();
  g_service.store = std::make_unique<Cache>();
  g_app.cache = new Cache;
  g_locked = new Cache;
  g_byName["a"] = new Counter;
  g_slot = &g_quota;                           // expect-note: forksafe-per-worker-state
  g_table[1] = &g_tableTarget;
  g_sharedCount = static_cast<long*>(
      mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  g_privateCount = static_cast<long*>(
      mmap(nullptr, sizeof(long), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  g_connection = new Connection;
  g_initOnly = new Cache;
  g_initOnly->put("warm", "up");
  g_perWorker = new Cache;
  g_mutex = new std::mutex;
  g_log = std::fopen("/dev/null", "w");
}

FORKSAFE_HANDLER void Handle(const std::string& k) {
  g_cache->put(k, "v");                        // expect-note: forksafe-per-worker-state
  Bump(g_counter);                             // expect-note: forksafe-per-worker-state
  g_sessions->items[k] = "x";
  g_viaGet.get()->hits++;
  (*g_shared).put(k, "y");
  g_registryRef.add();
  g_constPointer->hits += 2;
  g_byName[k]->n++;
  g_service.handle(k);
  g_app.cache->put(k, "z");
  {
    std::lock_guard<std::mutex> lock(g_lockedMutex);
    g_locked->put(k, "w");
  }
  Instance().add();
  InstancePtr()->added++;
  *g_slot += 5;                                // expect-note: forksafe-per-worker-state
  long* where = g_table[1];
  ++*where;
  int previous = std::exchange(g_generation, g_generation + 1);
  (void)previous;
  std::istringstream in(k);
  std::getline(in, g_lastLine);
  in >> g_parsed;
  std::swap(g_left, g_right);
  ++*g_sharedCount;
  ++*g_privateCount;

  (void)g_connection->send(k);
  g_connection->flush();
  (void)g_readOnly->get(k);
  (void)g_initOnly->get(k);
  g_perWorker->put(k, "mine");
  g_mutex->lock();
  g_mutex->unlock();
  std::fprintf(g_log, "%s\n", k.c_str());
  lib_exec(g_libDb, "select 1");
  lib_fill(&g_filled);                         // a variable itself passed out may be written
}
