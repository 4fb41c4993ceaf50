// The analysis model over the facts of one program: who writes which variable, and which
// functions run at request time, at init time (before fork) and at worker init.
//
// Reachability, in one paragraph: init time is what init roots (FORKSAFE_INIT, main) and static
// initializers reach through direct calls they make themselves (not callbacks, not virtual
// dispatch); worker init is what FORKSAFE_WORKER_INIT
// and std::call_once callbacks reach. Request time is what handler roots reach through calls and
// callables they pass on. With no handler root and no handler pattern, every function that is
// not init time or worker init is a possible request path: callables passed to a server or a
// thread and functions nobody in the program calls are treated as entry points.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "facts/Facts.h"

namespace forksafe {

// How the program is deployed: worker processes forked from an initialised master (every rule
// applies), or independent replicas of a process that never forks (see docs/checker.md).
enum class Deployment { Prefork, Replicas };

struct DeploymentChoice {
  Deployment model = Deployment::Prefork;
  std::string reason;  // "forksafe app", "fork() before serving", "--deployment", ...
};

struct ModelOptions {
  std::optional<Deployment> forced;                 // --deployment
  std::map<std::string, Deployment> unitOverrides;  // a unit's .forksafe.yaml Deployment
  std::map<std::string, std::string> preforkHints;  // unit -> TUFacts::preforkHint
};

struct ResolvedAccess {
  std::string function;
  Location loc;
  bool write = false;
  bool locked = false;
  bool atomic = false;
  std::string how;
  bool pointee = false;  // the object the variable points to, not the variable (Base::pointee)
  bool shared = false;   // ... and that object is shared memory (mmap MAP_SHARED, shmat)
  const PointsToFact* through = nullptr;  // reached through this pointer aimed at the variable
};

struct PathStep {
  std::string function;  // function id
  Location callSite;     // where the previous step calls it (invalid for the root)
};

class Model {
 public:
  explicit Model(const TUFacts& facts, ModelOptions options = {});

  const TUFacts& facts() const { return facts_; }
  const FunctionFact* function(const std::string& id) const;
  const VariableFact* variable(const std::string& id) const;

  // Every read and write of a variable, symbolic bases resolved, in source order.
  const std::vector<ResolvedAccess>& accesses(const std::string& varId) const;

  bool isRequestTime(const std::string& fn) const { return request_.reached(fn); }
  bool isUnlockedRequestTime(const std::string& fn) const { return unlocked_.reached(fn); }
  bool isInitTime(const std::string& fn) const { return init_.reached(fn); }
  bool isWorkerInit(const std::string& fn) const { return workerInit_.reached(fn); }
  // Init time of a program deployed pre-fork: reached from an init root whose unit forks.
  bool isPreforkInitTime(const std::string& fn) const { return preforkInit_.reached(fn); }
  // The deployment of the program `fn` belongs to (that of the TU whose definition of it was kept).
  const DeploymentChoice& deployment(const std::string& fn) const;
  // True when no handler root or pattern exists and entry points were inferred.
  bool inferredRoots() const { return inferred_; }
  // Whether `fn` belongs to a program whose entry points were inferred: all of them when
  // inferredRoots(), else the files with a main() and no handler root of their own.
  bool inferredRootsFor(const std::string& fn) const;

  // Root-first call paths that make `fn` request time / unlocked request time / init time.
  std::vector<PathStep> requestPath(const std::string& fn) const { return request_.path(fn); }
  std::vector<PathStep> unlockedPath(const std::string& fn) const { return unlocked_.path(fn); }
  std::vector<PathStep> initPath(const std::string& fn) const { return init_.path(fn); }
  std::vector<PathStep> preforkInitPath(const std::string& fn) const {
    return preforkInit_.path(fn);
  }
  // Every call on some path from a root that makes `fn` request time / unlocked request time /
  // init time / pre-fork init time, in no particular order: a change to any of them can change
  // how `fn` is reached (the report filter's anchors, ReportFilter.h).
  std::vector<Location> requestCalls(const std::string& fn) const { return request_.callsTo(fn); }
  std::vector<Location> unlockedCalls(const std::string& fn) const { return unlocked_.callsTo(fn); }
  std::vector<Location> initCalls(const std::string& fn) const { return init_.callsTo(fn); }
  std::vector<Location> preforkInitCalls(const std::string& fn) const {
    return preforkInit_.callsTo(fn);
  }

  // "handler 'save()'", "callback lambda at app.cpp:12:3", "main()"...
  std::string describeRoot(const std::string& fn) const;

  // Where the pointer-like variable is aimed at static storage or shared memory (PointsToFact).
  const std::vector<const PointsToFact*>& aims(const std::string& pointerId) const;

  // Whether `fn` returns, or stores into *this, a descriptor it (transitively) opens.
  bool producesDescriptor(const std::string& fn) const { return producers_.count(fn) != 0; }

 private:
  struct Edge {
    int to;
    EdgeKind kind;
    bool locked;
    Location loc;
  };
  struct Reach {
    std::vector<int> parent;  // -2: unreached, -1: root
    std::vector<Location> via;
    const Model* model = nullptr;
    bool initTime = false;  // do not enter worker-init or handler roots (see stopsInit)
    bool (*follow)(const Edge&) = nullptr;  // the edges bfs() followed
    bool reached(const std::string& fn) const;
    std::vector<PathStep> path(const std::string& fn) const;
    std::vector<Location> callsTo(const std::string& fn) const;
  };

  static bool stopsInit(RootKind root);
  int index(const std::string& fn) const;
  Reach newReach() const;
  void bfs(Reach& reach, const std::vector<int>& roots, bool (*follow)(const Edge&)) const;
  void buildGraph();
  void computeReachability();
  void resolveAccesses();
  void computeProducers();
  // A storage a base designates once symbols are resolved: a variable or what it points to.
  struct Target {
    std::string var;
    bool pointee = false;
    bool shared = false;
    const PointsToFact* through = nullptr;
    bool operator<(const Target& o) const {
      return std::tie(var, pointee, shared, through) <
             std::tie(o.var, o.pointee, o.shared, o.through);
    }
  };
  std::set<std::pair<std::string, bool>> designated(const Base& base) const;
  std::set<Target> resolve(const Base& base) const;
  void computeAims();
  void computeDeployments();

  const TUFacts& facts_;
  ModelOptions options_;
  std::map<std::string, DeploymentChoice> unitDeployment_;
  DeploymentChoice defaultDeployment_;
  std::unordered_map<std::string, int> functionIndex_;
  std::unordered_map<std::string, const VariableFact*> variables_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<std::vector<std::pair<int, size_t>>> callers_;  // (caller, index in its edges_)
  std::vector<bool> callbackTarget_;
  std::vector<bool> hasCaller_;
  Reach init_, workerInit_, request_, unlocked_, preforkInit_;
  bool inferred_ = false;
  std::set<std::string> inferredUnits_;
  // (function, parameter, through it) that the function modifies: the argument itself or what
  // it points to. Unlocked: somewhere without a lock.
  using ParamWrite = std::tuple<std::string, unsigned, bool>;
  std::set<ParamWrite> paramWrites_;
  std::set<ParamWrite> paramUnlockedWrites_;
  std::map<std::string, std::set<std::pair<std::string, bool>>> returns_;  // (variable, pointee)
  // Pointers every non-null store aims at static storage or shared memory, with those stores.
  std::map<std::string, std::vector<const PointsToFact*>> aims_;
  std::unordered_map<std::string, std::vector<ResolvedAccess>> accesses_;
  std::set<std::string> producers_;
};

}  // namespace forksafe
