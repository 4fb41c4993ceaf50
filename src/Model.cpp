// Call graph, reachability, and resolution of symbolic accesses (see Model.h).
#include "Model.h"

#include <algorithm>
#include <deque>

#include <llvm/ADT/StringRef.h>

namespace forksafe {
Model::Model(const TUFacts& facts) : facts_(facts) {
  for (size_t i = 0; i < facts_.functions.size(); ++i)
    functionIndex_.try_emplace(facts_.functions[i].id, static_cast<int>(i));
  for (const VariableFact& var : facts_.variables) variables_.try_emplace(var.id, &var);
  buildGraph();
  computeReachability();
  resolveAccesses();
  computeProducers();
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
  bfs(init_, initRoots, [](const Edge& e) {
    return e.kind == EdgeKind::Direct || e.kind == EdgeKind::Once;
  });

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
    bfs(request_, handlerRoots, followRequest);
    bfs(unlocked_, handlerRoots, followUnlocked);
    return;
  }
  // Inferred entry points: callables handed to someone else first, then functions nobody calls,
  // then whatever is left (cycles, helpers of other TUs). Signal handlers, and what only they
  // reach, are none of these.
  Reach signal = newReach();
  std::vector<int> signalRoots;
  for (size_t i = 0; i < n; ++i)
    if (RootKind root = facts_.functions[i].root; root == RootKind::Signal || root == RootKind::Shutdown)
      signalRoots.push_back(static_cast<int>(i));
  bfs(signal, signalRoots, [](const Edge& e) { return e.kind != EdgeKind::Callback; });
  auto candidate = [&](size_t i) {
    return !facts_.functions[i].isStaticInit && init_.parent[i] == -2 &&
           workerInit_.parent[i] == -2 && request_.parent[i] == -2 && signal.parent[i] == -2;
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
  bfs(unlocked_, roots, followUnlocked);
}

std::string Model::describeRoot(const std::string& fn) const {
  const FunctionFact* f = function(fn);
  if (!f) return "'" + fn + "'";
  switch (f->root) {
    case RootKind::Handler:
      if (llvm::StringRef(f->id).starts_with(kServePrefix)) return "'" + f->name + "'";
      return "handler '" + (f->display.empty() ? f->name : f->display) + "'";
    case RootKind::Signal: return "signal handler '" + f->name + "'";
    case RootKind::Shutdown: return "'" + f->name + "'";
    case RootKind::Init: return "init function '" + f->name + "'";
    case RootKind::WorkerInit: return "worker-init function '" + f->name + "'";
    case RootKind::Main: return "'" + f->name + "'";
    case RootKind::None: break;
  }
  if (f->isStaticInit) return f->name;
  int i = index(fn);
  if (i >= 0 && callbackTarget_[i]) return "callback '" + f->name + "'";
  return "'" + f->name + "'";
}

std::set<std::string> Model::resolve(const Base& base) const {
  if (base.kind == BaseKind::Variable) return {base.id};
  if (base.kind == BaseKind::ReturnOf) {
    auto it = returns_.find(base.id);
    if (it != returns_.end()) return it->second;
  }
  return {};
}

void Model::resolveAccesses() {
  // Which reference/pointer parameters does each function modify (directly or by passing on)?
  // A callee that takes its own lock around every write through the parameter (a member
  // function locking a member mutex) makes the write synchronized even at an unlocked call site.
  for (const AccessFact& a : facts_.accesses) {
    if (a.kind != AccessKind::Write || a.base.kind != BaseKind::Parameter) continue;
    paramWrites_.insert({a.function, a.base.param});
    if (!a.locked) paramUnlockedWrites_.insert({a.function, a.base.param});
  }
  auto calleeWrites = [&](const BindingFact& b) {
    return index(b.callee) < 0 || paramWrites_.count({b.callee, b.param}) != 0;
  };
  auto unlockedWrite = [&](const BindingFact& b) {
    return !b.locked &&
           (index(b.callee) < 0 || paramUnlockedWrites_.count({b.callee, b.param}) != 0);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const BindingFact& b : facts_.bindings) {
      if (b.base.kind != BaseKind::Parameter || !calleeWrites(b)) continue;
      changed |= paramWrites_.insert({b.function, b.base.param}).second;
      if (unlockedWrite(b))
        changed |= paramUnlockedWrites_.insert({b.function, b.base.param}).second;
    }
  }
  // What does each function return by reference (accessors, singletons)?
  for (bool changed = true; changed;) {
    changed = false;
    for (const ReturnFact& r : facts_.returns) {
      std::set<std::string>& into = returns_[r.function];
      for (const std::string& v : resolve(r.base)) changed |= into.insert(v).second;
    }
  }

  auto add = [&](const std::string& var, ResolvedAccess access) {
    if (!variable(var)) return;
    if (variable(var)->isAtomic) access.atomic = true;
    accesses_[var].push_back(std::move(access));
  };
  for (const AccessFact& a : facts_.accesses) {
    for (const std::string& var : resolve(a.base)) {
      std::string how = a.how;
      if (a.base.kind == BaseKind::ReturnOf) {
        const FunctionFact* f = function(a.base.id);
        how += " through the reference returned by '" + (f ? f->name : a.base.id) + "'";
      }
      add(var, {a.function, a.loc, a.kind == AccessKind::Write, a.locked, a.atomic, how});
    }
  }
  for (const BindingFact& b : facts_.bindings) {
    if (!calleeWrites(b)) continue;
    for (const std::string& var : resolve(b.base)) {
      std::string how;
      if (b.param == kThisParam)
        how = "modified by '" + b.calleeName + "'";
      else if (index(b.callee) < 0)
        how = "passed by reference to '" + b.calleeName + "', which may modify it";
      else
        how = "passed by reference to '" + b.calleeName + "', which modifies it";
      add(var, {b.function, b.loc, true, !unlockedWrite(b), b.atomic, how});
    }
  }
  for (auto& [var, list] : accesses_) {
    std::stable_sort(list.begin(), list.end(),
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
