// forksafe-prefork-pid: getpid()/gettid()/getppid() cached in static storage before fork.
#include "PreforkPidCheck.h"

#include <map>

#include "model/Explain.h"

namespace forksafe {

llvm::StringRef PreforkPidCheck::summary() const {
  return "getpid(), gettid() or getppid() is stored in static storage before fork: every worker "
         "sees the master's pid (or the master's parent).";
}

llvm::StringRef PreforkPidCheck::help() const {
  return "A pid cached by a static initializer or init code is the master's: after fork every "
         "worker carries the same, wrong value, so per-process log tags, lock-file owners and "
         "'did we fork?' checks all lie. Call getpid() where the value is needed (it is cheap), "
         "or set the cached value in a FORKSAFE_WORKER_INIT hook.";
}

void PreforkPidCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  std::map<std::string, std::vector<const EventFact*>> captured;
  for (const EventFact& e : model.facts().events)
    if (e.kind == EventKind::PidCapture && e.hasTarget && e.target.kind == BaseKind::Variable &&
        model.isPreforkInitTime(e.function))
      captured[e.target.id].push_back(&e);
  for (const auto& [varId, events] : captured) {
    const VariableFact* var = model.variable(varId);
    if (!var) continue;
    const EventFact& first = *events.front();
    Finding f = makeFinding(*var);
    f.message = "'" + var->name + "' caches " + first.api + "() before fork (" +
                rootOf(model, first.function, PathKind::PreforkInit) +
                "); every worker inherits the master's value, so it names the wrong process; "
                "call " +
                first.api +
                "() where the value is needed, or set it in a "
                "FORKSAFE_WORKER_INIT hook" +
                deploymentSuffix(model, rootFunction(model, first.function, PathKind::PreforkInit));
    for (const EventFact* e : events) {
      f.notes.push_back({e->loc, "stored here, in " + functionLabel(model, e->function)});
      addReachNote(model, e->function, PathKind::PreforkInit, f.notes);
      f.sites.push_back(e->loc);
    }
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
