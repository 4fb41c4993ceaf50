// forksafe-prefork-rng: random engines seeded before fork, and srand() in init code.
#include "PreforkRngCheck.h"

#include "Explain.h"

#include <map>
#include <set>

namespace forksafe {

llvm::StringRef PreforkRngCheck::summary() const {
  return "A random number generator is seeded before fork: every worker emits the same "
         "sequence.";
}

llvm::StringRef PreforkRngCheck::help() const {
  return "A forked worker inherits the master's memory, including the internal state of every "
         "random engine and of the C library's rand(). An engine seeded (or default-constructed) "
         "in a static initializer or init code therefore produces the same sequence in every "
         "worker: session tokens, request IDs and nonces repeat across workers. Seed engines "
         "after fork, in a FORKSAFE_WORKER_INIT hook (for example from std::random_device), or "
         "use a thread_local engine seeded on first use; call srand() in the worker hook too.";
}

void PreforkRngCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  std::map<std::string, std::vector<const EventFact*>> preFork;
  std::set<std::string> reseeded;
  std::set<Location> calls;
  for (const EventFact& e : model.facts().events) {
    if (e.kind != EventKind::RngSeed) continue;
    bool before = model.isInitTime(e.function);
    if (!e.hasTarget) {
      if (before && calls.insert(e.loc).second) {
        Finding f = makeFinding(e.loc, e.api);
        f.message = "'" + e.api + "' seeds the C library's random generator before fork (" +
                    rootOf(model, e.function, PathKind::Init) +
                    "); every worker inherits the same state and rand() returns the same "
                    "sequence in each of them; seed it in a FORKSAFE_WORKER_INIT hook, mixing "
                    "in something per worker such as getpid()";
        addReachNote(model, e.function, PathKind::Init, f.notes);
        out.push_back(std::move(f));
      }
      continue;
    }
    if (e.target.kind != BaseKind::Variable) continue;
    if (before) preFork[e.target.id].push_back(&e);
    else if (model.isWorkerInit(e.function) || model.isRequestTime(e.function))
      reseeded.insert(e.target.id);
  }
  for (const auto& [varId, seeds] : preFork) {
    const VariableFact* var = model.variable(varId);
    if (!var || var->isThreadLocal || reseeded.count(varId)) continue;
    const ResolvedAccess* use = nullptr;
    for (const ResolvedAccess& a : model.accesses(varId)) {
      if (model.isRequestTime(a.function) || model.isWorkerInit(a.function)) {
        use = &a;
        break;
      }
    }
    if (!use) continue;
    const EventFact& first = *seeds.front();
    Finding f = makeFinding(*var);
    std::string how = first.api == "construction" ? "constructed (and so seeded)" : "seeded";
    f.message = "'" + var->name + "' is " + how + " before fork (" +
                rootOf(model, first.function, PathKind::Init) +
                "); every worker inherits the same engine state and produces the same sequence, "
                "so tokens and IDs repeat across workers; seed it after fork in a "
                "FORKSAFE_WORKER_INIT hook, or use a thread_local engine seeded on first use";
    for (const EventFact* e : seeds) {
      f.notes.push_back({e->loc, std::string(e->api == "construction" ? "constructed" : "seeded") +
                                     " here, in " + functionLabel(model, e->function)});
      addReachNote(model, e->function, PathKind::Init, f.notes);
    }
    f.notes.push_back({use->loc, "used after fork here, in " + functionLabel(model, use->function)});
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
