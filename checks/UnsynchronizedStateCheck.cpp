// forksafe-unsynchronized-state: request-path writes that race under threaded workers.
#include "UnsynchronizedStateCheck.h"

#include "model/Explain.h"

namespace forksafe {

llvm::StringRef UnsynchronizedStateCheck::summary() const {
  return "Static-storage state is written on a request path without holding a lock: threaded "
         "workers race on it.";
}

llvm::StringRef UnsynchronizedStateCheck::help() const {
  return "With threaded workers several requests run at once in one process, so an unguarded "
         "write to a global, static member or function-local static is a data race. Make the "
         "object std::atomic or hold a std::lock_guard/std::unique_lock/std::scoped_lock around "
         "every access. That fixes the race only: the per-worker copies still diverge (see "
         "forksafe-per-worker-state). thread_local variables are exempt; FORKSAFE_PER_WORKER "
         "does not waive this rule.";
}

void UnsynchronizedStateCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  for (const VariableFact& var : model.facts().variables) {
    if (var.isThreadLocal) continue;
    std::vector<const ResolvedAccess*> writes;
    for (const ResolvedAccess& a : model.accesses(var.id)) {
      if (!a.write || a.atomic || a.locked || !model.isUnlockedRequestTime(a.function)) continue;
      // Shared memory behind a pointer is still raced on, by threads and by processes.
      if (a.pointee ? var.pointeeSync : var.isConst || var.isSync || var.isAtomic) continue;
      if (ctx.suppressions.suppressed(id(), a.loc)) continue;
      writes.push_back(&a);
    }
    if (writes.empty()) continue;
    Finding f = makeFinding(var);
    f.message = writtenSubject(var.name, writes) + " is written on a request path (" +
                rootOf(model, writes.front()->function, PathKind::UnlockedRequest) +
                ") without holding a lock; with threaded workers concurrent requests race on "
                "it; guard every access with a mutex or make it std::atomic (this fixes the "
                "race, not the divergence between processes)" +
                deploymentSuffix(model, rootFunction(model, writes.front()->function,
                                                     PathKind::UnlockedRequest));
    addIndirectionNotes(model, var, writes, false, f.notes);
    addSiteNotes(model, writes, var.name, PathKind::UnlockedRequest, f.notes);
    for (const ResolvedAccess* w : writes) f.sites.push_back(w->loc);
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
