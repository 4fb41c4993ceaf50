// forksafe-prefork-rng: random engines seeded before fork, and srand() in init code.
#include "PreforkRngCheck.h"

#include <map>
#include <set>

#include "model/Explain.h"

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

namespace {

// Seeds that are the same in every replica started from the same binary at about the same time.
bool identicalInReplicas(const EventFact& e) { return e.seed == "constant" || e.seed == "clock"; }

std::string seedWording(const EventFact& e) {
  if (e.seed == "constant")
    return e.api == "construction" ? "default-constructed or seeded with a constant"
                                   : "seeded with a constant";
  return "seeded from the clock";
}

}  // namespace

void PreforkRngCheck::check(const CheckContext& ctx, std::vector<Finding>& out) const {
  const Model& model = ctx.model;
  std::map<std::string, std::vector<const EventFact*>> preFork;
  std::set<std::string> reseeded;
  std::set<Location> calls;
  // Seeded before fork in a pre-fork program, or with a seed identical in every replica at the
  // start of a program that runs as replicas.
  auto counts = [&](const EventFact& e) {
    if (model.isPreforkInitTime(e.function)) return true;
    return model.isInitTime(e.function) && identicalInReplicas(e);
  };
  auto replicas = [&](const EventFact& e) { return !model.isPreforkInitTime(e.function); };
  auto kindOf = [&](const EventFact& e) {
    return replicas(e) ? PathKind::Init : PathKind::PreforkInit;
  };
  for (const EventFact& e : model.facts().events) {
    if (e.kind != EventKind::RngSeed) continue;
    bool before = counts(e);
    if (!e.hasTarget) {
      if (before && calls.insert(e.loc).second) {
        Finding f = makeFinding(e.loc, e.api);
        std::string root = rootFunction(model, e.function, kindOf(e));
        if (replicas(e))
          f.message = "'" + e.api + "' seeds the C library's random generator at start-up (" +
                      rootOf(model, e.function, PathKind::Init) + ") " + seedWording(e) +
                      "; every replica started at about the same time gets the same seed and "
                      "rand() returns the same sequence in each of them; seed it from "
                      "std::random_device or getrandom()";
        else
          f.message = "'" + e.api + "' seeds the C library's random generator before fork (" +
                      rootOf(model, e.function, PathKind::PreforkInit) +
                      "); every worker inherits the same state and rand() returns the same "
                      "sequence in each of them; seed it in a FORKSAFE_WORKER_INIT hook, mixing "
                      "in something per worker such as getpid()";
        f.message += deploymentSuffix(model, root);
        addReachNote(model, e.function, kindOf(e), f.notes);
        f.sites.push_back(e.loc);
        out.push_back(std::move(f));
      }
      continue;
    }
    if (e.target.kind != BaseKind::Variable) continue;
    if (before)
      preFork[e.target.id].push_back(&e);
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
    std::string root = rootFunction(model, first.function, kindOf(first));
    if (replicas(first)) {
      f.message = "'" + var->name + "' is " + seedWording(first) + " at start-up (" +
                  rootOf(model, first.function, PathKind::Init) +
                  "); every replica started at about the same time produces the same sequence, "
                  "so tokens and IDs repeat across replicas; seed it from std::random_device";
    } else {
      std::string how = first.api == "construction" ? "constructed (and so seeded)" : "seeded";
      f.message = "'" + var->name + "' is " + how + " before fork (" +
                  rootOf(model, first.function, PathKind::PreforkInit) +
                  "); every worker inherits the same engine state and produces the same "
                  "sequence, so tokens and IDs repeat across workers; seed it after fork in a "
                  "FORKSAFE_WORKER_INIT hook, or use a thread_local engine seeded on first use";
    }
    f.message += deploymentSuffix(model, root);
    for (const EventFact* e : seeds) {
      f.notes.push_back({e->loc, std::string(e->api == "construction" ? "constructed" : "seeded") +
                                     " here, in " + functionLabel(model, e->function)});
      addReachNote(model, e->function, kindOf(*e), f.notes);
      f.sites.push_back(e->loc);
    }
    f.notes.push_back({use->loc, "used after " +
                                     std::string(replicas(first) ? "start-up" : "fork") +
                                     " here, in " + functionLabel(model, use->function)});
    out.push_back(std::move(f));
  }
}

}  // namespace forksafe
