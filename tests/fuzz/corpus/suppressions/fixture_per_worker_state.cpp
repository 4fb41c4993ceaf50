// Fixture for forksafe-per-worker-state: state written on a request path diverges per worker.
// RUN-ARGS: --checks=-*,forksafe-per-worker-state
#include <algorithm>
#include <atomic>
#include <iterator>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "forksafe/annotations.hpp"

// --- plain writes ---------------------------------------------------------------------------
int g_visits = 0;                       // expect: forksafe-per-worker-state
std::atomic<long> g_atomicHits{0};      // expect: forksafe-per-worker-state
std::mutex g_sessionsMutex;
std::map<std::string, std::string> g_sessions;  // expect: forksafe-per-worker-state
namespace {
int g_anonCounter = 0;                  // expect: forksafe-per-worker-state
}
static int g_fileStatic = 0;            // expect: forksafe-per-worker-state
thread_local int g_threadLocalCount = 0;  // expect: forksafe-per-worker-state

struct Stats {
  long hits = 0;
  long misses = 0;
};
Stats g_stats;                          // expect: forksafe-per-worker-state
int g_histogram[16];                    // expect: forksafe-per-worker-state
std::string g_lastPath;                 // expect: forksafe-per-worker-state

struct IdGenerator {
  static long next;
  static long take() { return next++; }
};
long IdGenerator::next = 1;             // expect: forksafe-per-worker-state

FORKSAFE_HANDLER void Visit() {
  ++g_visits;                           // expect-note: forksafe-per-worker-state
  g_atomicHits.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(g_sessionsMutex);
    g_sessions.emplace("id", "user");
  }
  g_anonCounter += 2;
  g_fileStatic = 7;
  g_threadLocalCount++;
  g_stats.hits++;
  g_histogram[3] = 1;
  g_lastPath.append("/x");
  (void)IdGenerator::take();
}

// --- function-local statics, singletons and accessors -----------------------------------------
struct Registry {
  std::vector<std::string> names;
  void add(const std::string& n) { names.push_back(n); }
};
Registry& TheRegistry() {
  static Registry registry;             // expect: forksafe-per-worker-state
  return registry;
}
int g_total = 0;                        // expect: forksafe-per-worker-state
int& Total() { return g_total; }

FORKSAFE_HANDLER int MemoFib(int n) {
  static std::unordered_map<int, int> memo;  // expect: forksafe-per-worker-state
  auto it = memo.find(n);
  if (it != memo.end()) return it->second;
  int value = n < 2 ? n : MemoFib(n - 1) + MemoFib(n - 2);
  memo[n] = value;
  return value;
}

FORKSAFE_HANDLER void Register() {
  static int calls = 0;                 // expect: forksafe-per-worker-state
  ++calls;
  TheRegistry().add("x");
  Total() += 1;
}

// --- writes through helpers, references, pointers and callees ------------------------------
int g_bumped = 0;                       // expect: forksafe-per-worker-state
int g_cleared[4];                       // expect: forksafe-per-worker-state
int g_swapped = 0;                      // expect: forksafe-per-worker-state
int g_viaHelper = 0;                    // expect: forksafe-per-worker-state
int g_viaPointerAlias = 0;              // expect: forksafe-per-worker-state
std::map<std::string, int> g_viaRefAlias;  // expect: forksafe-per-worker-state
std::vector<int> g_rangeFor{1, 2, 3};   // expect: forksafe-per-worker-state
std::map<std::string, int> g_iterWrite;  // expect: forksafe-per-worker-state
std::tuple<int, int> g_tuple;           // expect: forksafe-per-worker-state
int g_peeked = 0;

void Bump(int& x) { x++; }
void BumpTwice(int& y) { Bump(y); Bump(y); }
void Peek(int& x) { (void)x; }
void StoreHelper() { g_viaHelper = 42; }  // expect-note: forksafe-per-worker-state

FORKSAFE_HANDLER void Helpers() {
  BumpTwice(g_bumped);
  std::memset(g_cleared, 0, sizeof g_cleared);
  int local = 3;
  std::swap(g_swapped, local);
  StoreHelper();
  int* p = &g_viaPointerAlias;
  *p = 5;
  auto& counts = g_viaRefAlias;
  counts["a"]++;
  for (int& v : g_rangeFor) v *= 2;
  auto it = g_iterWrite.find("k");
  if (it != g_iterWrite.end()) it->second++;
  std::get<0>(g_tuple) = 4;
  Peek(g_peeked);
}

// --- lambdas, templates and virtual calls ------------------------------------------------------
int g_lambdaWrite = 0;                  // expect: forksafe-per-worker-state
long g_templateSum = 0;                 // expect: forksafe-per-worker-state
int g_overrideWrite = 0;                // expect: forksafe-per-worker-state

template <typename T>
void Accumulate(T value) { g_templateSum += static_cast<long>(value); }

struct Sink {
  virtual ~Sink() = default;
  virtual void put(int) = 0;
};
struct CountingSink : Sink {
  void put(int v) override { g_overrideWrite += v; }
};
void Emit(Sink& sink) { sink.put(1); }

FORKSAFE_HANDLER void Indirect(Sink& sink) {
  auto inc = [] { ++g_lambdaWrite; };
  inc();
  Accumulate(3);
  Emit(sink);
}

// --- negatives --------------------------------------------------------------------------------
const int kMaxUsers = 100;
constexpr double kRatio = 0.5;
int g_readOnly = 9;
std::vector<int> g_table{1, 2, 3};
std::map<std::string, int> g_lookup{{"a", 1}};
int g_initOnly = 0;
int g_workerInitOnly = 0;
int g_dynamicInit = [] { return 40 + 2; }();
FORKSAFE_PER_WORKER std::unordered_map<int, int> g_perWorkerCache;
std::once_flag g_once;
std::mt19937 g_engine(std::random_device{}());
struct Db { void query(const char*) {} };
Db* g_db = nullptr;
std::unique_ptr<Db> g_ownedDb;
std::string g_config;
int g_uncalledWriter = 0;

FORKSAFE_INIT void Init() {
  g_initOnly = 1;
  g_db = new Db;
  g_ownedDb = std::make_unique<Db>();
}
FORKSAFE_WORKER_INIT void WorkerInit() { g_workerInitOnly = 2; }
void NeverCalledFromHandlers() { g_uncalledWriter = 3; }

struct PerRequest {
  int count = 0;
  void bump() { count++; }
};

FORKSAFE_HANDLER int Negatives(int i) {
  int sum = kMaxUsers + static_cast<int>(kRatio) + g_readOnly + g_dynamicInit;
  sum += g_table.at(1) + g_table[2] + static_cast<int>(g_table.size());
  if (g_lookup.find("a") != g_lookup.end()) sum += g_lookup.count("a");
  g_perWorkerCache[i] = sum;
  std::call_once(g_once, [] { g_config = "loaded"; });
  sum += static_cast<int>(g_engine());
  g_db->query("select 1");
  g_ownedDb->query("select 2");
  PerRequest local;
  local.bump();
  return sum;
}

// --- containers, wrappers and user operators -------------------------------------------------
std::vector<std::string> g_queue;       // expect: forksafe-per-worker-state
std::optional<Stats> g_maybeStats;      // expect: forksafe-per-worker-state
std::unique_ptr<Db> g_replaced;         // expect: forksafe-per-worker-state
Db* g_rebound = nullptr;                // expect: forksafe-per-worker-state
struct Money {
  long cents = 0;
  Money& operator+=(long c) { cents += c; return *this; }
};
Money g_balance;                        // expect: forksafe-per-worker-state
std::map<int, int> g_erased{{1, 1}};    // expect: forksafe-per-worker-state

FORKSAFE_HANDLER void Containers() {
  g_queue.push_back("job");
  g_maybeStats->hits = 1;
  g_replaced.reset(new Db);
  g_rebound = new Db;
  g_balance += 5;
  g_erased.erase(1);
}

// --- member functions of the program: a write only when they modify the object -------------
struct Client {
  void get(const char*) {}  // not const, but changes nothing in the object
  int timeouts = 0;
  void noteTimeout() { ++timeouts; }
};
struct Counter {
  int n = 0;
  void inc() { add(1); }
  void add(int k) { n += k; }
};
struct Declared {
  void mutate();  // defined in another translation unit: assumed to modify
};
Client g_client;
Client g_flakyClient;                   // expect: forksafe-per-worker-state
Counter g_counter;                      // expect: forksafe-per-worker-state
Declared g_declared;                    // expect: forksafe-per-worker-state

FORKSAFE_HANDLER void Members() {
  g_client.get("/health");
  g_flakyClient.noteTimeout();
  g_counter.inc();
  g_declared.mutate();
}

// --- standard algorithms that write through iterators ---------------------------------------
std::vector<int> g_sortedScores{3, 1, 2};     // expect: forksafe-per-worker-state
std::vector<int> g_copyTarget(3);            // expect: forksafe-per-worker-state
std::vector<int> g_appendTarget;             // expect: forksafe-per-worker-state
std::vector<int> g_searchedOnly{1, 2, 3};

FORKSAFE_HANDLER int Algorithms() {
  std::sort(g_sortedScores.begin(), g_sortedScores.end());
  std::copy(g_searchedOnly.begin(), g_searchedOnly.end(), g_copyTarget.begin());
  std::copy(g_searchedOnly.begin(), g_searchedOnly.end(), std::back_inserter(g_appendTarget));
  return static_cast<int>(std::count(g_searchedOnly.begin(), g_searchedOnly.end(), 2));
}

// --- calls through function pointers and std::function reach address-taken functions --------
#include <functional>
int g_viaPointerTable = 0;              // expect: forksafe-per-worker-state
int g_viaStdFunction = 0;               // expect: forksafe-per-worker-state
int g_otherSignature = 0;
void BumpTable(int n) { g_viaPointerTable += n; }
void Unrelated(long n) { g_otherSignature += static_cast<int>(n); }
using Op = void (*)(int);
const Op kOps[] = {BumpTable};
long (*g_neverCalledThrough)(long) = nullptr;
std::function<void(int)> g_hook;

FORKSAFE_INIT void InstallHook() {
  g_hook = [](int n) { g_viaStdFunction += n; };
  auto keep = &Unrelated;
  (void)keep;
}

FORKSAFE_HANDLER void Dispatch(int i) {
  kOps[i](1);
  g_hook(2);
}
