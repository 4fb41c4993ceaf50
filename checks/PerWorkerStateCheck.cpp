// forksafe-per-worker-state: writes on a request path to state every worker has its own copy of.
#include "PerWorkerStateCheck.h"

#include "model/Explain.h"

namespace forksafe {

llvm::StringRef PerWorkerStateCheck::summary() const {
  return "Static-storage state is written on a request path: each worker process has its own "
         "copy, so the value diverges between workers.";
}

llvm::StringRef PerWorkerStateCheck::help() const {
  return "In a pre-fork server every worker is a separate process with its own copy of every "
         "global, static member and function-local static. A counter, session map, ID generator "
         "or cache written by a request handler works with one worker and silently diverges with "
         "several. std::atomic and mutexes do not help: they synchronize threads inside one "
         "process. Keep shared state where every worker sees it: forksafe::shared::Counter or "
         "forksafe::shared::Map in a forksafe-serve app (shared memory, or Redis across "
         "machines), or a database, Redis or memcached; if a per-worker copy is what you want (a "
         "per-worker cache), mark "
         "the variable FORKSAFE_PER_WORKER.";
}

void PerWorkerStateCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  for (const VariableFact& var : model.facts().variables) {
    if (var.isSync || var.isRng || var.isPerWorker) continue;
    std::vector<const ResolvedAccess*> writes;
    bool atomic = false, locked = false;
    for (const ResolvedAccess& a : model.accesses(var.id)) {
      if (!a.write || !model.isRequestTime(a.function)) continue;
      // What a pointer points to is state of its own, unless it is shared memory; a const
      // pointer may point to a mutable object.
      if (a.pointee ? a.shared || var.pointeeSync || var.pointeeRng : var.isConst) continue;
      if (ctx.suppressions.suppressed(id(), a.loc)) continue;
      writes.push_back(&a);
      atomic |= a.atomic;
      locked |= a.locked;
    }
    if (writes.empty()) continue;
    Finding f = makeFinding(var);
    std::string root = rootFunction(model, writes.front()->function, PathKind::Request);
    bool replicas = model.deployment(root).model == Deployment::Replicas;
    f.message = writtenSubject(var.name, writes) + " is written on a request path (" +
                rootOf(model, writes.front()->function, PathKind::Request) + "), but " +
                copiesWording(model, root) + ", so its value diverges between " +
                (replicas ? "replicas" : "workers");
    if (atomic)
      f.message += "; std::atomic only makes the update thread-safe inside one process";
    else if (locked)
      f.message += "; the lock only orders threads inside one process";
    f.message += "; " + sharedStoreAdvice(model, var, replicas ? "replicas" : "workers") +
                 ", or mark it FORKSAFE_PER_WORKER if a per-process copy is intended" +
                 deploymentSuffix(model, root);
    addIndirectionNotes(model, var, writes, !replicas, f.notes);
    addSiteNotes(model, writes, var.name, PathKind::Request, f.notes);
    for (const ResolvedAccess* w : writes) f.sites.push_back(w->loc);
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
