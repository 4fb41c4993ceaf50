// Call graph, reachability, and resolution of symbolic accesses (see Model.h).
#include "model/Model.h"

#include <llvm/ADT/StringRef.h>

#include <algorithm>
#include <deque>
#include <utility>

namespace forksafe {
Model::Model(const TUFacts& facts, ModelOptions options)
    : facts_(facts), options_(std::move(options)) {
  for (size_t i = 0; i < facts_.functions.size(); ++i)
    functionIndex_.try_emplace(facts_.functions[i].id, static_cast<int>(i));
  for (const VariableFact& var : facts_.variables) variables_.try_emplace(var.id, &var);
  buildGraph();
  computeReachability();
  resolveAccesses();
  computeProducers();
  computeDeployments();
}

const DeploymentChoice& Model::deployment(const std::string& fn) const {
  const FunctionFact* f = function(fn);
  if (f) {
    auto it = unitDeployment_.find(f->unit);
    if (it != unitDeployment_.end()) return it->second;
  }
  return defaultDeployment_;
}

// Per unit (translation unit): --deployment, else the unit's configured Deployment, else prefork
// when it is a forksafe app or its main() reaches fork()/daemon()/a framework's multi-process call
// at init time, else replicas when it has a main(). Units with no main() (libraries, handlers
// registered elsewhere) follow the program: prefork when any unit is.
void Model::computeDeployments() {
  std::set<std::string> units;
  for (const FunctionFact& f : facts_.functions) units.insert(f.unit);
  std::map<std::string, std::vector<int>> mains;
  for (size_t i = 0; i < facts_.functions.size(); ++i)
    if (facts_.functions[i].root == RootKind::Main)
      mains[facts_.functions[i].unit].push_back(static_cast<int>(i));
  std::map<std::string, std::vector<const EventFact*>> forksIn;
  for (const EventFact& e : facts_.events)
    if (e.kind == EventKind::Fork) forksIn[e.function].push_back(&e);

  bool anyPrefork = false;
  std::vector<std::string> pending;
  for (const std::string& unit : units) {
    DeploymentChoice choice;
    if (options_.forced) {
      choice = {*options_.forced, "set by --deployment"};
    } else if (auto o = options_.unitOverrides.find(unit); o != options_.unitOverrides.end()) {
      choice = {o->second, "set by Deployment in .forksafe.yaml"};
    } else if (auto h = options_.preforkHints.find(unit);
               h != options_.preforkHints.end() && !h->second.empty()) {
      choice = {Deployment::Prefork, h->second + ", served by forked workers"};
    } else if (auto m = mains.find(unit); m != mains.end()) {
      Reach reach = newReach();
      reach.initTime = true;
      bfs(reach, m->second,
          [](const Edge& e) { return e.kind == EdgeKind::Direct || e.kind == EdgeKind::Once; });
      const EventFact* fork = nullptr;
      for (const auto& [fn, events] : forksIn)
        if (reach.reached(fn) && (!fork || events.front()->loc < fork->loc)) fork = events.front();
      if (fork)
        choice = {Deployment::Prefork, "main() calls " + fork->api + "() before serving"};
      else
        choice = {Deployment::Replicas,
                  "main() does not fork before serving, so the program scales by replicas"};
    } else {
      pending.push_back(unit);
      continue;
    }
    anyPrefork |= choice.model == Deployment::Prefork;
    unitDeployment_[unit] = std::move(choice);
  }
  if (anyPrefork)
    defaultDeployment_ = {Deployment::Prefork, "a program of this database forks its workers"};
  else if (unitDeployment_.empty())
    defaultDeployment_ = {Deployment::Prefork, "no main() is checked, so pre-fork is assumed"};
  else
    defaultDeployment_ = {Deployment::Replicas, "no program of this database forks"};
  if (options_.forced) defaultDeployment_ = {*options_.forced, "set by --deployment"};
  for (const std::string& unit : pending) unitDeployment_[unit] = defaultDeployment_;

  preforkInit_ = newReach();
  preforkInit_.initTime = true;
  std::vector<int> roots;
  for (size_t i = 0; i < facts_.functions.size(); ++i) {
    const FunctionFact& f = facts_.functions[i];
    bool initRoot = f.isStaticInit || f.root == RootKind::Init || f.root == RootKind::Main;
    if (initRoot && deployment(f.id).model == Deployment::Prefork)
      roots.push_back(static_cast<int>(i));
  }
  bfs(preforkInit_, roots,
      [](const Edge& e) { return e.kind == EdgeKind::Direct || e.kind == EdgeKind::Once; });
}

const FunctionFact* Model::function(const std::string& id) const {
  int i = index(id);
  return i < 0 ? nullptr : &facts_.functions[i];
}

const VariableFact* Model::variable(const std::string& id) const {
  auto it = variables_.find(id);
  return it == variables_.end() ? nullptr : it->second;
}

const std::vector<ResolvedAccess>& Model::accesses(const std::string& varId) const {
  static const std::vector<ResolvedAccess> kNone;
  auto it = accesses_.find(varId);
  return it == accesses_.end() ? kNone : it->second;
}

int Model::index(const std::string& fn) const {
  auto it = functionIndex_.find(fn);
  return it == functionIndex_.end() ? -1 : it->second;
}

void Model::buildGraph() {
  size_t n = facts_.functions.size();
  edges_.assign(n, {});
  callbackTarget_.assign(n, false);
  hasCaller_.assign(n, false);
  std::unordered_map<std::string, std::vector<std::string>> overriders;
  for (const OverrideFact& o : facts_.overrides) overriders[o.overridden].push_back(o.method);

  auto add = [&](int from, int to, const CallFact& call) {
    edges_[from].push_back({to, call.kind, call.locked, call.loc});
    if (to != from && call.kind != EdgeKind::Virtual) hasCaller_[to] = true;
    if (call.kind == EdgeKind::Callback) callbackTarget_[to] = true;
  };
  // Calls through pointers and std::function reach every address-taken function of the same
  // signature; like virtual calls, they are decided at run time.
  std::unordered_map<std::string, std::vector<int>> takenBySignature;
  for (const std::string& fn : facts_.addressTaken) {
    int i = index(fn);
    if (i >= 0 && !facts_.functions[i].signature.empty())
      takenBySignature[facts_.functions[i].signature].push_back(i);
  }
  for (const IndirectCallFact& call : facts_.indirectCalls) {
    int from = index(call.caller);
    auto targets = takenBySignature.find(call.signature);
    if (from < 0 || targets == takenBySignature.end()) continue;
    CallFact edge{call.caller, "", EdgeKind::Virtual, call.loc, call.locked};
    for (int to : targets->second) add(from, to, edge);
  }
  for (const CallFact& call : facts_.calls) {
    int from = index(call.caller);
    if (from < 0) continue;
    if (int to = index(call.callee); to >= 0) add(from, to, call);
    if (call.kind != EdgeKind::Virtual) continue;
    // Every override of the called method, transitively, is a possible target.
    std::vector<std::string> work{call.callee};
    std::set<std::string> seen{call.callee};
    while (!work.empty()) {
      std::string m = work.back();
      work.pop_back();
      for (const std::string& o : overriders[m]) {
        if (!seen.insert(o).second) continue;
        work.push_back(o);
        if (int to = index(o); to >= 0) add(from, to, call);
      }
    }
  }
  callers_.assign(n, {});
  for (size_t from = 0; from < n; ++from)
    for (size_t e = 0; e < edges_[from].size(); ++e)
      callers_[edges_[from][e].to].emplace_back(static_cast<int>(from), e);
}

// A function annotated to run after fork (a worker hook, a handler) is not init time even when
// init code calls it: a hand-written pre-fork main() calls worker_init() in the child.
bool Model::stopsInit(RootKind root) {
  return root == RootKind::WorkerInit || root == RootKind::Handler;
}

Model::Reach Model::newReach() const {
  Reach r;
  r.parent.assign(facts_.functions.size(), -2);
  r.via.assign(facts_.functions.size(), Location{});
  r.model = this;
  return r;
}

void Model::bfs(Reach& reach, const std::vector<int>& roots, bool (*follow)(const Edge&)) const {
  reach.follow = follow;
  std::deque<int> queue;
  for (int r : roots) {
    if (reach.parent[r] != -2) continue;
    reach.parent[r] = -1;
    queue.push_back(r);
  }
  while (!queue.empty()) {
    int f = queue.front();
    queue.pop_front();
    for (const Edge& e : edges_[f]) {
      if (!follow(e) || reach.parent[e.to] != -2) continue;
      if (reach.initTime && stopsInit(facts_.functions[e.to].root)) continue;
      reach.parent[e.to] = f;
      reach.via[e.to] = e.loc;
      queue.push_back(e.to);
    }
  }
}

bool Model::Reach::reached(const std::string& fn) const {
  int i = model->index(fn);
  return i >= 0 && parent[i] != -2;
}

std::vector<PathStep> Model::Reach::path(const std::string& fn) const {
  std::vector<PathStep> out;
  int i = model->index(fn);
  if (i < 0 || parent[i] == -2) return out;
  for (int guard = 0; i >= 0 && guard < 64; ++guard) {
    out.push_back({model->facts_.functions[i].id, via[i]});
    i = parent[i];
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Backwards from `fn` over the edges the reach followed between reached functions: each such
// edge lies on a path from a root to `fn`.
std::vector<Location> Model::Reach::callsTo(const std::string& fn) const {
  std::vector<Location> out;
  int start = model->index(fn);
  if (start < 0 || parent[start] == -2 || !follow) return out;
  std::vector<bool> seen(parent.size(), false);
  std::vector<int> work{start};
  seen[start] = true;
  while (!work.empty()) {
    int to = work.back();
    work.pop_back();
    if (initTime && stopsInit(model->facts_.functions[to].root)) continue;
    for (const auto& [from, index] : model->callers_[to]) {
      const Edge& e = model->edges_[from][index];
      if (parent[from] == -2 || !follow(e)) continue;
      if (e.loc.valid()) out.push_back(e.loc);
      if (!seen[from]) {
        seen[from] = true;
        work.push_back(from);
      }
    }
  }
  return out;
}

void Model::computeReachability() {
  size_t n = facts_.functions.size();
  init_ = newReach();
  init_.initTime = true;  // see stopsInit()
  workerInit_ = newReach();
  request_ = newReach();
  unlocked_ = newReach();

  std::vector<int> initRoots, workerRoots, handlerRoots;
  for (size_t i = 0; i < n; ++i) {
    const FunctionFact& f = facts_.functions[i];
    if (f.isStaticInit || f.root == RootKind::Init || f.root == RootKind::Main)
      initRoots.push_back(static_cast<int>(i));
    if (f.root == RootKind::WorkerInit) workerRoots.push_back(static_cast<int>(i));
    if (f.root == RootKind::Handler) handlerRoots.push_back(static_cast<int>(i));
  }
  // Only calls init code certainly makes: not callbacks, and not virtual dispatch, whose target
  // (a server's task queue, a plugin) is decided at run time.
  bfs(init_, initRoots,
      [](const Edge& e) { return e.kind == EdgeKind::Direct || e.kind == EdgeKind::Once; });

  // std::call_once callbacks outside init run once per worker: worker init, not per request.
  for (size_t i = 0; i < n; ++i) {
    if (init_.parent[i] != -2) continue;
    for (const Edge& e : edges_[i])
      if (e.kind == EdgeKind::Once) workerRoots.push_back(e.to);
  }
  bfs(workerInit_, workerRoots, [](const Edge&) { return true; });

  auto followRequest = [](const Edge& e) { return e.kind != EdgeKind::Once; };
  auto followUnlocked = [](const Edge& e) { return e.kind != EdgeKind::Once && !e.locked; };
  inferred_ = handlerRoots.empty() && !facts_.handlerPatterns;
  if (!inferred_) {
    // Another program of the database (a file with its own main() and no handler root) still
    // gets inferred entry points among its own functions.
    std::set<std::string> withHandlers, withMain;
    for (const FunctionFact& f : facts_.functions) {
      if (f.root == RootKind::Handler) withHandlers.insert(f.unit);
      if (f.root == RootKind::Main) withMain.insert(f.unit);
    }
    if (!facts_.handlerPatterns)
      for (const std::string& unit : withMain)
        if (!withHandlers.count(unit)) inferredUnits_.insert(unit);
    bfs(request_, handlerRoots, followRequest);
    if (inferredUnits_.empty()) {
      bfs(unlocked_, handlerRoots, followUnlocked);
      return;
    }
  }
  // Inferred entry points: callables handed to someone else first, then functions nobody calls,
  // then whatever is left (cycles, helpers of other TUs). Signal handlers, and what only they
  // reach, are none of these.
  Reach signal = newReach();
  std::vector<int> signalRoots;
  for (size_t i = 0; i < n; ++i)
    if (RootKind root = facts_.functions[i].root;
        root == RootKind::Signal || root == RootKind::Shutdown)
      signalRoots.push_back(static_cast<int>(i));
  bfs(signal, signalRoots, [](const Edge& e) { return e.kind != EdgeKind::Callback; });
  auto candidate = [&](size_t i) {
    // Library code (a system or framework header) is never an entry point of its own.
    const FunctionFact& f = facts_.functions[i];
    return !f.isStaticInit && !f.library && (inferred_ || inferredUnits_.count(f.unit)) &&
           init_.parent[i] == -2 && workerInit_.parent[i] == -2 && request_.parent[i] == -2 &&
           signal.parent[i] == -2;
  };
  std::vector<int> roots;
  for (int pass = 0; pass < 3; ++pass) {
    std::vector<int> batch;
    for (size_t i = 0; i < n; ++i) {
      if (!candidate(i)) continue;
      bool take = pass == 0 ? callbackTarget_[i] : pass == 1 ? !hasCaller_[i] : true;
      if (take) batch.push_back(static_cast<int>(i));
    }
    bfs(request_, batch, followRequest);
    roots.insert(roots.end(), batch.begin(), batch.end());
  }
  if (!inferred_) roots.insert(roots.begin(), handlerRoots.begin(), handlerRoots.end());
  bfs(unlocked_, roots, followUnlocked);
}

bool Model::inferredRootsFor(const std::string& fn) const {
  if (inferred_) return true;
  const FunctionFact* f = function(fn);
  return f && inferredUnits_.count(f->unit) != 0;
}

std::string Model::describeRoot(const std::string& fn) const {
  const FunctionFact* f = function(fn);
  if (!f) return "'" + fn + "'";
  switch (f->root) {
    case RootKind::Handler:
      if (llvm::StringRef(f->id).starts_with(kServePrefix)) return "'" + f->name + "'";
      return "handler '" + (f->display.empty() ? f->name : f->display) + "'";
    case RootKind::Signal:
      return "signal handler '" + f->name + "'";
    case RootKind::Shutdown:
      return "'" + f->name + "'";
    case RootKind::Init:
      return "init function '" + f->name + "'";
    case RootKind::WorkerInit:
      return "worker-init function '" + f->name + "'";
    case RootKind::Main:
      return "'" + f->name + "'";
    case RootKind::None:
      break;
  }
  if (f->isStaticInit) return f->name;
  int i = index(fn);
  if (i >= 0 && callbackTarget_[i]) return "callback '" + f->name + "'";
  return "'" + f->name + "'";
}

// The variables (or pointees) a base designates, following what functions return by reference.
std::set<std::pair<std::string, bool>> Model::designated(const Base& base) const {
  if (base.kind == BaseKind::Variable) return {{base.id, base.pointee}};
  std::set<std::pair<std::string, bool>> out;
  if (base.kind != BaseKind::ReturnOf) return out;
  auto it = returns_.find(base.id);
  if (it == returns_.end()) return out;
  for (const auto& [var, pointee] : it->second) out.insert({var, pointee || base.pointee});
  return out;
}

// What a write to `base` writes: a pointee of a pointer aimed at static storage is that storage
// (`*slot += n` writes `quota`), at shared memory it is shared memory; otherwise the heap object
// the pointer owns, reported as the pointer's own state.
std::set<Model::Target> Model::resolve(const Base& base) const {
  std::set<Target> out;
  for (const auto& [var, pointee] : designated(base)) {
    auto aimed = pointee ? aims_.find(var) : aims_.end();
    if (aimed == aims_.end()) {
      out.insert({var, pointee, false, nullptr});
      continue;
    }
    bool elsewhere = false;  // some store aims it at something we cannot name: keep the pointer
    for (const PointsToFact* aim : aimed->second) {
      if (aim->kind == AimKind::SharedMemory) {
        out.insert({var, true, true, aim});
      } else if (aim->kind == AimKind::Static && (aim->target.kind == BaseKind::Variable ||
                                                  aim->target.kind == BaseKind::ReturnOf)) {
        for (const auto& [target, targetPointee] : designated(aim->target))
          out.insert({target, targetPointee, false, aim});
      } else {
        elsewhere = true;
      }
    }
    if (elsewhere) out.insert({var, true, false, nullptr});
  }
  return out;
}

const std::vector<const PointsToFact*>& Model::aims(const std::string& pointerId) const {
  static const std::vector<const PointsToFact*> kNone;
  auto it = aims_.find(pointerId);
  return it == aims_.end() ? kNone : it->second;
}

// A pointer is redirected when at least one store aims it at static storage or shared memory.
void Model::computeAims() {
  std::map<std::string, std::vector<const PointsToFact*>> all;
  for (const PointsToFact& p : facts_.pointsTo) all[p.pointer].push_back(&p);
  for (auto& [pointer, stores] : all) {
    for (const PointsToFact* p : stores) {
      if (p->kind == AimKind::Other) continue;
      aims_[pointer] = std::move(stores);
      break;
    }
  }
}

void Model::resolveAccesses() {
  // Which reference/pointer parameters does each function modify, itself or what it points to,
  // directly or by passing them on? A callee that takes its own lock around every write through
  // the parameter (a member function locking a member mutex) makes the write synchronized even
  // at an unlocked call site.
  for (const AccessFact& a : facts_.accesses) {
    if (a.kind != AccessKind::Write || a.base.kind != BaseKind::Parameter) continue;
    paramWrites_.insert({a.function, a.base.param, a.base.pointee});
    if (!a.locked) paramUnlockedWrites_.insert({a.function, a.base.param, a.base.pointee});
  }
  // Through a binding, the callee writes the argument (pointee = false) or what it points to. A
  // callee outside the program (a library function) may write the argument itself, unless the
  // argument is an object reached through a pointer: that is a handle to the library's own
  // object (`sqlite3_exec(g_db, ...)`, `redisCommand(g_redis, ...)`), as for system headers.
  auto external = [&](const BindingFact& b, bool pointee) { return !pointee && !b.base.pointee; };
  auto calleeWrites = [&](const BindingFact& b, bool pointee) {
    if (index(b.callee) < 0) return external(b, pointee);
    return paramWrites_.count({b.callee, b.param, pointee}) != 0;
  };
  auto unlockedWrite = [&](const BindingFact& b, bool pointee) {
    if (b.locked) return false;
    if (index(b.callee) < 0) return external(b, pointee);
    return paramUnlockedWrites_.count({b.callee, b.param, pointee}) != 0;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const BindingFact& b : facts_.bindings) {
      if (b.base.kind != BaseKind::Parameter) continue;
      for (bool pointee : {false, true}) {
        if (!calleeWrites(b, pointee)) continue;
        ParamWrite w{b.function, b.base.param, b.base.pointee || pointee};
        changed |= paramWrites_.insert(w).second;
        if (unlockedWrite(b, pointee)) changed |= paramUnlockedWrites_.insert(w).second;
      }
    }
  }
  // What does each function return by reference (accessors, singletons)?
  for (bool changed = true; changed;) {
    changed = false;
    for (const ReturnFact& r : facts_.returns) {
      std::set<std::pair<std::string, bool>>& into = returns_[r.function];
      for (const auto& target : designated(r.base)) changed |= into.insert(target).second;
    }
  }
  computeAims();

  auto add = [&](const Target& target, ResolvedAccess access) {
    const VariableFact* var = variable(target.var);
    if (!var) return;
    if (var->isAtomic && !target.pointee) access.atomic = true;
    access.pointee = target.pointee;
    access.shared = target.shared;
    access.through = target.through;
    accesses_[target.var].push_back(std::move(access));
  };
  for (const AccessFact& a : facts_.accesses) {
    for (const Target& target : resolve(a.base)) {
      std::string how = a.how;
      if (a.base.kind == BaseKind::ReturnOf) {
        const FunctionFact* f = function(a.base.id);
        how += " through the reference returned by '" + (f ? f->name : a.base.id) + "'";
      }
      add(target, {a.function, a.loc, a.kind == AccessKind::Write, a.locked, a.atomic, how});
    }
  }
  for (const BindingFact& b : facts_.bindings) {
    for (bool pointee : {false, true}) {
      if (!calleeWrites(b, pointee)) continue;
      Base written = b.base;
      written.pointee |= pointee;
      std::string how;
      if (b.param == kThisParam)
        how = "modified by '" + b.calleeName + "'";
      else if (index(b.callee) < 0)
        how = "passed by reference to '" + b.calleeName + "', which may modify it";
      else
        how = "passed by reference to '" + b.calleeName + "', which modifies it";
      for (const Target& target : resolve(written))
        add(target, {b.function, b.loc, true, !unlockedWrite(b, pointee), b.atomic, how});
    }
  }
  for (auto& [var, list] : accesses_) {
    std::stable_sort(
        list.begin(), list.end(),
        [](const ResolvedAccess& a, const ResolvedAccess& b) { return a.loc < b.loc; });
  }
}

void Model::computeProducers() {
  for (bool changed = true; changed;) {
    changed = false;
    for (const EventFact& e : facts_.events) {
      if (!e.hasTarget || (e.target.kind != BaseKind::Result && e.target.kind != BaseKind::This))
        continue;
      bool produces = e.kind == EventKind::DescriptorOpen;
      if (e.kind == EventKind::DescriptorStore)
        for (const std::string& c : e.callees) produces |= producers_.count(c) != 0;
      if (produces) changed |= producers_.insert(e.function).second;
    }
  }
}

}  // namespace forksafe
